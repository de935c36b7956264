"""Seeded sample archives of social-network posts, for ``conduct-scan demo`` and benchmarks.

:func:`generate_archive` writes a Parquet archive that looks like what a provider's nightly
export holds: posts from a few thousand user, official and agency accounts, Vietnamese and
English, hive-partitioned by (UTC) day. About nine posts in ten are everyday chatter (food,
traffic, weather, football, studies, shopping, family, work), written so that a naive word filter
trips on them ("lon bia", "má ơi", "đi ngủ", "Scunthorpe", "assessment"). The rest violate one
clause of the Code of Conduct (4.5, 4.6a-e, ids as in DOMAIN.md), mildly or severely, often from
a handful of repeat offenders, and part of them hide their words with the evasions users really
use: dropped diacritics, teencode, separators, repeated letters, zero-width characters,
leetspeak, Cyrillic homoglyphs and decomposed (NFD) input.

Every text is built from the templates and vocabulary in this module; no external data is read.
The same seed gives byte-identical files: every random stream is derived from
``(seed, purpose, day, block)`` so the rows do not depend on ``rows_per_file`` either. Generation
is vectorised by template (numpy picks the templates and slot fillers, ``str.format`` fills them,
pyarrow builds the columns), which keeps it well above 100k posts per second.

With ``with_labels=True`` three ground-truth columns are added: ``expected_clause`` (the clause
the generator meant to violate, null for clean posts), ``evasion`` (the technique used to hide
it, null when none) and ``lang`` (``vi`` or ``en``).
"""

from __future__ import annotations

import datetime
import math
import random
import re
import shutil
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from conduct_scan.demo_campaigns import plant_campaigns
from conduct_scan.errors import InputError

__all__ = [
    "CLAUSES",
    "EVASIONS",
    "ArchiveSummary",
    "archive_schema",
    "generate_archive",
]

CLAUSES: Final = ("4.5", "4.6a", "4.6b", "4.6c", "4.6d", "4.6e")
"""Clause ids the generator violates (see DOMAIN.md), in ``expected_clause``."""

EVASIONS: Final = (
    "diacritics",
    "teencode",
    "separators",
    "repeat",
    "zero_width",
    "leet",
    "homoglyph",
    "nfd",
)
"""Evasion techniques, as written in the ``evasion`` label column."""

ACCOUNT_TYPES: Final = ("user", "official", "agency")
LANGS: Final = ("vi", "en")

ObjArray = npt.NDArray[np.object_]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class ArchiveSummary:
    """What :func:`generate_archive` wrote.

    Attributes
    ----------
    path : Path
        The archive's root directory (holding the ``date=YYYY-MM-DD`` partitions).
    files : int
        Number of Parquet files written.
    posts : int
        Number of posts (rows) over all files.
    accounts : int
        Number of distinct accounts with at least one post (at most the ``accounts`` asked for:
        activity is heavy-tailed, so in small archives some accounts stay silent).
    days : int
        Number of day partitions.
    bytes_of_text : int
        UTF-8 bytes in the ``text`` column.
    violating_posts : int
        Posts written to violate a clause (``expected_clause`` not null when labelled).
    """

    path: Path
    files: int
    posts: int
    accounts: int
    days: int
    bytes_of_text: int
    violating_posts: int


def archive_schema(*, with_labels: bool = False) -> pa.Schema:
    """Return the Arrow schema of the files :func:`generate_archive` writes.

    Parameters
    ----------
    with_labels : bool
        Include the ground-truth columns ``expected_clause``, ``evasion`` and ``lang``.

    Returns
    -------
    pyarrow.Schema
        ``post_id``, ``account_id``, ``account_type``, ``created_at`` (timestamp[us, UTC]),
        ``title`` (nullable), ``text``, then the label columns when asked for.
    """
    fields = [
        pa.field("post_id", pa.string(), nullable=False),
        pa.field("account_id", pa.string(), nullable=False),
        pa.field("account_type", pa.string(), nullable=False),
        pa.field("created_at", pa.timestamp("us", tz="UTC"), nullable=False),
        pa.field("title", pa.string()),
        pa.field("text", pa.string(), nullable=False),
    ]
    if with_labels:
        fields += [
            pa.field("expected_clause", pa.string()),
            pa.field("evasion", pa.string()),
            pa.field("lang", pa.string(), nullable=False),
        ]
    return pa.schema(fields)


def _words(text: str) -> tuple[str, ...]:
    """Split a ``|``-separated word list (how the vocabulary below is written), NFC."""
    return tuple(unicodedata.normalize("NFC", w.strip()) for w in text.split("|"))


# --------------------------------------------------------------------------------------------
# Vocabulary. Slot syntax in templates: {name} a word from _VOCAB, {!name} the same but the word
# is the one a filter looks for and evasions may disguise it, {#lo-hi} an integer,
# {~n} n random letters and digits (URL ids), {handle} an account of the archive.
# --------------------------------------------------------------------------------------------

_V: dict[str, tuple[str, ...]] = {
    # ---- Vietnamese, everyday ----
    "food_vi": _words(
        "phở bò | phở gà | bún bò Huế | bánh mì pate | bánh mì chảo | cơm tấm sườn bì chả | "
        "bún chả | hủ tiếu Nam Vang | bánh xèo | gỏi cuốn | bún đậu mắm tôm | lẩu Thái | "
        "lẩu gà lá é | ốc len xào dừa | bánh canh cua | mì Quảng | cao lầu | bánh cuốn | "
        "xôi xéo | chè khúc bạch | trà sữa trân châu | cà phê muối | bạc xỉu | bánh tráng trộn | "
        "bò bía | cháo lòng | bún riêu cua | phở cuốn | nem nướng | bánh bèo | cơm gà Hội An | "
        "gà rán | pizza hải sản | sushi | lẩu nấm | bánh flan | sữa chua nếp cẩm | sinh tố bơ | "
        "nước mía | bánh bao | chả cá Lã Vọng | bún mọc | cơm rang dưa bò | bún thịt nướng | "
        "bánh căn | mì cay 7 cấp độ | trà chanh | bánh tráng nướng | lẩu mắm | vịt quay | "
        "bún cá | bánh đa cua | cà phê trứng"
    ),
    "place_vi": _words(
        "Quận 1 | Quận 3 | Bình Thạnh | Gò Vấp | Thủ Đức | Phú Nhuận | Tân Bình | Quận 7 | "
        "Hoàn Kiếm | Ba Đình | Cầu Giấy | Đống Đa | Hai Bà Trưng | Long Biên | Tây Hồ | "
        "Thanh Xuân | Hải Châu | Sơn Trà | Ninh Kiều | phố cổ | chợ Bến Thành | hồ Tây | "
        "Landmark 81 | phố đi bộ Nguyễn Huệ | Thảo Điền | chợ Đồng Xuân | Hồ Gươm | Phú Mỹ Hưng | "
        "làng đại học | Times City"
    ),
    "street_vi": _words(
        "Nguyễn Huệ | Lê Lợi | Điện Biên Phủ | Cách Mạng Tháng Tám | Võ Văn Kiệt | "
        "Nguyễn Văn Linh | Phạm Văn Đồng | Xuân Thủy | Láng | Nguyễn Trãi | Giải Phóng | "
        "Trường Chinh | Kim Mã | Cộng Hòa | Hoàng Văn Thụ | Phan Xích Long | Bạch Đằng | "
        "Lý Thường Kiệt | Nguyễn Thị Minh Khai | Hai Bà Trưng | Trần Hưng Đạo | Lê Văn Sỹ | "
        "Quang Trung | Tây Sơn | Nguyễn Chí Thanh | Đinh Tiên Hoàng | Xa lộ Hà Nội"
    ),
    "spot_vi": _words(
        "ngã tư Hàng Xanh | vòng xoay Dân Chủ | cầu Sài Gòn | ngã tư Sở | cầu Chương Dương | "
        "nút giao An Phú | hầm Thủ Thiêm | cầu vượt Mai Dịch | ngã sáu Phù Đổng | vành đai 3 | "
        "cầu Nhật Tân | ngã tư Thủ Đức | vòng xoay Lăng Cha Cả | cầu Bình Triệu | "
        "nút giao Ngã Tư Vọng | cổng sân bay Tân Sơn Nhất | cầu Thăng Long"
    ),
    "city_vi": _words(
        "Hà Nội | Sài Gòn | TP.HCM | Đà Nẵng | Huế | Cần Thơ | Hải Phòng | Nha Trang | Đà Lạt | "
        "Vũng Tàu | Quy Nhơn | Hội An | Sa Pa | Phú Quốc | Hạ Long | Vinh | Buôn Ma Thuột | "
        "Ninh Bình | Mộc Châu | Phan Thiết"
    ),
    "price_big_vi": _words(
        "1tr2 | 2tr5 | 3,5 triệu | 4 triệu | 6tr9 | 12 triệu | 890k | 1,8 triệu"
    ),
    "temp_hot_vi": _words("35 độ | 36°C | 37 độ | 38°C | 39 độ"),
    "emoji_alarm": _words("😱 | ‼️ | ⚠️ | 🙏 | 😨 | ❗❗❗ | 🆘"),
    "emoji_sale": _words("🔥 | 💥 | 💰 | ✅ | 👉 | 💯 | 🎁 | ⚡"),
    "shortlink_vi": _words("s.shopee.vn | s.lazada.vn | vt.tiktok.com | tiki.vn/deal"),
    "price_vi": _words(
        "15k | 20k | 25k | 30k | 35k | 40k | 45k | 50k | 55k | 65k | 79k | 89k | 99k | 120k | "
        "150k | 199k | 250k | 299k | 350k | 499k | 25.000đ | 45.000đ | 60.000 đồng | "
        "120.000 đồng | 1tr2 | 1,5 triệu | 2 triệu | 3,2 triệu | 850 nghìn | 12 triệu | 4tr5"
    ),
    "time_vi": _words(
        "7h | 7h30 | 8h sáng | 11h trưa | 5h chiều | 6 giờ tối | 9h tối | 10h đêm | sáng nay | "
        "chiều nay | tối qua | hôm qua | trưa nay | 6h45 | 17h30"
    ),
    "day_vi": _words(
        "thứ Hai | thứ Ba | thứ Tư | thứ Năm | thứ Sáu | thứ Bảy | Chủ nhật | cuối tuần này | "
        "26/11 | 28/11 | 30/11 | 1/12 | tuần sau | ngày mai"
    ),
    "temp_vi": _words("12 độ | 14°C | 15 độ | 17°C | 19 độ | 24 độ | 29°C | 31 độ | 34°C"),
    "weather_vi": _words(
        "mưa to | mưa phùn | nắng gắt | rét đậm | trời se lạnh | gió mùa đông bắc | sương mù | "
        "âm u cả ngày | mưa dầm dề | nồm ẩm | mưa rào bất chợt | gió lạnh"
    ),
    "team_vn": _words(
        "Hà Nội FC | Công an Hà Nội | Thể Công Viettel | Thép Xanh Nam Định | Hoàng Anh Gia Lai | "
        "Sông Lam Nghệ An | Hải Phòng | Đông Á Thanh Hóa | SHB Đà Nẵng | Becamex TP.HCM | "
        "Hồng Lĩnh Hà Tĩnh | tuyển Việt Nam | U23 Việt Nam"
    ),
    "team_world": _words(
        "MU | Man City | Arsenal | Liverpool | Chelsea | Tottenham | Real Madrid | Barca | "
        "Bayern | PSG | Inter | Juventus | Newcastle | Aston Villa"
    ),
    "player_vn": _words(
        "Quang Hải | Tiến Linh | Xuân Son | Hoàng Đức | Văn Hậu | Đình Bắc | Filip Nguyễn | "
        "Văn Toàn | Tuấn Hải | Duy Mạnh | Thành Chung | Văn Lâm"
    ),
    "player_world": _words(
        "Haaland | Salah | Saka | Bruno | Mbappé | Vinicius | Yamal | Kane | Rice | Ødegaard | "
        "Palmer | Bellingham | Isak"
    ),
    "score": _words("1-0 | 2-1 | 3-1 | 0-0 | 2-2 | 4-0 | 1-3 | 0-1 | 3-2 | 1-1"),
    "subject_vi": _words(
        "Giải tích | Vật lý đại cương | Hóa hữu cơ | tiếng Anh | IELTS Writing | lập trình C | "
        "Cấu trúc dữ liệu | Kinh tế vi mô | Marketing căn bản | Triết học Mác - Lênin | "
        "Xác suất thống kê | Ngữ văn | Toán cao cấp | Kế toán"
    ),
    "school_vi": _words(
        "Bách Khoa | Kinh tế Quốc dân | Ngoại thương | UEH | Đại học Quốc gia | RMIT | FPT | "
        "Sư phạm | Y Hà Nội | Hutech | Văn Lang | trường THPT Lê Quý Đôn | "
        "trường THCS Nguyễn Du"
    ),
    "product_vi": _words(
        "tai nghe bluetooth | nồi chiên không dầu | áo khoác gió | giày chạy bộ | son môi | "
        "kem chống nắng | sạc dự phòng | bàn phím cơ | robot hút bụi | áo len | "
        "máy lọc không khí | ốp điện thoại | váy len | máy sấy tóc | sữa rửa mặt | "
        "bình giữ nhiệt | chăn điện | đồng hồ thông minh | balo laptop | nồi cơm điện"
    ),
    "shop_vi": _words(
        "Shopee | Lazada | TikTok Shop | Tiki | Điện Máy Xanh | Thế Giới Di Động | Uniqlo | "
        "Bách hóa Xanh | Co.op Mart | WinMart | Guardian | FPT Shop"
    ),
    "family_vi": _words(
        "mẹ mình | ba mình | bố mình | ông nội | bà ngoại | em gái mình | anh hai | "
        "chị gái mình | bé nhà mình | con trai mình | con gái mình | vợ mình | chồng mình | "
        "cô út | ông bà"
    ),
    "pet_vi": _words(
        "con chó nhà mình | con mèo nhà mình | bé cún | bé mèo | con chó nhà hàng xóm | "
        "chú chó Phú Quốc | con mèo mướp | bé corgi | con chó nhà mình"
    ),
    "given_vi": _words(
        "Anh | Linh | Huy | Trang | Nam | Hương | Tuấn | Phương | Minh | Hà | Long | Thảo | "
        "Khoa | Ngọc | Dũng | Vy | Hùng | Mai | Quân | Nhi | Tâm | Bảo | Duy | Hạnh | Tú | Lan | "
        "Thắng | Yến | Hiếu | My"
    ),
    "news_topic_vi": _words(
        "giá xăng | giá vàng | lương tối thiểu | lịch nghỉ Tết | metro số 1 | cao tốc Bắc - Nam | "
        "sân bay Long Thành | giá điện | học phí | bảo hiểm xã hội | thi tốt nghiệp THPT | "
        "thuế thu nhập cá nhân | giá chung cư | mưa lũ miền Trung | định danh điện tử VNeID | "
        "tuyến metro Nhổn - ga Hà Nội"
    ),
    "headline_vi": (
        "Metro số 1 tăng chuyến vào giờ cao điểm",
        "Giá vàng nhẫn lại lập đỉnh mới",
        "Hà Nội công bố lịch thi học kỳ I",
        "Lương tối thiểu vùng dự kiến tăng từ năm sau",
        "Miền Trung khẩn trương khắc phục hậu quả mưa lũ",
        "Cao tốc Bắc - Nam phía Đông thông xe thêm một đoạn",
        "Giá xăng giảm lần thứ ba liên tiếp",
        "Ngân hàng Nhà nước giữ nguyên lãi suất điều hành",
        "Bộ GD-ĐT công bố phương án thi tốt nghiệp THPT 2027",
        "TP.HCM thí điểm làn đường riêng cho xe buýt",
        "Sân bay Long Thành chạy thử nghiệm khai thác",
        "Giá thịt heo tăng mạnh dịp cuối năm",
        "Hà Nội cấm đường nhiều tuyến phố để tổ chức sự kiện cuối tuần",
        "Đội tuyển Việt Nam công bố danh sách dự AFF Cup",
        "Dự báo không khí lạnh tăng cường trong tuần này",
    ),
    "src_vi": _words(
        "Theo VnExpress | Báo Tuổi Trẻ đưa tin | Theo Thanh Niên | VTV24 vừa đăng | "
        "Theo báo Dân trí | Theo Cổng thông tin Chính phủ | Theo VietNamNet | "
        "Báo Lao Động đưa tin"
    ),
    "slug_vi": _words(
        "gia-xang-giam-lan-thu-ba-lien-tiep | metro-so-1-tang-chuyen-gio-cao-diem | "
        "khong-khi-lanh-tang-cuong-mien-bac-ret-dam | lich-thi-hoc-ky-1-ha-noi | "
        "gia-vang-nhan-lap-dinh-moi | mien-trung-khac-phuc-hau-qua-mua-lu | "
        "cao-toc-bac-nam-thong-xe-them-doan-moi | luong-toi-thieu-vung-tang-tu-nam-sau | "
        "black-friday-nguoi-dan-san-sale | doi-tuyen-viet-nam-chot-danh-sach-aff-cup | "
        "ket-xe-keo-dai-cua-ngo-san-bay | bao-hiem-xa-hoi-mot-lan-nhung-dieu-can-biet"
    ),
    "news_domain_vi": _words(
        "vnexpress.net | tuoitre.vn | thanhnien.vn | dantri.com.vn | vietnamnet.vn | laodong.vn | "
        "znews.vn | baochinhphu.vn | vtv.vn"
    ),
    "beer_vi": _words("Tiger | Heineken | Sài Gòn | 333 | Hà Nội | Huda | Larue"),
    "lead_vi": (
        "Mọi người ơi! ",
        "Ủa alo? ",
        "Tin vui nè 🎉 ",
        "Trời ơi. ",
        "Haizz. ",
        "Kể nghe nè. ",
        "Chào cả nhà! ",
        "Mn ơi cho mình hỏi. ",
        "Hú hú! ",
        "Nói thật nha, ",
        "Sáng ra đã thấy vui. ",
        "Xin chào mọi người, ",
    ),
    "tail_vi": (
        " Ai đi cùng không?",
        " Có ai biết chỗ nào không ạ?",
        " Thương ghê 🥰",
        " Mệt ghê.",
        " Cảm ơn mọi người đã đọc!",
        " Share cho ai cần nha.",
        " Mn thấy sao?",
        " Chúc cả nhà cuối tuần vui vẻ!",
        " Ko biết có ai giống mình ko.",
        " Hóng quá đi.",
        " Tối về kể tiếp.",
        " Mê thật sự.",
        " Đc cái rẻ.",
        " Thôi đi ngủ sớm mai còn đi làm.",
        " kkk",
        " hihi",
        " =)))",
        " :v",
        " Giá mà ngày nào cũng vậy.",
        " Buồn ngủ quá trời.",
    ),
    "emoji": _words(
        "😂 | 😂😂 | 🤣🤣🤣 | 😍 | 🥰 | 😋 | 🤤 | 👍 | 🙏 | ❤️ | 🔥 | ✨ | 😭 | 😅 | 🙄 | 😤 | 🥲 "
        "| 🤔 | 👏 | 💯 | 🎉 | "
        ":)) | =))) | ^^ | 😴 | 🥶 | ☕ | ⚽ | 🌧️ | 🍜 | 🛵 | 😆 | 🤩 | 💪 | 😢 | ❤️❤️ | 😁 | 🙂"
    ),
    "emoji_angry": _words("😡 | 🤬 | 😤 | 🙄 | 😠😠 | 🤬🤬 | 💢 | 😒"),
    "tags_vi": _words(
        "#reviewanngon | #saigon | #hanoi | #foodie | #blackfriday | #sansale | #cuocsong | "
        "#chill | #giadinh | #hoctap | #IELTS | #vleague | #bongda | #thoitiet | #ketxe | #fyp | "
        "#xuhuong | #dalat | #dulich | #anvat | #reviewanngon #saigon | #hanoi #thoitiet | "
        "#sansale #blackfriday | #bongda #MU | #cuocsong #chill | #dulich #dalat | "
        "#giadinh #yeuthuong | #fyp #xuhuong"
    ),
    # ---- English, everyday ----
    "food_en": _words(
        "pho | banh mi | ramen | tacos | pizza | sourdough | flat whites | bubble tea | "
        "pad thai | fish and chips | avocado toast | shakshuka | bun cha | banh xeo | burritos | "
        "dim sum | Korean BBQ | smash burgers | egg coffee | salt coffee | croissants | "
        "lasagna | green curry | poke | pancakes"
    ),
    "place_en": _words(
        "Saigon | Hanoi | District 1 | Thao Dien | Tay Ho | Da Nang | Hoi An | London | "
        "Manchester | Leeds | Brooklyn | Sydney | Melbourne | Scunthorpe | Essex | Middlesex | "
        "Sussex | Singapore | Bangkok | Chicago | Toronto | Dublin"
    ),
    "street_en": _words(
        "Nguyen Hue | Le Loi | Pasteur | Xuan Thuy | Dien Bien Phu | the ring road | the M25 | "
        "the I-95 | Nguyen Van Linh | the A1 | Vo Van Kiet | Oxford Street"
    ),
    "price_en": _words(
        "$4 | $6.50 | $12 | $18 | $25 | $49 | $99 | $149 | £8 | £20 | €15 | 90k VND | 150k VND | "
        "250k VND | $3.99 | $1,200"
    ),
    "time_en": _words(
        "this morning | last night | at 7am | at lunch | after work | at 6pm | around midnight | "
        "on Sunday | yesterday | tonight | at 5:30"
    ),
    "day_en": _words(
        "Monday | Tuesday | Wednesday | Thursday | Friday | Saturday | Sunday | this weekend | "
        "next week | tomorrow | Thanksgiving | Black Friday"
    ),
    "temp_en": _words("9°C | 12°C | 15°C | 18°C | 31°C | 34°C | 40°F | 55°F | 91°F"),
    "weather_en": _words(
        "pouring rain | drizzle | heatwave | freezing fog | cold snap | non-stop rain | "
        "grey skies | strong winds | thick smog | blazing sunshine | sleet"
    ),
    "team_en": _words(
        "Arsenal | Spurs | Liverpool | Man United | Man City | Chelsea | Newcastle | Villa | "
        "Brighton | West Ham | Leeds | Scunthorpe United | Everton | Wrexham"
    ),
    "player_en": _words(
        "Haaland | Salah | Saka | Bruno | Mbappé | Vinicius | Yamal | Kane | Rice | Ødegaard | "
        "Palmer | Bellingham | Isak | Foden"
    ),
    "subject_en": _words(
        "calculus | organic chemistry | statistics | macroeconomics | Python | data structures | "
        "Vietnamese | art history | contract law | anatomy | linear algebra | marketing"
    ),
    "product_en": _words(
        "noise-cancelling headphones | an air fryer | a rain jacket | running shoes | "
        "a mechanical keyboard | a robot vacuum | a standing desk | sunscreen | a power bank | "
        "a winter coat | a smartwatch | an e-reader | a coffee grinder"
    ),
    "shop_en": _words("Amazon | Shopee | Lazada | IKEA | Uniqlo | Target | Costco | eBay"),
    "family_en": _words(
        "my mum | my dad | my sister | my brother | my grandma | my kids | my wife | my husband | "
        "my son | my daughter | my in-laws | my niece | my partner"
    ),
    "pet_en": _words(
        "our dog | my cat | the puppy | our rescue dog | the neighbour's cat | my corgi | "
        "our old labrador | the kitten"
    ),
    "given_en": _words(
        "Tom | Sarah | Mike | Emma | James | Olivia | Dave | Priya | Chris | Hannah | Ben | "
        "Grace | Kevin | Tina | Ryan | Lucy | Daniel | Mai | Josh | Chloe"
    ),
    "headline_en": _words(
        "Vietnam's metro line 1 adds rush-hour trains | Central Vietnam braces for more floods | "
        "Gold hits another record high | Fuel prices cut for the third time in a row | "
        "New expressway section opens before Tet | Long Thanh airport runs test flights | "
        "Central bank holds interest rates | Black Friday sales break online records | "
        "Cold front to sweep across northern Vietnam | City pilots dedicated bus lanes | "
        "Study finds remote workers log longer hours | "
        "Premier League sets new attendance record"
    ),
    "src_en": _words(
        "Via VnExpress International | Reuters reports | From the BBC | According to AP | "
        "The Guardian says | Vietnam News reports | Per Bloomberg"
    ),
    "slug_en": _words(
        "metro-line-1-adds-rush-hour-trains | central-vietnam-braces-for-more-floods | "
        "gold-hits-another-record-high | fuel-prices-cut-third-time | "
        "black-friday-sales-break-records | cold-front-northern-vietnam | "
        "remote-workers-log-longer-hours | premier-league-attendance-record"
    ),
    "news_domain_en": _words(
        "e.vnexpress.net | www.reuters.com | www.bbc.com | apnews.com | www.theguardian.com | "
        "vietnamnews.vn | www.bloomberg.com"
    ),
    "bar_en": _words(
        "a rooftop bar in District 1 | the Irish pub on Pasteur | a speakeasy in Tay Ho | "
        "the hotel bar | a tiny jazz bar | the new place on Bui Vien | a beach bar in Da Nang"
    ),
    "cocktail_en": _words(
        "espresso martini | negroni | mojito | old fashioned | passion fruit sour | margarita | "
        "aperol spritz | lychee martini"
    ),
    "lead_en": (
        "Okay so ",
        "PSA: ",
        "Honestly, ",
        "Update: ",
        "Quick question: ",
        "Not gonna lie, ",
        "Well. ",
        "Good morning! ",
        "Random thought: ",
        "Friendly reminder: ",
    ),
    "tail_en": (
        " Anyone else?",
        " Recommendations welcome!",
        " Love it here.",
        " Send help.",
        " 10/10 would recommend.",
        " What a day.",
        " lol",
        " Thoughts?",
        " Worth it.",
        " Can't wait.",
        " Happy Friday!",
        " Same time next week?",
        " Not complaining though.",
        " Highly recommend.",
        " Long week.",
        " Thank you all!",
    ),
    "tags_en": _words(
        "#foodie | #saigon | #hanoi | #expatlife | #blackfriday | #thanksgiving | #COYG | #YNWA | "
        "#GGMU | #studygram | #mondaymotivation | #travel | #vietnam | #coffee | "
        "#dogsofinstagram | #ootd | #expatlife #saigon | #foodie #vietnam | #travel #hanoi | "
        "#coffee #mondaymotivation"
    ),
    # ---- agencies ----
    "ward_vi": _words(
        "Bến Thành | Sài Gòn | Tân Định | Bàn Cờ | Xuân Hòa | Gia Định | Thạnh Mỹ Tây | "
        "Hoàn Kiếm | Cửa Nam | Ba Đình | Ngọc Hà | Giảng Võ | Láng | Ô Chợ Dừa | Hải Châu | "
        "Thạc Gián | An Hải | Ninh Kiều | Thủ Đức | Long Biên"
    ),
    "vaccine_vi": _words("sởi - rubella | bạch hầu | viêm não Nhật Bản | cúm mùa | bại liệt"),
    "hotline_vi": _words("113 | 0283.829.7643 | 1900.1234 | 0243.942.4343 | 111"),
    "slug_gov": _words(
        "huong-dan-dinh-danh-dien-tu-muc-2 | lich-cat-dien-tuan-nay | canh-bao-lua-dao-qua-mang | "
        "phan-luong-giao-thong-cuoi-tuan | lich-tiem-chung-mo-rong | phong-chong-sot-xuat-huyet"
    ),
    "gov_domain": _words(
        "dichvucong.gov.vn | hochiminhcity.gov.vn | hanoi.gov.vn | moh.gov.vn | danang.gov.vn | "
        "bocongan.gov.vn"
    ),
    # ---- violations: terms a filter looks for (the {!...} slots) ----
    "vulgar_vi": _words("địt mẹ | địt con mẹ | đụ má | mẹ kiếp | đéo mẹ"),
    "intens_vi": _words("vãi lồn | vãi cả lồn | vãi đái | vãi cứt | vãi lồng"),
    "deo_vi": ("đéo", "đếch", "đéo"),
    "clgt_vi": ("cái lồn gì thế", "cái lồn gì vậy"),
    "cac_vi": _words("con cặc | cái con cặc | cặc | buồi"),
    # Insults as nouns ("mày là đồ ngu") and as predicates ("thằng đó ngu như bò").
    "insult_vi": _words(
        "đồ ngu | thằng ngu | con ngu | óc chó | thằng mất dạy | con điên | đồ rác rưởi | "
        "súc vật | đồ khốn nạn | thằng chó | con chó | đồ mặt lồn | thằng óc lợn | đồ não tàn | "
        "thằng hãm"
    ),
    "insult_adj_vi": _words(
        "ngu như bò | ngu như chó | mất dạy | não tàn | óc lợn | ngu | khốn nạn | mặt dày | "
        "hãm lồn | óc chó"
    ),
    "slur_region_vi": _words("bắc kỳ | parky | nam kỳ | bắc kỳ chó | nam kỳ"),
    "slur_foreign_vi": ("tàu khựa", "khựa", "tàu cộng"),
    "slur_lgbt_vi": ("bê đê", "pê đê", "xăng pha nhớt"),
    "violence_vi": _words("giết | chém chết | đánh chết | xử đẹp"),
    "bet_vi": _words("cá độ | cá cược | tài xỉu | kèo châu Á | cược tỷ số"),
    "casino_vi": _words("nổ hũ | bắn cá | casino | tài xỉu | game bài | cá độ"),
    "lottery_vi": _words("lô đề | bao lô | đề | xiên"),
    "drug_vi": _words("cỏ Mỹ | kẹo | đá | ke | bóng cười | cần sa | nước vui"),
    "weapon_vi": _words("súng hơi | súng bắn đạn bi | dao bấm | pháo nổ | súng quân dụng"),
    "fakedoc_vi": _words("bằng đại học | bằng lái xe | CCCD | giấy khám sức khỏe | sổ đỏ"),
    "license_vi": _words("bằng lái xe | bằng B2 | bằng đại học | chứng chỉ IELTS | bằng cấp 3"),
    "loan_vi": _words("vay tiền | vay nóng | tín dụng đen | bốc họ | giải ngân"),
    "ad_health_vi": _words(
        "tăng cường sinh lý | giảm cân cấp tốc | kem trộn | chữa khỏi ung thư | "
        "chữa dứt điểm tiểu đường | tăng chiều cao | thuốc gia truyền"
    ),
    "ad_job_vi": _words("việc nhẹ lương cao | kiếm tiền online | tuyển CTV | đầu tư tiền ảo"),
    "ad_svc_vi": _words("thuê tài khoản ngân hàng | tăng like | hack Facebook | sim số đẹp"),
    "vulgar_en": _words("fuck | fuck me | what the fuck | holy shit | shit | fucking hell"),
    "fuck_en": ("fuck",),
    "fucking_en": ("fucking", "fucking", "fuckin"),
    "shit_en": ("shit", "bullshit", "crap"),
    "shitty_en": ("shit", "shitty", "fucking awful", "bullshit"),
    "jerk_en": _words("motherfucker | asshole | piece of shit | dickhead | prick | bastard"),
    "insult_en": _words(
        "idiot | moron | dumbass | retard | piece of shit | loser | clown | asshole | bitch | "
        "braindead idiot"
    ),
    "slur_en": _words("vermin | parasites | subhuman | retards | faggots | animals"),
    "group_en": _words(
        "immigrants | Muslims | Jews | gay people | foreigners | Chinese people | refugees | women"
    ),
    "violence_en": _words("kill | beat the hell out of | shoot | burn down | hang"),
    "drug_en": _words("weed | molly | coke | ketamine | shrooms | meth"),
    "pill_en": _words("xanax | oxy | adderall | valium | tramadol"),
    "doc_en": _words("fake IDs | fake passports | fake diplomas | fake driver's licenses"),
    "gamble_en": _words("casino | sports betting | slots | poker"),
    "weapon_en": _words("glock | AR-15 | ghost gun | switchblade | suppressor"),
    "loan_en": ("payday loans", "cash loans", "instant loans"),
    "ad_en": _words(
        "viagra | slimming pills | male enhancement | guaranteed returns | replica rolex | "
        "crypto signals | work from home"
    ),
    "hoax_vi": (
        "ngân hàng {bank_vi} sắp phá sản, rút tiền gấp",
        "từ ngày mai cấm xe máy vào nội thành toàn quốc",
        "uống nước chanh ấm pha muối chữa khỏi ung thư",
        "vắc xin có gắn chip theo dõi",
        "sắp đổi tiền, tiền cũ hết giá trị từ 1/12",
        "thành phố sẽ phong tỏa từ 0h ngày mai",
        "có đường dây bắt cóc trẻ em bằng xe cứu thương ở {place_vi}",
        "động đất 8 độ richter sắp xảy ra ở {city_vi}",
        "gạo nhựa Trung Quốc đang bán tràn lan ở chợ",
        "nhà máy thủy điện sắp vỡ đập, dân hạ du sơ tán ngay",
        "ca sĩ {singer_vi} đã qua đời trong đêm qua",
        "từ 1/12 ai không có VNeID mức 2 sẽ bị khóa tài khoản ngân hàng",
    ),
    "bank_vi": _words("Vietcombank | Techcombank | BIDV | VPBank | ACB | Sacombank | MB"),
    "hoax_en": (
        "5G towers are spreading a new virus",
        "hot lemon water cures cancer, doctors are hiding it",
        "the bank is collapsing tomorrow, withdraw everything",
        "the vaccine contains tracking microchips",
        "a 9.0 earthquake will hit {place_en} on Friday",
        "the election was rigged by the voting machines",
        "the government will freeze all savings accounts next week",
        "Bill Gates is buying up all the farmland to starve us",
        "chemtrails are making people sick",
        "the moon landing was filmed in a studio",
    ),
    "fake_domain": _words(
        "tinnong24h.xyz | baomoi-hot.info | tinmoi247.online | vnexpresss.com | "
        "tuoitre-news.top | sucthat.blogspot.com | dantri24h.club"
    ),
    "fake_domain_en": _words(
        "truthnews24.net | realpatriot.info | naturalcures-now.com | wakeup-news.xyz | "
        "thefreedomreport.online"
    ),
    "bookmaker": _words("W88 | Fb88 | New88 | Hi88 | Jun88 | Kubet | 188BET | OKVIP"),
    "brand_ad": _words("Hàu Biển | Kingphar | Sâm Tố Nữ | Slim X3 | Collagen Nhật | Đông Trùng"),
    "shopname_vi": _words("Mộc Store | Nhà Bống | Linh Cosmetics | Mẹ Su | Bé Na | Hàng Nhật Xinh"),
    # Invented names: a hoax about a real person would itself be defamation.
    "singer_vi": _words("Minh Khang | Thùy Lam | Bảo Ngân | Hà Vy | Quốc Thiên An | Lam Tuyền"),
}

_TEENCODE: Final[Mapping[str, tuple[str, ...]]] = {
    "địt mẹ": _words("đm | dm | đkm | dkm | đmm | djt mẹ"),
    "địt con mẹ": _words("đcm | dcm | đkm | đkmm"),
    "đụ má": _words("đm | dm | đu ma | đmm"),
    "đéo mẹ": ("đéo mẹ", "đ mẹ"),
    "vãi lồn": _words("vl | vler | vlz | vãi loz"),
    "vãi lồng": ("vl", "vãi lol"),
    "vãi cứt": ("vc", "vãi c"),
    "mất dạy": ("mất zạy", "mất dạ"),
    "súc vật": ("súc zật", "súc vậc"),
    "lô đề": ("lode", "lo de"),
    "đề": ("đê`", "de"),
    "cá độ": ("kèo", "cá đọ"),
    "nổ hũ": ("no hu", "nổ hủ"),
    "vay nóng": ("vay nong",),
    "kem trộn": ("kem trọn", "kem tron"),
    "thằng hãm": ("thg hãm",),
    "hãm lồn": ("hãm l", "hãm loz"),
    "vãi cả lồn": ("vcl", "vkl", "vcc"),
    "đéo": _words("đ' | dell | đel | đếu"),
    "cái lồn gì thế": ("clgt", "cl gì thế"),
    "cái lồn gì vậy": ("clgv", "cl gì vậy"),
    "con cặc": ("cc", "ccc", "con c"),
    "cái con cặc": ("cc", "cái cc"),
    "cặc": ("c", "kặc", "cak"),
    "thằng ngu": ("thg ngu", "th ngu"),
    "thằng mất dạy": ("thg mất dạy",),
    "thằng chó": ("thg chó", "thg cờ hó"),
    "con chó": ("con cờ hó", "cn chó"),
    "con ngu": ("cn ngu",),
    "con điên": ("cn điên",),
    "óc chó": ("óc c", "óc cờ hó"),
    "đồ mặt lồn": ("đồ mặt l", "đồ mặt loz"),
    "bắc kỳ": ("bk", "bắc kì"),
    "tàu khựa": ("khựa", "tàu khự"),
    "bê đê": ("bede", "bđ"),
    "giết": ("jết", "zết"),
    "tài xỉu": ("tx", "tài x"),
    "vay tiền": ("vay $", "vay xèng"),
    "fuck": _words("fk | fck | fuk | fcuk"),
    "fucking": ("fkn", "fckin", "fuckin"),
    "what the fuck": ("wtf", "wth"),
    "motherfucker": ("mf", "mofo", "mfer"),
    "bullshit": ("bs", "bull"),
    "shit": ("sht", "shite"),
    "piece of shit": ("pos", "p.o.s"),
    "asshole": ("a-hole", "ahole"),
    "bitch": ("biatch", "bish"),
    "dumbass": ("dumbas", "dumass"),
}

# ---------------------------------------------------------------------------------------------
# Clean templates: topic -> (weight, bodies, titles).
# ---------------------------------------------------------------------------------------------

_Topic = tuple[float, tuple[str, ...], tuple[str, ...]]

_VI_USER: Final[Mapping[str, _Topic]] = {
    "news": (
        9.0,
        (
            "{src_vi}: {headline_vi}. https://{news_domain_vi}/{slug_vi}-{#4800000-4999999}.html",
            "Mọi người đọc bài này chưa? {headline_vi} "
            "https://{news_domain_vi}/{slug_vi}-{#4800000-4999999}.html",
            "Đọc tin {news_topic_vi} mà thấy lo ghê.",
            "Tin mới: {headline_vi}. Nguồn: {src_vi}",
            "Có ai theo dõi vụ {news_topic_vi} không, thấy trên mạng nói lung tung quá, chờ thông "
            "tin chính thức thôi.",
            "Share lại cho ai cần: thông tin mới nhất về {news_topic_vi} "
            "https://{news_domain_vi}/{slug_vi}-{#4800000-4999999}.html",
            "{headline_vi}, vậy là đỡ được chút rồi.",
            "Theo mình thấy thì {news_topic_vi} năm nay khác nhiều so với năm ngoái.",
            "Mới xem bản tin {time_vi}, {headline_vi}.",
            "Cảnh giác nha mọi người, dạo này nhiều đứa gọi giả danh shipper để lừa đảo lắm. Đừng "
            "bấm link lạ.",
        ),
        (
            "[Tin tức] {headline_vi}",
            "Thông tin về {news_topic_vi}",
            "Bàn luận: {news_topic_vi}",
        ),
    ),
    "food": (
        14.0,
        (
            "Hôm nay ăn {food_vi} ở {place_vi}, {price_vi} một phần mà ngon xỉu",
            "Review {food_vi} đường {street_vi}: nước dùng đậm đà, giá {price_vi}, quán hơi đông.",
            "Đồ ăn ở {place_vi} ngon mà rẻ, {food_vi} chỉ có {price_vi}",
            "Thèm {food_vi} quá mà trời {weather_vi}, lười ra đường.",
            "Má ơi, {food_vi} quán này ngon quá trời luôn",
            "Tối nay làm vài lon bia {beer_vi} với anh em ở {place_vi}, ai rảnh qua chơi",
            "Mua thùng 24 lon bia {beer_vi} có {price_vi} thôi, đợt Black Friday giảm sâu ghê.",
            "Mẹ nấu {food_vi} ngon hơn ngoài hàng nhiều",
            "Có ai biết quán {food_vi} nào ngon ở {place_vi} không ạ?",
            "{food_vi} + {food_vi} là combo chân ái mùa này",
            "Lần đầu ăn thử {food_vi} ở {city_vi}, đúng là danh bất hư truyền",
            "Quán {food_vi} đầu hẻm tăng giá lên {price_vi} rồi, vẫn ngon nhưng hơi tiếc.",
            "Đặt {food_vi} qua app mà chờ 45 phút, đồ ăn nguội hết.",
            "Sáng nay {food_vi} với ly {food_vi}, đủ năng lượng cho cả ngày.",
            "Mình mới mở tiệm {food_vi} nhỏ ở {place_vi}, mọi người ghé ủng hộ nha, giá "
            "{price_vi}.",
        ),
        (
            "[Review] {food_vi} ở {place_vi}",
            "Góc ăn uống: {food_vi}",
            "Hỏi quán {food_vi} ngon",
            "[Pass lại] Voucher {food_vi}",
        ),
    ),
    "traffic": (
        8.0,
        (
            "Kẹt xe ở {spot_vi} từ {time_vi} tới giờ chưa nhúc nhích",
            "Đường {street_vi} đang ngập, anh em né ra nha",
            "Ai đi qua {spot_vi} thì đi đường khác nha, đang có tai nạn",
            "Đi metro đi làm đúng là sướng, {#15-40} phút là tới nơi, không lo kẹt xe.",
            "Sáng nào đi ngang {spot_vi} cũng kẹt, chắc mai phải đi sớm hơn {#10-30} phút",
            "Xe buýt số {#1-150} hôm nay chạy trễ quá trời",
            "Đèn đỏ ở {spot_vi} lâu thật sự, 120 giây lận",
            "Vừa bị phạt {price_vi} vì quên bật đèn xe, ai đi đường {street_vi} nhớ cẩn thận nha.",
            "Đèo Hải Vân hôm nay sương mù dày đặc, anh em chạy xe chậm thôi.",
            "Có ai biết sao nay {street_vi} cấm đường không?",
            "Grab giờ cao điểm lên tới {price_vi}, thôi đi bộ cho khỏe",
        ),
        (
            "[Giao thông] Kẹt xe {spot_vi}",
            "Cập nhật tình hình giao thông {time_vi}",
        ),
    ),
    "weather": (
        7.0,
        (
            "{city_vi} hôm nay {weather_vi}, nhiệt độ chỉ có {temp_vi}",
            "Trời {weather_vi} thế này chỉ muốn ở nhà đắp chăn",
            "Buổi sáng ở {city_vi} mát quá, {temp_vi} thôi",
            "Dự báo {day_vi} {weather_vi}, mọi người nhớ mang áo mưa",
            "Gió mùa về rồi, {family_vi} bắt mặc 3 lớp áo mới cho ra đường",
            "Miền Trung lại mưa lũ, thương bà con quá. Ai ủng hộ thì chuyển qua tài khoản của Mặt "
            "trận Tổ quốc nha.",
            "Nắng như đổ lửa, {temp_vi} mà vẫn phải chạy xe đi làm",
            "Sương mù cả buổi sáng, không nhìn thấy tòa nhà đối diện luôn",
            "Trời {weather_vi}, giờ mà có tô {food_vi} nóng thì hết sẩy",
        ),
        (
            "Thời tiết {city_vi} {day_vi}",
            "[Cảnh báo] {weather_vi}",
        ),
    ),
    "football": (
        10.0,
        (
            "{team_vn} thắng {score} rồi anh em ơi ⚽",
            "{player_vn} đá hay quá, bàn thắng phút {#1-90} đẹp thật sự",
            "Tối nay {team_world} gặp {team_world}, ai đoán tỉ số đi, mình đoán {score}",
            "{team_world} thua {score}, buồn ngủ luôn",
            "Xem {team_world} đá mà cười chết mất, thủ môn bắt bóng như đi dạo",
            "{player_world} lại ghi bàn, phong độ khủng thật",
            "Đặt vé xem {team_vn} đá sân nhà rồi, {price_vi} một vé",
            "Cuối tuần này V.League có trận {team_vn} - {team_vn}, ai đi xem không?",
            "Trọng tài bắt trận {team_world} hôm qua hơi tệ, nhưng thua là thua thôi.",
            "Thức tới 3h sáng xem {team_world}, giờ lên công ty ngủ gật",
            "Đội tuyển mình mà vô địch AFF Cup năm nay là đi bão cả đêm",
        ),
        (
            "[Bóng đá] {team_world} vs {team_world}",
            "Nhận định {team_vn} - {team_vn}",
            "Góc bình luận V.League",
        ),
    ),
    "study": (
        8.0,
        (
            "Mai thi {subject_vi} mà chưa học chữ nào",
            "Deadline đồ án {subject_vi} dí sát nút, đêm nay thức trắng",
            "Có ai học {subject_vi} ở {school_vi} cho mình xin tài liệu với",
            "Được {#7-10} điểm {subject_vi} rồi, vui quá mọi người ơi",
            "Buổi học {subject_vi} {time_vi} hay ghê, thầy giảng dễ hiểu",
            "Ôn IELTS {#3-6} tháng mới lên được {#6-8}.5, ai cần kinh nghiệm thì hỏi mình nha",
            "Đi thư viện {school_vi} học nhóm, ồn quá không tập trung được",
            "Cuối kỳ rồi, {subject_vi} với {subject_vi} thi cùng một ngày",
            "Con gái mình vừa được giấy khen học sinh giỏi, tự hào ghê",
            "Đọc truyện giết thời gian trong lúc chờ điểm {subject_vi}",
            "Sinh viên {school_vi} có ai muốn lập nhóm học {subject_vi} không?",
        ),
        (
            "[Hỏi đáp] Tài liệu {subject_vi}",
            "Kinh nghiệm ôn thi {subject_vi}",
            "Tuyển thành viên nhóm học {subject_vi}",
        ),
    ),
    "shopping": (
        10.0,
        (
            "Black Friday săn được {product_vi} trên {shop_vi} giá có {price_vi}",
            "Mua {product_vi} ở {shop_vi} mà giao sai màu, đổi trả mệt ghê",
            "Có ai dùng {product_vi} của {shop_vi} chưa, review giúp mình với",
            "Giỏ hàng {shop_vi} đầy ắp chờ tới 12.12 mới chốt đơn",
            "{product_vi} đang giảm 50% trên {shop_vi} nè mọi người https://{shortlink_vi}/{~8}",
            "Mới mua {product_vi} {price_vi}, xài ổn mà pin hơi yếu",
            "Đi {shop_vi} mua đồ cho {family_vi}, tốn hết {price_vi}",
            "Săn sale tới 0h mà hết hàng, buồn ghê",
            "Cần pass lại {product_vi} còn mới 95%, giá {price_vi}, ib mình nha",
            "Đồ ăn vặt mua trên {shop_vi} về ăn dở tệ, lần sau chừa",
        ),
        (
            "[Pass đồ] {product_vi}",
            "Review {product_vi}",
            "Săn sale Black Friday",
        ),
    ),
    "family": (
        10.0,
        (
            "Má ơi con về tới nhà rồi nha",
            "Cuối tuần về quê thăm {family_vi}, nhớ cơm nhà quá",
            "{family_vi} hôm nay nấu {food_vi}, cả nhà ăn hết sạch",
            "Cu Tí nhà mình hôm nay biết đi xe đạp rồi, mừng quá",
            "Sinh nhật {family_vi}, cả nhà đi ăn {food_vi} ở {place_vi}",
            "Mua được mấy cái lồng đèn cho bé chơi, bé thích lắm",
            "Đưa {family_vi} đi khám ở bệnh viện, đông quá chờ từ {time_vi}",
            "Tối nào {family_vi} cũng gọi điện hỏi ăn cơm chưa, thương ghê",
            "Bé nhà mình đi ngủ sớm nên bố mẹ được xem phim 😆",
            "Dọn nhà đón Tết sớm, tìm được album ảnh hồi nhỏ của {family_vi}",
            "Hôm nay là ngày cưới của anh chị, chúc hai người trăm năm hạnh phúc ❤️",
            "Ông bà ngoại lên chơi, nhà cửa vui hẳn",
            "Đủ rồi nha các con, đi tắm rồi ăn cơm",
        ),
        (
            "Góc gia đình",
            "Chuyện nhà mình",
            "Tâm sự mẹ bỉm",
        ),
    ),
    "work": (
        9.0,
        (
            "Họp từ {time_vi} tới giờ chưa xong",
            "Sếp vừa thông báo thưởng Tết tháng 13, vui quá anh em ơi",
            "OT tới {#8-11}h đêm, mai còn phải lên báo cáo KPI",
            "Công ty mình đang tuyển {#2-5} bạn kế toán, ai quan tâm inbox mình gửi JD nha",
            "Đi làm ở {place_vi} mà nhà ở {place_vi}, mỗi ngày chạy xe {#15-25} km",
            "Khách hàng đổi yêu cầu lần thứ {#3-9} rồi 🥲",
            "Cuối năm deadline chồng chất, chắc phải làm xuyên cuối tuần",
            "Hôm nay nghỉ phép đi {city_vi}, tắt thông báo công việc hết",
            "Lần đầu làm leader team, hồi hộp ghê",
            "Team building ở {city_vi}, vui quên lối về",
            "Giết thời gian bằng cách dọn lại bàn làm việc, sắp hết giờ rồi",
        ),
        (
            "[Tuyển dụng] Kế toán tổng hợp",
            "Tâm sự dân văn phòng",
            "Hỏi về lương thưởng cuối năm",
        ),
    ),
    "pets": (
        5.0,
        (
            "{pet_vi} hôm nay biết bắt tay rồi 🐶",
            "{pet_vi} ăn hết nguyên đĩa {food_vi} của mình trong lúc mình đi lấy nước",
            "Dắt {pet_vi} đi tiêm phòng, tốn {price_vi}",
            "{pet_vi} sợ tiếng sấm, trốn dưới gầm giường cả buổi",
            "Ai có kinh nghiệm nuôi chó Phú Quốc cho mình xin với, con chó nhà mình hay cắn dép",
            "Con chó nhà mình vừa đẻ 4 bé, ai muốn nhận nuôi thì ib nha",
            "Sáng nay có con bướm bay vào nhà, {pet_vi} đuổi theo cả buổi",
            "Xem clip mèo mà cười chết mất",
            "Nhà mình nuôi mấy con chim cu gáy, sáng nào cũng hót",
        ),
        (
            "Boss nhà mình",
            "Hội yêu chó mèo",
            "Nhận nuôi thú cưng",
        ),
    ),
    "entertainment": (
        6.0,
        (
            "Phim mới ra rạp hay lắm, xem xong khóc hết nửa gói khăn giấy",
            "Concert tối qua ở {city_vi} cháy quá, giọng ca sĩ live đỉnh thật",
            "Đang cày phim Hàn, tập {#5-16} hay quá trời",
            "Ai có vé concert {day_vi} pass lại mình với, giá {price_vi} cũng được",
            "Nghe nhạc Trịnh vào ngày {weather_vi}, buồn man mác",
            "Game mới ra chơi cuốn ghê, giết thời gian cực tốt",
            "Clip này cười chết mất 😂 https://youtu.be/{~11}",
            "Chém gió với hội bạn tới 12h đêm, vui thật",
            "Đi Đà Lạt {#2-4} ngày {#1-3} đêm hết {price_vi}, chia sẻ lịch trình cho ai cần",
        ),
        (
            "Review phim cuối tuần",
            "Góc giải trí",
            "[Chia sẻ] Lịch trình du lịch",
        ),
    ),
    "daily": (
        8.0,
        (
            "Hôm nay mệt quá, chỉ muốn đi ngủ sớm",
            "Sáng dậy pha ly cà phê, ngồi ban công nghe mưa, chill ghê",
            "Tập gym được {#2-12} tháng rồi, giảm được {#3-9} kg",
            "Chạy bộ quanh {place_vi} {#3-10} km sáng nay",
            "Lâu lắm rồi mới gặp lại lũ bạn cấp 3, nói chuyện không dứt",
            "Mất điện từ {time_vi}, nóng muốn xỉu",
            "Cảm ơn bạn shipper đã giao hàng dưới trời {weather_vi} ❤️",
            "Ai ở {place_vi} biết chỗ sửa xe uy tín không ạ, xe mình bị thủng săm",
            "Đi chợ mua vú sữa Lò Rèn, ngọt lịm",
            "Chủ nhật dọn nhà, giặt đồ, nấu ăn, hết một ngày",
            "Tự thưởng cho bản thân một ly trà sữa sau tuần làm việc vất vả",
            "Mình vừa chuyển nhà qua {place_vi}, hàng xóm dễ thương lắm",
            "Con chó nhà hàng xóm sủa cả đêm, mất ngủ quá",
        ),
        (
            "Nhật ký một ngày",
            "Tâm sự cuối tuần",
            "Hỏi đáp khu {place_vi}",
        ),
    ),
}

_EN_USER: Final[Mapping[str, _Topic]] = {
    "news": (
        9.0,
        (
            "{src_en}: {headline_en} https://{news_domain_en}/{slug_en}-{#100000-999999}",
            "Interesting read: {headline_en}. https://{news_domain_en}/{slug_en}-{#100000-999999}",
            "{headline_en}. About time.",
            "Just saw this: {headline_en}",
            "Does anyone have a reliable source on the flooding? Lots of rumours going around, "
            "waiting for official updates.",
            "Heads up, scam calls pretending to be from the bank are going around again. Never "
            "share your OTP.",
            "{headline_en}, wonder how long that will last.",
        ),
        ("News: {headline_en}", "Discussion thread"),
    ),
    "food": (
        14.0,
        (
            "Had {food_en} in {place_en} today, {price_en} and absolutely worth it",
            "Best {food_en} I've had in months. Tiny place on {street_en}.",
            "Trying to make {food_en} at home, wish me luck",
            "Cocktail night at {bar_en}, the {cocktail_en} was perfect 🍸",
            "This {food_en} recipe with cumin and shiitake is the bomb",
            "Can anyone recommend good {food_en} near {place_en}?",
            "Food here is cheap and amazing, {food_en} for {price_en}",
            "Thanksgiving prep: {#2-6} pies done, {#1-3} to go",
            "Grabbed {food_en} and {food_en} after work, zero regrets",
            "Brunch in {place_en} with {family_en}, the {food_en} was unreal",
        ),
        ("Food review: {food_en} in {place_en}", "Where to eat in {place_en}?"),
    ),
    "traffic": (
        6.0,
        (
            "Traffic on {street_en} is insane today, 40 minutes for 3 km",
            "Stuck on {street_en} again, might just walk",
            "Took the new metro {time_en}, clean, fast and on time",
            "Motorbike taxi saved me {time_en}, the driver knew every shortcut",
            "Road closed near {place_en} for the marathon, plan ahead",
            "Got a parking ticket for {price_en}, lesson learned",
        ),
        ("Traffic update", "Commute rant"),
    ),
    "weather": (
        7.0,
        (
            "{weather_en} in {place_en} {time_en}, {temp_en}",
            "It's {temp_en} and I'm melting",
            "{weather_en} all week according to the forecast. Great.",
            "Finally some sunshine in {place_en} ☀️",
            "Killing time indoors while the {weather_en} passes",
        ),
        ("Weather check", "Forecast for {day_en}"),
    ),
    "football": (
        10.0,
        (
            "{team_en} {score} tonight, what a game",
            "{player_en} is on another level this season",
            "Scunthorpe United away day, {#200-900} fans made the trip",
            "Who's watching {team_en} vs {team_en} {day_en}? I say {score}",
            "{team_en} were awful today. Sack the manager.",
            "That {player_en} goal in the {#1-90}th minute 🔥",
            "Season ticket renewal is {price_en} this year, football is getting expensive",
            "Ref had a shocker but we still should have won",
        ),
        ("Match thread: {team_en} vs {team_en}", "Transfer talk"),
    ),
    "study": (
        8.0,
        (
            "Final assessment for {subject_en} due {day_en}, send help",
            "Skipped {subject_en} class today, regret it already",
            "Got a distinction in {subject_en}! 🎉",
            "Anyone know a good pilates class near {place_en}?",
            "Reading Dickens on the bus to kill time",
            "Group project for {subject_en} and nobody has done anything",
            "Passed my driving test {time_en} after {#2-4} attempts",
            "Vietnamese class tonight, the tones are still killing me",
            "Studying for {subject_en} at a café on {street_en}, the wifi is great",
        ),
        ("Study group for {subject_en}", "Exam tips"),
    ),
    "shopping": (
        9.0,
        (
            "Black Friday haul: {product_en} from {shop_en} for {price_en}",
            "Is {product_en} worth it? Thinking of getting one on {shop_en}",
            "Returned {product_en} to {shop_en}, customer service was great",
            "Bought {product_en} on sale, {price_en} instead of {price_en}",
            "Cyber Monday deals better than Black Friday this year? {shop_en} link: "
            "https://amzn.to/{~7}",
            "Selling {product_en}, barely used, {price_en}, DM me",
        ),
        ("For sale: {product_en}", "Black Friday deals thread"),
    ),
    "family": (
        10.0,
        (
            "Facetimed {family_en} {time_en}, miss them so much",
            "{family_en} made {food_en} for Thanksgiving, best ever",
            "Took {family_en} to the park despite the {weather_en}, worth it",
            "Happy birthday to {family_en} ❤️",
            "{family_en} finally learned to ride a bike 🚲",
            "The kids are asleep, time for a movie",
            "Visiting {family_en} in {place_en} for the holidays",
        ),
        ("Family update", "Parenting wins"),
    ),
    "work": (
        9.0,
        (
            "Back-to-back meetings from {time_en}, no lunch",
            "Just accepted a new job in {place_en}! 🎉",
            "Quarterly assessment went well, relieved",
            "Working from a café in {place_en} today",
            "We're hiring {#2-5} engineers, remote friendly, DM for the JD",
            "End-of-year deadlines are killing me",
            "Our team hit the target for Q4, drinks on me",
        ),
        ("Hiring: software engineers", "Work life"),
    ),
    "pets": (
        5.0,
        (
            "{pet_en} ate the whole hot dog off my plate 😂",
            "Took {pet_en} to the vet, all good",
            "{pet_en} is scared of the thunder, hiding under the bed",
            "Adopted {pet_en} from a shelter in {place_en}, best decision ever",
            "Photo shoot with {pet_en} today, she was a natural",
        ),
        ("Pet of the day", "Adoption story"),
    ),
    "entertainment": (
        6.0,
        (
            "Just finished the new season, I'm dead 😂",
            "Concert in {place_en} was incredible, still buzzing",
            "Any podcast recommendations for a long flight?",
            "This video is hilarious https://youtu.be/{~11}",
            "Cocktail masterclass at {bar_en} {day_en}, who's in?",
            "Watched a classic movie marathon, all of Kubrick",
            "Trip to Hoi An was magical, {#3-6} days wasn't enough",
        ),
        ("Weekend plans", "Recommendations"),
    ),
    "daily": (
        7.0,
        (
            "Morning run along the river, {#3-12} km",
            "Power cut {time_en}, candles out",
            "Grateful for the delivery guy who came through the {weather_en}",
            "Moved to {place_en} last month, loving it",
            "Sunday: laundry, groceries, nap",
            "Grabbing a drink in Middlesex with old friends",
            "New phone, who dis",
            "Spent the afternoon at a board game café, killing it at Catan",
        ),
        ("Daily life", "Random thoughts"),
    ),
}

_VI_AGENCY: Final[Mapping[str, _Topic]] = {
    "notice": (
        10.0,
        (
            "Lịch tiêm vắc xin {vaccine_vi} cho trẻ tại trạm y tế phường {ward_vi} vào {day_vi}. "
            "Phụ huynh nhớ mang theo sổ tiêm chủng.",
            "[THÔNG BÁO] Tạm ngừng cung cấp điện khu vực đường {street_vi} từ {time_vi} ngày "
            "{day_vi} để bảo trì lưới điện.",
            "Phân luồng giao thông trên đường {street_vi} từ {day_vi} để thi công công trình. "
            "Người dân vui lòng đi đường khác. #phanluong",
            "Hướng dẫn kích hoạt định danh điện tử mức 2 trên VNeID: "
            "https://{gov_domain}/{slug_gov}",
            "Lịch tiếp công dân của Chủ tịch UBND phường {ward_vi} vào {day_vi}, từ 7h30 đến "
            "11h30.",
            "Đoàn phường {ward_vi} tổ chức ngày hội hiến máu tình nguyện vào {day_vi}. Mỗi giọt "
            "máu cho đi, một cuộc đời ở lại.",
            "Hội nghị tổng kết công tác năm của phường {ward_vi} sẽ diễn ra vào {day_vi}.",
        ),
        (
            "THÔNG BÁO",
            "THÔNG BÁO: Lịch cắt điện {day_vi}",
            "Lịch tiêm chủng mở rộng",
            "Thông báo phân luồng giao thông",
        ),
    ),
    "warning": (
        8.0,
        (
            "Công an phường {ward_vi} khuyến cáo người dân cảnh giác với thủ đoạn giả danh cơ "
            "quan công an gọi điện yêu cầu chuyển tiền. Mọi thắc mắc liên hệ {hotline_vi}.",
            "Tuyên truyền: Không tham gia cá độ bóng đá, đánh bạc dưới mọi hình thức. Phát hiện "
            "hành vi vi phạm xin báo ngay cho công an phường {ward_vi}.",
            "Cảnh báo tín dụng đen: không vay tiền qua các app không rõ nguồn gốc, lãi suất cắt "
            "cổ, đòi nợ khủng bố.",
            "Tác hại của ma túy và bóng cười đối với sức khỏe thanh thiếu niên. Hãy nói không với "
            "ma túy!",
            "Nghiêm cấm sản xuất, tàng trữ, mua bán và đốt pháo nổ trái phép. Vi phạm sẽ bị xử lý "
            "theo quy định pháp luật.",
            "Sở Y tế khuyến cáo người dân chủ động phòng chống sốt xuất huyết: diệt lăng quăng, "
            "ngủ mùng. Chi tiết: https://{gov_domain}/{slug_gov}",
            "Cảnh giác với các trang mạo danh cơ quan nhà nước mời làm CCCD, cấp lại bằng lái xe "
            "online. Cơ quan chức năng không làm thủ tục qua mạng xã hội.",
            "Trung tâm Dự báo khí tượng thủy văn: {weather_vi}, nhiệt độ thấp nhất {temp_vi}. "
            "Người dân chủ động giữ ấm cho trẻ nhỏ và người già.",
        ),
        ("CẢNH BÁO", "Tuyên truyền phòng chống tội phạm", "Khuyến cáo của ngành y tế"),
    ),
    "event": (
        4.0,
        (
            "Chúc mừng các thầy cô nhân ngày Nhà giáo Việt Nam 20/11 vừa qua. Trân trọng cảm ơn "
            "những người lái đò thầm lặng!",
            "Hình ảnh buổi ra quân dọn dẹp vệ sinh môi trường tại phường {ward_vi} sáng {day_vi}.",
            "Trao {#20-200} phần quà cho hộ nghèo phường {ward_vi} nhân dịp cuối năm.",
            "Phường {ward_vi} ra mắt mô hình tổ dân phố văn minh, an toàn.",
        ),
        ("Hoạt động phường {ward_vi}", "Tin hoạt động"),
    ),
}

_EN_AGENCY: Final[Mapping[str, _Topic]] = {
    "notice": (
        10.0,
        (
            "Ho Chi Minh City Department of Tourism: the riverside festival runs {day_en}, free "
            "entry.",
            "Public notice: scheduled power maintenance on {street_en} {day_en}, 7am to 5pm.",
            "Residents are reminded that official services are never offered through social media "
            "messages. Report scam calls to 113.",
            "Road diversion on {street_en} from {day_en} for metro works. Please plan your route.",
            "Health advisory: protect yourself from dengue fever. Remove standing water and use "
            "mosquito nets. https://{gov_domain}/{slug_gov}",
            "Say no to illegal gambling and loan sharks. Report suspicious activity to your local "
            "police.",
        ),
        ("Public notice", "Health advisory"),
    ),
}

# ---------------------------------------------------------------------------------------------
# Violating templates: clause -> language -> templates. Mild and severe forms are mixed; each
# template names its hidden word in a {!...} slot when it has one.
# ---------------------------------------------------------------------------------------------

_VIOLATING: Final[Mapping[str, Mapping[str, tuple[str, ...]]]] = {
    "4.5": {
        "vi": (
            "Bọn {!slur_region_vi} toàn lũ lừa đảo, đừng có tin",
            "Không cho người Thanh Hóa, Nghệ An thuê trọ. Ai hỏi cũng trả lời vậy.",
            "Lũ {!slur_foreign_vi} cút về nước chúng mày mà sống",
            "Đàn bà biết gì mà bàn chuyện chính trị, về nhà rửa bát đi",
            "Con gái học nhiều làm gì, lấy chồng đẻ con là xong",
            "Bọn {!slur_lgbt_vi} bệnh hoạn, cấm hết cho tao",
            "Lũ {!slur_lgbt_vi} đi đâu cũng thấy, kinh tởm",
            "Gặp thằng đó ngoài đường là {!violence_vi} nó luôn",
            "Ai biết nhà thằng này ở đâu không, anh em qua {!violence_vi} nó",
            "{!violence_vi} hết lũ {slur_foreign_vi} đi cho sạch đất nước",
            "Thằng tài xế đó phải bị {!violence_vi}, ai gặp thì xử luôn",
            "Bọn {!slur_region_vi} không đáng tin, tuyển nhân viên tuyệt đối đừng nhận người miền "
            "đó",
            "Lũ {!slur_region_vi} ăn cắp vặt quen rồi",
            "Phụ nữ lái xe thì chỉ có gây tai nạn, cấm chị em lái ô tô đi",
        ),
        "en": (
            "All {group_en} should be sent back where they came from",
            "{group_en} are {!slur_en}, every single one of them",
            "No {group_en} allowed in my building, simple as that",
            "Someone should {!violence_en} that guy, I'd pay to watch",
            "Find where he lives and {!violence_en} him, he deserves it",
            "Women are too emotional to lead. Stay in the kitchen.",
            "These {!slur_en} are ruining {place_en}",
            "Round them all up and {!violence_en} them",
            "Honestly {group_en} are the reason this country is going downhill",
        ),
    },
    "4.6a": {
        "vi": (
            "Nhận kèo {!bet_vi} {team_world} vs {team_world}, tỷ lệ cao, inbox zalo "
            "09{#10000000-99999999}",
            "Soi cầu {!lottery_vi} miền Bắc hôm nay, chuẩn 99%, vào nhóm https://t.me/{~9}",
            "Nhà cái {bookmaker} uy tín số 1, nạp 100k tặng 200k, chơi {!casino_vi} rút tiền "
            "5 phút: https://{~6}.top",
            "{!casino_vi} online {bookmaker}, hoàn trả 1.5% mỗi ngày, link đăng ký: "
            "https://bit.ly/{~6}",
            "Chốt số {!lottery_vi} hôm nay: {#10-99} - {#10-99}, ai theo thì vào nhóm kín",
            "Bán {!drug_vi} giao tận nơi khu {place_vi}, kín đáo, ib",
            "Có {!drug_vi} hàng chuẩn, ship hỏa tốc trong {#15-45} phút, lh 09{#10000000-99999999}",
            "Cần bán {!weapon_vi} hàng mới, ship COD toàn quốc, ai cần ib",
            "Nhận đặt {!weapon_vi} đón Tết, giao kín đáo, cọc trước 50%",
            "Làm {!fakedoc_vi} giả y như thật, lấy nhanh trong ngày, bao soi bao test. Zalo "
            "09{#10000000-99999999}",
            "Nhận làm {!license_vi} không cần thi, không cần học, giá {price_big_vi}",
            "{!loan_vi} nhanh chỉ cần CCCD, không thế chấp, giải ngân 15 phút, góp ngày. LH "
            "09{#10000000-99999999}",
            "Hỗ trợ {!loan_vi} cho người nợ xấu, lãi 3.000đ/triệu/ngày, ib em ngay",
        ),
        "en": (
            "Cheap {!drug_en} delivered in {place_en}, DM me, discreet",
            "{!pill_en} without prescription, fast discreet shipping worldwide",
            "Scannable {!doc_en}, any state, 48h turnaround. Telegram: t.me/{~8}",
            "Online {!gamble_en}: deposit $10 get $100 free, withdraw in 5 minutes "
            "https://bit.ly/{~6}",
            "{!weapon_en} for sale, no background check, cash only",
            "Need cash fast? {!loan_en} up to $5,000, no credit check, repay daily",
        ),
    },
    "4.6b": {
        "vi": (
            "@{handle} mày là {!insult_vi} à?",
            "{!insult_vi} thì đừng có comment",
            "Chủ quán {food_vi} ở đường {street_vi} là đồ lừa đảo, ăn cắp tiền khách, cả xóm ai "
            "cũng biết",
            "Bác sĩ {given_vi} ở bệnh viện quận nhận phong bì mới chịu khám, {!insult_adj_vi}",
            "Thằng {given_vi} phòng mình {!insult_adj_vi}, suốt ngày nịnh sếp",
            "Con {given_vi} nhà bên {!insult_adj_vi}, suốt ngày khoe của",
            "Trọng tài trận {team_vn} hôm qua ăn tiền rõ ràng, đúng là {!insult_vi}",
            "Shop {shopname_vi} bán hàng giả, lừa đảo, ai mua là {!insult_adj_vi}",
            "@{handle} im mồm đi {!insult_vi}",
            "Nhìn mặt {!insult_adj_vi} vậy mà cũng đòi làm lãnh đạo",
            "Cái loại {!insult_vi} như @{handle} thì nói làm gì cho mệt",
            "{player_vn} đá như {!insult_vi}, về quê chăn bò đi",
        ),
        "en": (
            "@{handle} you're a {!insult_en}",
            "Only a {!insult_en} would believe this",
            "{given_en} from accounting is a thief who steals from clients, everyone knows it",
            "The owner of that café on {street_en} is a scammer and a liar, avoid",
            "Ref was clearly paid off, absolute {!insult_en}",
            "Shut up @{handle}, nobody asked you, {!insult_en}",
            "{player_en} is a {!insult_en}, can't even pass the ball",
            "Imagine being this much of a {!insult_en}",
        ),
    },
    "4.6c": {
        "vi": (
            "{!vulgar_vi}, kẹt xe từ {time_vi} tới giờ",
            "{food_vi} ở đây ngon {!intens_vi} luôn",
            "Nóng {!intens_vi}, {temp_hot_vi} mà vẫn phải đi làm",
            "Làm {!deo_vi} gì có chuyện đó",
            "{!clgt_vi}, sao giờ này còn cúp điện",
            "Sếp bắt OT tới 10h đêm, {!vulgar_vi}",
            "{player_vn} đá như {!cac_vi}",
            "{!vulgar_vi} {team_world}, thua {score} mà không biết nhục",
            "Học {subject_vi} khó {!intens_vi}, {!deo_vi} hiểu gì",
            "{!deo_vi} ai thèm quan tâm đâu",
            "Nói {!cac_vi} gì mà nghe không hiểu",
            "{!vulgar_vi} thằng shipper giao sai đơn lần thứ {#2-5}",
            "Giá {product_vi} {price_big_vi}, đắt {!intens_vi}",
            "{!vulgar_vi}, mất điện đúng lúc đang xem {team_world}",
        ),
        "en": (
            "{!fuck_en} this traffic, been stuck on {street_en} for an hour",
            "What the {!fuck_en} is wrong with {team_en} today",
            "This {food_en} is {!fucking_en} amazing",
            "{!vulgar_en}, I missed the bus again",
            "Stop posting this {!shit_en}",
            "Absolute {!shitty_en} performance from {team_en}",
            "{!vulgar_en}, the power is out again",
            "Monday can go {!fuck_en} itself",
            "My landlord is a {!jerk_en}, no hot water for a week",
            "This weather is {!shitty_en}, {temp_en} in {place_en}",
            "{!fucking_en} {team_en} bottled it again",
        ),
    },
    "4.6d": {
        "vi": (
            "KHẨN CẤP!!! {hoax_vi}. Chia sẻ ngay trước khi bị xóa!",
            "Tin nóng: {hoax_vi}, báo chí không dám đưa tin. Nguồn: https://{fake_domain}/{~6}",
            "Nghe người quen làm trong ngành nói {hoax_vi}, ai ở {city_vi} thì cẩn thận",
            "Bộ Y tế vừa xác nhận {hoax_vi}!!! Share cho người thân biết",
            "Sự thật bị che giấu: {hoax_vi}. Đọc ngay https://{fake_domain}/{~6}",
            "Mọi người ơi {hoax_vi}, nhớ chia sẻ cho cả nhà 🙏",
        ),
        "en": (
            "BREAKING: {hoax_en}. Share before they delete this!",
            "The media won't tell you: {hoax_en}. https://{fake_domain_en}/{~6}",
            "My cousin works at the hospital and says {hoax_en}",
            "WAKE UP PEOPLE!!! {hoax_en}",
            "Confirmed by insiders: {hoax_en}. Spread the word",
        ),
    },
    "4.6e": {
        "vi": (
            "Thuốc {!ad_health_vi} {brand_ad}, hiệu quả sau 7 ngày, cam kết 100%, ib ngay",
            "Viên uống {brand_ad} {!ad_health_vi}, không cần ăn kiêng, không tác dụng phụ. Zalo "
            "09{#10000000-99999999}",
            "{!ad_health_vi} chỉ sau 1 liệu trình, thay thế thuốc bác sĩ kê, giá {price_vi}",
            "Tuyển CTV online, {!ad_job_vi} 500k-1tr/ngày, không cần kinh nghiệm, chỉ cần điện "
            "thoại",
            "{!ad_job_vi} lãi 30%/tháng, giới thiệu bạn bè nhận hoa hồng, inbox để được hướng dẫn",
            "Nhận {!ad_svc_vi} giá rẻ, uy tín, bảo hành trọn đời. Lh 09{#10000000-99999999}",
            "Dịch vụ {!ad_svc_vi} nhanh gọn, không cần chính chủ, bao bảo mật",
            "Kem {brand_ad} {!ad_health_vi} bật tone sau 3 ngày, hàng không hóa đơn giá sỉ "
            "{price_vi}",
        ),
        "en": (
            "{!ad_en}: lose 10 kg in a week, no diet, no exercise! Order now https://bit.ly/{~6}",
            "Best {!ad_en} on the market, results in 15 minutes, 100% guaranteed",
            "{!ad_en}! Earn $500/day from your phone, no experience, DM for details",
            "Join our {!ad_en} group, 30% monthly, zero risk https://t.me/{~8}",
            "{!ad_en} 1:1 quality, half the price, worldwide shipping",
            "Cure diabetes naturally with this herbal tea, doctors hate it. {!ad_en} inside",
        ),
    },
}

_VIOLATING_TITLES: Final[Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]]] = {
    "4.5": (("Bức xúc quá", "Ý kiến cá nhân"), ("Unpopular opinion", "Just saying")),
    "4.6a": (("🔥 KÈO THƠM HÔM NAY 🔥", "HỖ TRỢ TÀI CHÍNH 24/7", "Hàng về"), ("DM for prices",)),
    "4.6b": (("Bóc phốt", "Cảnh báo lừa đảo"), ("Call-out post", "Scam alert")),
    "4.6c": (("Bức xúc", "Tâm sự"), ("Rant", "Vent")),
    "4.6d": (("TIN KHẨN", "CHIA SẺ NGAY"), ("BREAKING", "MUST READ")),
    "4.6e": (("💥 SALE SỐC 💥", "TUYỂN CỘNG TÁC VIÊN"), ("LIMITED OFFER", "Side hustle")),
}

# ---------------------------------------------------------------------------------------------
# Accounts.
# ---------------------------------------------------------------------------------------------

_FAMILY_VI: Final = _words(
    "nguyen | tran | le | pham | hoang | huynh | phan | vu | vo | dang | bui | do | ho | ngo | "
    "duong | ly | truong | dinh | mai | lam | to | ha | cao | luong"
)
_MIDDLE_VI: Final = _words(
    "van | thi | minh | ngoc | thanh | hoang | duc | quoc | thu | hai | bao | gia"
)
_GIVEN_VI: Final = _words(
    "anh | linh | huy | trang | nam | huong | tuan | phuong | minh | ha | long | thao | khoa | "
    "ngoc | dung | vy | hung | mai | quan | nhi | tam | bao | duy | hanh | tu | lan | thang | "
    "yen | hieu | my | khanh | son | phuc | trinh | dat | hoa | tien | thu | loc | kiet | nhung | "
    "giang | uyen | vinh | tai | quynh"
)
_NICK_VI: Final = _words(
    "be | bong | tit | mit | su | bin | ken | na | heo | cun | meo | bo | ti | xu | nhoc | ga | "
    "soc | thỏ"
)
_CUTE_VI: Final = _words(
    "cute | xinh | dethuong | iu | chill | buon | vui | ngoc | lanh | 2k | sg | hn"
)
_CITY_TAG: Final = _words("sg | hn | dn | ct | hp | hue | vt | dl | nt")
_FIRST_EN: Final = _words(
    "tom | sarah | mike | emma | james | olivia | dave | priya | chris | hannah | ben | grace | "
    "kevin | tina | ryan | lucy | daniel | josh | chloe | alex | sam | kate | matt | laura | "
    "nick | amy | jack | zoe | liam | mia | noah | ella | leo | ivy"
)
_LAST_EN: Final = _words(
    "smith | jones | harris | walker | nguyen | tran | brown | taylor | wilson | lee | clark | "
    "lewis | young | king | wright | scott | green | baker | adams | hill | patel | murphy | "
    "kelly | reid"
)
_WORD_EN: Final = _words(
    "panda | coffee | runner | reads | eats | travels | pixel | otter | wanderer | bakes | "
    "codes | lens | vinyl | noodle | sunny | moss | fox | wave | chai"
)
_WARD_SLUG: Final = _words(
    "ben.nghe | ben.thanh | sai.gon | tan.dinh | da.kao | vo.thi.sau | ban.co | hoan.kiem | "
    "cua.nam | ba.dinh | ngoc.ha | giang.vo | lang | o.cho.dua | hai.chau | thac.gian | an.hai | "
    "ninh.kieu | thu.duc | long.bien | gia.dinh | xuan.hoa"
)
_CITY_SLUG: Final = _words(
    "tphcm | hanoi | danang | cantho | haiphong | hue | dongnai | khanhhoa | quangninh | nghean | "
    "thanhhoa | lamdong | angiang | gialai"
)
_CITY_VI_SLUG: Final = _words("hà.nội | đà.nẵng | cần.thơ | huế | hải.phòng | tphcm")
_AGENCY_PATTERNS: Final = _words(
    "ubnd.phuong.{w} | conganphuong.{w} | doanthanhnien.{w} | cand.{c} | congan.{c} | "
    "so.yte.{c} | so.gddt.{c} | so.xaydung.{c} | ttyt.{c} | cong.thong.tin.{c} | bv.nhi.{c} | "
    "tuoitre.{c}.official | sở.y.tế.{v} | công.an.{v} | ubnd.{v}"
)
_OFFICIAL_SUFFIX: Final = _words("ubnd | soyte | congan | sogddt | cb | bv | thue | kbnn")
_SPAM_HANDLES: Final[Mapping[str, tuple[str, ...]]] = {
    "4.6a": _words(
        "vaynhanh.247 | ho.tro.vay | keo.bongda | soicau.mienbac | nhacai.uytin | camdo.online | "
        "easy.cash | lucky.spin.club"
    ),
    "4.6e": _words(
        "giamcan.captoc | kemtron.trangda | tuyen.ctv.online | thuoc.nam.gia.truyen | "
        "sinhly.nam.chinh.hang | crypto.signals | slim.fast.shop | kiemtien.tainha"
    ),
    "4.6d": _words("tin.nong.24h | su.that.bi.giau | truth.seeker | tin.khan.vn | wake.up.news"),
}

# ---------------------------------------------------------------------------------------------
# Rates and shapes. Why these numbers: about 9% violating posts overall, a third of them from
# ~1% repeat offenders; Vietnamese about 70% of posts; ~2% state accounts.
# ---------------------------------------------------------------------------------------------

_TARGET_VIOLATING: Final = 0.09
_SHARE_AGENCY: Final = 0.012
_SHARE_OFFICIAL: Final = 0.008
_SHARE_REPEAT: Final = 0.01
_SHARE_OCCASIONAL: Final = 0.12
_SHARE_VI_USERS: Final = 0.70
_FAVOURITE_CLAUSE_P: Final = 0.75
# Global clause mix of violations by users, officials and agencies (order of CLAUSES).
_CLAUSE_P: Final[Mapping[int, tuple[float, ...]]] = {
    0: (0.12, 0.11, 0.22, 0.35, 0.08, 0.12),
    1: (0.12, 0.00, 0.38, 0.35, 0.15, 0.00),
    2: (0.00, 0.00, 0.45, 0.15, 0.40, 0.00),
}
# Vocabulary of the emoji added to a violation, by clause (order of CLAUSES).
_CLAUSE_EMOJI: Final = (
    "emoji_angry", "emoji_sale", "emoji_angry", "emoji_angry", "emoji_alarm", "emoji_sale",
)  # fmt: skip
_EVADE_P: Final = (0.30, 0.45, 0.35, 0.45, 0.15, 0.40)
_EVASION_W: Final[Mapping[str, tuple[float, ...]]] = {
    # diacritics, teencode, separators, repeat, zero_width, leet, homoglyph, nfd
    "vi": (0.16, 0.28, 0.12, 0.10, 0.10, 0.08, 0.08, 0.10),
    "en": (0.00, 0.12, 0.20, 0.15, 0.15, 0.20, 0.18, 0.00),
}
_TITLE_P: Final = (0.07, 0.15, 0.55)  # by account type: group posts, pages
# Ads and hoaxes come with a headline more often than insults do.
_VIOLATING_TITLE_P: Final = (0.06, 0.25, 0.06, 0.05, 0.20, 0.25)
_NFD_CLEAN_P: Final = 0.03
_NO_DIACRITICS_USERS: Final = 0.08
_LOWERCASE_USERS: Final = 0.30
_BLOCK: Final = 32_768

# Hour-of-day weights in Vietnam's local time (UTC+7): people post at lunch and in the evening;
# state pages post in office hours.
_HOURS_USER: Final = (
    2.6, 1.5, 0.9, 0.6, 0.5, 0.8, 2.0, 3.8, 4.6, 4.4, 4.6, 5.6,
    6.4, 5.4, 4.5, 4.4, 4.7, 5.3, 6.0, 7.2, 8.3, 8.8, 7.6, 4.9,
)  # fmt: skip
_HOURS_OFFICE: Final = (
    0.1, 0.05, 0.05, 0.05, 0.05, 0.1, 0.6, 2.5, 6.0, 7.0, 7.0, 6.0,
    3.0, 2.5, 5.5, 6.5, 6.0, 4.0, 1.5, 1.0, 1.0, 0.6, 0.3, 0.2,
)  # fmt: skip
_UTC_OFFSET_HOURS: Final = 7
_WEEKDAY_W: Final = (0.97, 0.96, 0.98, 1.0, 1.04, 1.08, 1.06)
_HOUR_US: Final = 3_600_000_000
_DAY_US: Final = 24 * _HOUR_US

# Mostly ZERO WIDTH SPACE; also ZWNJ, WORD JOINER and SOFT HYPHEN, all default-ignorable.
_ZERO_WIDTH: Final = ("\u200b", "\u200b", "\u200b", "\u200b", "\u200c", "\u2060", "\u00ad")
_SEPARATORS: Final = (".", ".", ".", " ", "-", "*", "_")
_LEET: Final[Mapping[str, tuple[str, ...]]] = {
    "a": ("4", "@"),
    "e": ("3",),
    "i": ("1", "!"),
    "o": ("0",),
    "s": ("$", "5"),
    "t": ("7",),
}
# Cyrillic letters that look like Latin ones (written as escapes: they are invisible here).
_HOMOGLYPH: Final[Mapping[str, str]] = {
    "a": "\u0430", "c": "\u0441", "e": "\u0435", "o": "\u043e", "p": "\u0440", "x": "\u0445",
    "y": "\u0443", "i": "\u0456", "s": "\u0455", "j": "\u0458", "h": "\u04bb",
}  # fmt: skip
_VOWELS: Final = frozenset(
    "aeiouyăâêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
)


def _build_fold_table() -> dict[int, str]:
    """Map every precomposed Latin letter to its base letter (đ → d): Vietnamese typed bare."""
    table: dict[int, str] = {ord("đ"): "d", ord("Đ"): "D"}
    for cp in (*range(0xC0, 0x250), *range(0x1E00, 0x1F00)):
        base = "".join(
            c for c in unicodedata.normalize("NFD", chr(cp)) if not unicodedata.combining(c)
        )
        if len(base) == 1 and base.isascii() and base != chr(cp):
            table[cp] = base
    return table


_FOLD: Final = _build_fold_table()


def _fold(text: str) -> str:
    """Drop Vietnamese diacritics the way people do when typing without an IME."""
    return text.translate(_FOLD)


# --------------------------------------------------------------------------------------------
# Templates.
# --------------------------------------------------------------------------------------------

_SLOT = re.compile(r"\{(!?)([a-z_]+|#\d+-\d+|~\d+)\}")


@dataclass(frozen=True)
class _Template:
    """A text with slots, ready for ``str.format``.

    ``slots`` are vocabulary names, ``#lo-hi`` (an integer), ``~n`` (n random letters and
    digits) or ``handle`` (an account); ``term`` is the position of the evadable slot, or -1.
    """

    fmt: str
    slots: tuple[str, ...]
    term: int


def _compile(text: str) -> _Template:
    """Turn ``"Ăn {food_vi} hết {price_vi}"`` into a format string and its slots."""
    slots: list[str] = []
    term = -1

    def repl(match: re.Match[str]) -> str:
        nonlocal term
        if match.group(1) and term < 0:
            term = len(slots)
        slots.append(match.group(2))
        return "{}"

    fmt = _SLOT.sub(repl, unicodedata.normalize("NFC", text))
    return _Template(fmt, tuple(slots), term)


def _vocab_array(words: Sequence[str]) -> ObjArray:
    return np.array([unicodedata.normalize("NFC", w) for w in words], dtype=object)


# Vocabularies that themselves hold slots (hoaxes name banks and cities) are expanded lazily:
# their entries are rendered as sub-templates.
_VOCAB: Final[dict[str, ObjArray]] = {name: _vocab_array(words) for name, words in _V.items()}
_NESTED: Final[dict[str, tuple[_Template, ...]]] = {
    name: tuple(_compile(w) for w in words)
    for name, words in _V.items()
    if any(_SLOT.search(w) for w in words)
}
_ALNUM_TEXT: Final = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
_ALNUM: Final = np.array(list(_ALNUM_TEXT))


@dataclass(frozen=True)
class _TemplateSet:
    """A flat list of templates with selection probabilities and the topic of each."""

    templates: tuple[_Template, ...]
    probs: npt.NDArray[np.float64]
    topic: npt.NDArray[np.int64]
    titles: tuple[tuple[_Template, ...], ...]


def _template_set(topics: Mapping[str, _Topic]) -> _TemplateSet:
    templates: list[_Template] = []
    weights: list[float] = []
    topic_of: list[int] = []
    titles: list[tuple[_Template, ...]] = []
    for k, (weight, bodies, heads) in enumerate(topics.values()):
        for body in bodies:
            templates.append(_compile(body))
            weights.append(weight / len(bodies))
            topic_of.append(k)
        titles.append(tuple(_compile(h) for h in heads))
    probs = np.asarray(weights, dtype=np.float64)
    return _TemplateSet(
        tuple(templates), probs / probs.sum(), np.asarray(topic_of, dtype=np.int64), tuple(titles)
    )


# Index: language (0 vi, 1 en) x audience (0 people, 1 state pages).
_CLEAN_SETS: Final = (
    (_template_set(_VI_USER), _template_set(_VI_AGENCY)),
    (_template_set(_EN_USER), _template_set(_EN_AGENCY)),
)
_VIOLATING_T: Final = tuple(
    tuple(tuple(_compile(t) for t in _VIOLATING[clause][lang]) for lang in LANGS)
    for clause in CLAUSES
)
_VIOLATING_TITLES_T: Final = tuple(
    tuple(tuple(_compile(t) for t in heads) for heads in _VIOLATING_TITLES[c]) for c in CLAUSES
)


def _fill_column(
    slot: str, n: int, rng: np.random.Generator, handles: ObjArray
) -> npt.NDArray[Any]:
    """Draw ``n`` fillers for one slot, vectorised."""
    if slot[0] == "#":
        lo, hi = (int(x) for x in slot[1:].split("-"))
        return rng.integers(lo, hi + 1, size=n).astype(str)
    if slot[0] == "~":
        letters = _ALNUM[rng.integers(0, len(_ALNUM), size=(n, int(slot[1:])))]
        return np.array(["".join(row) for row in letters], dtype=object)
    if slot == "handle":
        return handles[rng.integers(0, len(handles), size=n)]
    nested = _NESTED.get(slot)
    if nested is not None:
        choice = rng.integers(0, len(nested), size=n)
        out = np.empty(n, dtype=object)
        for k, template in enumerate(nested):
            where = np.flatnonzero(choice == k)
            if len(where):
                out[where] = _render_group(template, len(where), rng, handles)
        return out
    vocab = _VOCAB[slot]
    return vocab[rng.integers(0, len(vocab), size=n)]


def _render_group(
    template: _Template, n: int, rng: np.random.Generator, handles: ObjArray
) -> list[str]:
    """Render ``n`` copies of one template with independently drawn fillers."""
    if not template.slots:
        return [template.fmt] * n
    columns = [_fill_column(slot, n, rng, handles) for slot in template.slots]
    return list(map(template.fmt.format, *columns))


def _render(
    templates: Sequence[_Template],
    choice: IntArray,
    rng: np.random.Generator,
    handles: ObjArray,
) -> ObjArray:
    """Render ``templates[choice[i]]`` for every ``i``, grouping posts by template.

    Grouping makes the per-post work one ``str.format`` call: the fillers of a template's
    slots are drawn for all its posts at once.
    """
    out = np.empty(len(choice), dtype=object)
    if len(choice) == 0:
        return out
    order = np.argsort(choice, kind="stable")
    counts = np.bincount(choice, minlength=len(templates))
    start = 0
    for k, count in enumerate(counts.tolist()):
        if count:
            where = order[start : start + count]
            out[where] = _render_group(templates[k], count, rng, handles)
            start += count
    return out


# --------------------------------------------------------------------------------------------
# Evasions of one term. Each returns None when the technique does not apply to the term.
# --------------------------------------------------------------------------------------------


# The word of a term that carries the offence; evasions disguise that one ("địt mẹ" -> "đ1t mẹ").
_CORE_WORDS: Final = frozenset(
    " ".join(
        (
            "địt đụ đéo đếch kiếp lồn lồng đái cứt cặc buồi ngu chó dạy tàn điên rác súc khốn lợn",
            "hãm dày kỳ parky khựa tàu đê giết chém đánh xử độ cược xỉu hũ cá đề xiên cỏ sa cười",
            "súng dao pháo vay nóng đen họ sinh cân trộn fuck fucking shit bullshit motherfucker",
            "idiot moron dumbass retard loser clown asshole bitch beat burn",
        )
    ).split()
)


def _key_word(words: Sequence[str]) -> int:
    """Index of the word that carries the offence: a known core word, else the longest."""
    for i, w in enumerate(words):
        if w.lower() in _CORE_WORDS:
            return i
    return max(range(len(words)), key=lambda i: len(words[i]))


def _ev_teencode(term: str, r: random.Random) -> str | None:
    forms = _TEENCODE.get(term)
    return r.choice(forms) if forms else None


def _ev_separators(term: str, r: random.Random) -> str | None:
    words = term.split(" ")
    k = _key_word(words)
    if len(words[k]) < 2 or not words[k].isalpha():
        return None
    sep = r.choice(_SEPARATORS)
    if sep == " ":
        # Spaced-out letters are only read as a word (and only undone by the skeleton view)
        # from three letters up; shorter words get dots instead.
        if len(words[k]) >= 3:
            words[k] = " ".join(words[k])
            return " ".join(words)
        sep = "."
    if r.random() < 0.5:
        return " ".join(sep.join(w) if len(w) > 1 and w.isalpha() else w for w in words)
    words[k] = sep.join(words[k])
    return " ".join(words)


def _ev_zero_width(term: str, r: random.Random) -> str | None:
    words = term.split(" ")
    k = _key_word(words)
    w = words[k]
    if len(w) < 2:
        return None
    cuts = sorted(r.sample(range(1, len(w)), min(len(w) - 1, r.choice((1, 1, 2)))))
    z = r.choice(_ZERO_WIDTH)
    words[k] = z.join(w[a:b] for a, b in zip((0, *cuts), (*cuts, len(w)), strict=True))
    return " ".join(words)


def _ev_repeat(term: str, r: random.Random) -> str | None:
    words = term.split(" ")
    k = _key_word(words)
    w = words[k]
    vowels = [i for i, c in enumerate(w) if c.lower() in _VOWELS]
    i = vowels[-1] if vowels and r.random() < 0.6 else len(w) - 1
    if not w[i].isalpha():
        return None
    words[k] = w[: i + 1] + w[i] * r.randint(2, 5) + w[i + 1 :]
    return " ".join(words)


def _ev_leet(term: str, r: random.Random) -> str | None:
    # People who write leetspeak do not type tones: the word is folded first.
    words = _fold(term).split(" ")
    k = _key_word(term.split(" "))
    chars = list(words[k])
    # Inside the word only (after a letter): "sh1t", "a$$", never a leading digit.
    spots = [i for i in range(1, len(chars)) if chars[i] in _LEET and chars[i - 1].isalpha()]
    if not spots:
        return None
    for i in sorted(r.sample(spots, min(len(spots), r.choice((1, 1, 2))))):
        original = chars[i]
        if original not in _LEET:
            continue
        chars[i] = r.choice(_LEET[original])
        if i + 1 < len(chars) and chars[i + 1] == original:
            chars[i + 1] = chars[i]
    words[k] = "".join(chars)
    return " ".join(words)


def _ev_homoglyph(term: str, r: random.Random) -> str | None:
    words = term.split(" ")
    k = _key_word(words)
    chars = list(words[k])
    spots = [i for i, c in enumerate(chars) if c in _HOMOGLYPH]
    if not spots:
        # A Vietnamese word with marks on every vowel: typed bare, then spoofed ("lon", Cyrillic o).
        chars = list(_fold(words[k]))
        spots = [i for i, c in enumerate(chars) if c in _HOMOGLYPH]
    if not spots:
        return None
    for i in r.sample(spots, min(len(spots), r.choice((1, 1, 2)))):
        chars[i] = _HOMOGLYPH[chars[i]]
    words[k] = "".join(chars)
    return " ".join(words)


def _ev_fold(term: str, r: random.Random) -> str | None:
    folded = _fold(term)
    return folded if folded != term else None


_TERM_EVASIONS: Final = {
    "diacritics": _ev_fold,
    "teencode": _ev_teencode,
    "separators": _ev_separators,
    "repeat": _ev_repeat,
    "zero_width": _ev_zero_width,
    "leet": _ev_leet,
    "homoglyph": _ev_homoglyph,
}
_EVASION_INDEX: Final = {name: i for i, name in enumerate(EVASIONS)}


# --------------------------------------------------------------------------------------------
# Accounts.
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Accounts:
    """The account table of an archive, one entry per account."""

    ids: ObjArray
    kind: npt.NDArray[np.int8]  # index into ACCOUNT_TYPES
    vi_p: npt.NDArray[np.float64]  # probability that a post is Vietnamese
    activity: npt.NDArray[np.float64]  # probability that a post is theirs
    rate: npt.NDArray[np.float64]  # probability that one of their posts violates
    favourite: npt.NDArray[np.int8]  # clause index they mostly violate, -1 for none
    no_diacritics: BoolArray
    lowercase: BoolArray


def _unique(handle: str, seen: dict[str, int]) -> str:
    """Make a handle unique the way platforms do: append a number."""
    n = seen.get(handle, 0)
    seen[handle] = n + 1
    if n == 0:
        return handle
    candidate = f"{handle}{n + 1}"
    while candidate in seen:
        n += 1
        candidate = f"{handle}{n + 1}"
    seen[candidate] = 1
    return candidate


def _vi_handle(r: random.Random) -> str:
    fam, mid, giv = r.choice(_FAMILY_VI), r.choice(_MIDDLE_VI), r.choice(_GIVEN_VI)
    year = r.choice(("85", "88", "90", "93", "95", "97", "98", "99", "2k", "2k1", "2k3", "2k5"))
    style = r.randrange(8)
    if style == 0:
        return f"{giv}.{fam}"
    if style == 1:
        return f"{fam}{mid}{giv}{year}"
    if style == 2:
        return f"{giv}_{fam}.{year}"
    if style == 3:
        return f"{r.choice(_NICK_VI)}.{giv}"
    if style == 4:
        return f"{giv}.{r.choice(_CITY_TAG)}"
    if style == 5:
        return f"{r.choice(_NICK_VI)}{r.choice(_NICK_VI)}_{r.choice(_CUTE_VI)}"
    if style == 6:
        return f"{fam}.{mid}.{giv}.{r.randint(1, 9999):04d}"
    return f"{giv}{fam}{r.randint(1, 99)}"


def _en_handle(r: random.Random) -> str:
    first, last, word = r.choice(_FIRST_EN), r.choice(_LAST_EN), r.choice(_WORD_EN)
    style = r.randrange(7)
    if style == 0:
        return f"{first}.{last}"
    if style == 1:
        return f"{first}_{last}{r.randint(1, 99)}"
    if style == 2:
        return f"{first}{last[0]}"
    if style == 3:
        return f"{first}in{r.choice(('saigon', 'hanoi', 'danang', 'london', 'nyc'))}"
    if style == 4:
        return f"{first}.{word}"
    if style == 5:
        return f"the.{word}.{first}"
    return f"{r.choice(('sleepy', 'happy', 'little', 'urban', 'lazy'))}_{word}{r.randint(1, 999)}"


def _agency_handle(r: random.Random) -> str:
    pattern = r.choice(_AGENCY_PATTERNS)
    return pattern.format(w=r.choice(_WARD_SLUG), c=r.choice(_CITY_SLUG), v=r.choice(_CITY_VI_SLUG))


def _official_handle(r: random.Random) -> str:
    fam, mid, giv = r.choice(_FAMILY_VI), r.choice(_MIDDLE_VI), r.choice(_GIVEN_VI)
    return f"{fam}.{mid}.{giv}.{r.choice(_OFFICIAL_SUFFIX)}"


def _make_accounts(n: int, seed: int) -> _Accounts:
    """Build the account table; it depends on ``seed`` and ``n`` only."""
    rng = np.random.default_rng([seed, 1])
    r = random.Random(int(rng.integers(2**62)))
    n_agency = max(1, round(n * _SHARE_AGENCY)) if n >= 3 else 0
    n_official = max(1, round(n * _SHARE_OFFICIAL)) if n >= 3 else 0
    kind = np.zeros(n, dtype=np.int8)
    state = rng.permutation(n)[: n_agency + n_official]
    kind[state[:n_agency]] = 2
    kind[state[n_agency:]] = 1
    users = np.flatnonzero(kind == 0)

    vi_speaker = rng.random(n) < _SHARE_VI_USERS
    vi_speaker[kind != 0] = rng.random(int((kind != 0).sum())) < 0.95
    vi_p = np.where(vi_speaker, 0.96, 0.08)
    vi_p[kind != 0] = np.where(vi_speaker[kind != 0], 0.97, 0.2)

    activity = rng.lognormal(0.0, 1.0, size=n)
    activity[kind == 2] *= 3.0

    # Offenders: a few prolific repeat offenders, some occasional ones, a low base rate for
    # everyone; state accounts slip rarely.
    rate = np.full(n, 0.012)
    favourite = np.full(n, -1, dtype=np.int8)
    n_repeat = max(1, round(n * _SHARE_REPEAT)) if len(users) else 0
    shuffled = rng.permutation(users)
    repeat = shuffled[:n_repeat]
    occasional = shuffled[n_repeat : n_repeat + round(n * _SHARE_OCCASIONAL)]
    rate[repeat] = rng.uniform(0.45, 0.9, size=len(repeat))
    activity[repeat] *= 4.0
    favourite[repeat] = rng.choice(
        np.arange(len(CLAUSES), dtype=np.int8),
        size=len(repeat),
        p=(0.14, 0.20, 0.18, 0.22, 0.11, 0.15),
    )
    rate[occasional] = rng.uniform(0.03, 0.15, size=len(occasional))
    favourite[occasional] = rng.choice(
        np.array([0, 2, 3], dtype=np.int8), size=len(occasional), p=(0.2, 0.35, 0.45)
    )
    rate[kind == 1] = 0.012
    rate[kind == 2] = 0.003
    activity /= activity.sum()
    # Scale the users' rates so that the archive hits the target share; state accounts keep
    # their (rare) rates. Repeat offenders saturate at the clip, hence a few rounds.
    is_user = kind == 0
    if is_user.any():
        state_share = float(activity[~is_user] @ rate[~is_user])
        for _ in range(6):
            user_share = float(activity[is_user] @ rate[is_user])
            scale = max(_TARGET_VIOLATING - state_share, 0.0) / user_share
            rate[is_user] = np.clip(rate[is_user] * scale, 0.0, 0.97)

    ids = np.empty(n, dtype=object)
    seen: dict[str, int] = {}
    spam = {int(a): int(favourite[a]) for a in repeat}
    for a in range(n):
        fav = spam.get(a, -1)
        if kind[a] == 2:
            handle = _agency_handle(r)
        elif kind[a] == 1:
            handle = _official_handle(r)
        elif fav >= 0 and CLAUSES[fav] in _SPAM_HANDLES and r.random() < 0.8:
            # Spam and hoax pages name themselves after what they sell.
            handle = f"{r.choice(_SPAM_HANDLES[CLAUSES[fav]])}{r.randint(1, 99)}"
        elif vi_speaker[a] and r.random() < 0.85:
            handle = _vi_handle(r)
        else:
            handle = _en_handle(r)
        ids[a] = _unique(handle, seen)

    # Kept off repeat offenders, whose hundreds of posts would all be labelled "diacritics".
    no_diacritics = (kind == 0) & vi_speaker & (rng.random(n) < _NO_DIACRITICS_USERS)
    no_diacritics[repeat] = False
    lowercase = (kind == 0) & (rng.random(n) < _LOWERCASE_USERS)
    return _Accounts(ids, kind, vi_p, activity, rate, favourite, no_diacritics, lowercase)


# --------------------------------------------------------------------------------------------
# Posts.
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Day:
    """Per-post arrays of one day, in time order."""

    micros: IntArray  # created_at, microseconds since the epoch
    account: IntArray
    lang: npt.NDArray[np.int8]  # 0 vi, 1 en
    clause: npt.NDArray[np.int8]  # index into CLAUSES, -1 for clean


def _hour_probs(local: Sequence[float]) -> npt.NDArray[np.float64]:
    """Hour-of-day probabilities indexed by UTC hour, from weights in local time."""
    weights = np.asarray(local, dtype=np.float64)
    utc: npt.NDArray[np.float64] = np.roll(weights, -_UTC_OFFSET_HOURS)  # utc[h] = local[h+7]
    return utc / float(utc.sum())


_HOURS_P: Final = (_hour_probs(_HOURS_USER), _hour_probs(_HOURS_OFFICE))


def _plan_day(n: int, day_start_us: int, accounts: _Accounts, rng: np.random.Generator) -> _Day:
    account = rng.choice(len(accounts.ids), size=n, p=accounts.activity)
    office = accounts.kind[account] == 2
    hours = np.where(
        office,
        rng.choice(24, size=n, p=_HOURS_P[1]),
        rng.choice(24, size=n, p=_HOURS_P[0]),
    )
    micros = day_start_us + hours * _HOUR_US + rng.integers(0, _HOUR_US, size=n)
    order = np.argsort(micros, kind="stable")
    micros, account = micros[order], account[order]

    lang = (rng.random(n) >= accounts.vi_p[account]).astype(np.int8)
    violating = rng.random(n) < accounts.rate[account]
    kind = accounts.kind[account]
    clause = np.full(n, -1, dtype=np.int8)
    for k, probs in _CLAUSE_P.items():
        rows = np.flatnonzero(violating & (kind == k))
        clause[rows] = rng.choice(len(CLAUSES), size=len(rows), p=probs)
    favourite = accounts.favourite[account]
    keep = violating & (favourite >= 0) & (rng.random(n) < _FAVOURITE_CLAUSE_P)
    clause[keep] = favourite[keep]
    return _Day(micros, account, lang, clause)


@dataclass
class _Block:
    """Texts and labels of a run of posts."""

    title: ObjArray
    text: ObjArray
    evasion: npt.NDArray[np.int8]


def _clean_posts(
    rows: IntArray,
    lang: npt.NDArray[np.int8],
    account: IntArray,
    accounts: _Accounts,
    block: _Block,
    rng: np.random.Generator,
) -> None:
    """Write the clean posts of ``rows`` into ``block``."""
    kind = accounts.kind[account[rows]]
    state_voice = np.where(kind == 2, 0.85, np.where(kind == 1, 0.3, 0.0))
    audience = (rng.random(len(rows)) < state_voice).astype(np.int8)
    titled = rng.random(len(rows)) < np.asarray(_TITLE_P)[kind]
    for lg in (0, 1):
        for au in (0, 1):
            sel = np.flatnonzero((lang[rows] == lg) & (audience == au))
            if not len(sel):
                continue
            ts = _CLEAN_SETS[lg][au]
            choice = rng.choice(len(ts.templates), size=len(sel), p=ts.probs)
            body = _render(ts.templates, choice, rng, accounts.ids)
            if au == 0:
                lower = np.flatnonzero(accounts.lowercase[account[rows[sel]]])
                body[lower] = [s.lower() for s in body[lower]]
                body = _decorate(body, lg, rng, accounts.ids)
            block.text[rows[sel]] = body
            with_title = np.flatnonzero(titled[sel])
            topic = ts.topic[choice[with_title]]
            for t, heads in enumerate(ts.titles):
                pick = with_title[topic == t]
                if len(pick) and heads:
                    which = rng.integers(0, len(heads), size=len(pick))
                    block.title[rows[sel[pick]]] = _render(heads, which, rng, accounts.ids)


_DECOR_P: Final = {"lead": 0.10, "mention": 0.07, "tail": 0.28, "emoji": 0.42, "tags": 0.17}


def _decorate(body: ObjArray, lang: int, rng: np.random.Generator, handles: ObjArray) -> ObjArray:
    """Add what people wrap around a sentence: a lead-in, @mentions, emoji, hashtags."""
    n = len(body)
    suffix = "vi" if lang == 0 else "en"

    def piece(p: float, vocab: ObjArray, before: str = "", after: str = "") -> ObjArray:
        out = np.full(n, "", dtype=object)
        where = np.flatnonzero(rng.random(n) < p)
        if len(where):
            words = vocab[rng.integers(0, len(vocab), size=len(where))]
            out[where] = [before + w + after for w in words] if before or after else words
        return out

    lead = piece(_DECOR_P["lead"], _VOCAB[f"lead_{suffix}"])
    mention = piece(_DECOR_P["mention"], handles, "@", " ")
    tail = piece(_DECOR_P["tail"], _VOCAB[f"tail_{suffix}"])
    # A follow-up sentence needs the first one closed.
    open_end = np.flatnonzero(tail != "")
    body = body.copy()
    body[open_end] = [
        b if b[-1] in ".!?)…" or not b[-1].isalnum() else b + "." for b in body[open_end]
    ]
    emoji = piece(_DECOR_P["emoji"], _VOCAB["emoji"], " ")
    tags = piece(_DECOR_P["tags"], _VOCAB[f"tags_{suffix}"], " ")
    rows = zip(mention, lead, body, tail, emoji, tags, strict=True)
    return np.array(list(map("".join, rows)), dtype=object)


def _violating_posts(
    rows: IntArray,
    day: _Day,
    accounts: _Accounts,
    block: _Block,
    rng: np.random.Generator,
) -> None:
    """Write the violating posts of ``rows`` into ``block``, with their evasions."""
    r = random.Random(int(rng.integers(2**62)))
    handles = accounts.ids
    for row in rows.tolist():
        c = int(day.clause[row])
        lg = int(day.lang[row])
        acct = int(day.account[row])
        lang = LANGS[lg]
        template = r.choice(_VIOLATING_T[c][lg])
        args = [_fill_one(slot, r, handles) for slot in template.slots]
        evasion = -1
        post_level = ""
        if accounts.no_diacritics[acct] and lg == 0:
            evasion, post_level = _EVASION_INDEX["diacritics"], "fold"
        elif r.random() < _EVADE_P[c]:
            kinds = list(EVASIONS)
            weights = list(_EVASION_W[lang])
            while evasion < 0 and any(weights):
                name = r.choices(kinds, weights)[0]
                weights[kinds.index(name)] = 0.0
                if name == "nfd":
                    evasion, post_level = _EVASION_INDEX[name], "nfd"
                elif name == "diacritics" and (template.term < 0 or r.random() < 0.6):
                    evasion, post_level = _EVASION_INDEX[name], "fold"
                elif template.term >= 0:
                    disguised = _TERM_EVASIONS[name](args[template.term], r)
                    if disguised is not None and disguised != args[template.term]:
                        args[template.term] = disguised
                        evasion = _EVASION_INDEX[name]
        text = template.fmt.format(*args)
        if r.random() < 0.05:
            text = text.upper()
        if r.random() < 0.3:
            text += " " + r.choice(_V[_CLAUSE_EMOJI[c]])
        if post_level == "fold":
            text = _fold(text)
        elif post_level == "nfd":
            text = unicodedata.normalize("NFD", text)
        block.text[row] = text
        block.evasion[row] = evasion
        if r.random() < _VIOLATING_TITLE_P[c]:
            block.title[row] = _fill_template(r.choice(_VIOLATING_TITLES_T[c][lg]), r, handles)


def _fill_one(slot: str, r: random.Random, handles: ObjArray) -> str:
    """Draw one filler (the scalar twin of :func:`_fill_column`)."""
    if slot[0] == "#":
        lo, hi = (int(x) for x in slot[1:].split("-"))
        return str(r.randint(lo, hi))
    if slot[0] == "~":
        return "".join(r.choices(_ALNUM_TEXT, k=int(slot[1:])))
    if slot == "handle":
        return str(handles[r.randrange(len(handles))])
    nested = _NESTED.get(slot)
    if nested is not None:
        return _fill_template(r.choice(nested), r, handles)
    words = _VOCAB[slot]
    return str(words[r.randrange(len(words))])


def _fill_template(template: _Template, r: random.Random, handles: ObjArray) -> str:
    return template.fmt.format(*(_fill_one(s, r, handles) for s in template.slots))


def _make_block(
    lo: int,
    hi: int,
    day: _Day,
    accounts: _Accounts,
    rng: np.random.Generator,
) -> _Block:
    n = hi - lo
    block = _Block(
        title=np.full(n, None, dtype=object),
        text=np.empty(n, dtype=object),
        evasion=np.full(n, -1, dtype=np.int8),
    )
    sub = _Day(day.micros[lo:hi], day.account[lo:hi], day.lang[lo:hi], day.clause[lo:hi])
    clean = np.flatnonzero(sub.clause < 0)
    _clean_posts(clean, sub.lang, sub.account, accounts, block, rng)

    # Users who type without diacritics do so in every post; some posts arrive decomposed
    # (macOS and VNI keyboards) whatever they say.
    vi_clean = clean[sub.lang[clean] == 0]
    bare = vi_clean[accounts.no_diacritics[sub.account[vi_clean]]]
    block.text[bare] = [_fold(s) for s in block.text[bare]]
    nfd = vi_clean[
        (rng.random(len(vi_clean)) < _NFD_CLEAN_P) & ~accounts.no_diacritics[sub.account[vi_clean]]
    ]
    block.text[nfd] = [unicodedata.normalize("NFD", s) for s in block.text[nfd]]

    _violating_posts(np.flatnonzero(sub.clause >= 0), sub, accounts, block, rng)
    return block


# --------------------------------------------------------------------------------------------
# Archive.
# --------------------------------------------------------------------------------------------


def _day_counts(posts: int, days: int, start: datetime.date, seed: int) -> list[int]:
    """Split ``posts`` over the days: weekends are a little busier, every day a little noisy."""
    rng = np.random.default_rng([seed, 2])
    weights = np.array(
        [_WEEKDAY_W[(start + datetime.timedelta(days=d)).weekday()] for d in range(days)]
    ) * rng.uniform(0.95, 1.05, size=days)
    return [int(x) for x in rng.multinomial(posts, weights / weights.sum())]


_CLAUSES_ARROW: Final = pa.array(CLAUSES, pa.string())
_EVASIONS_ARROW: Final = pa.array(EVASIONS, pa.string())
_LANGS_ARROW: Final = pa.array(LANGS, pa.string())
_ACCOUNT_TYPES_ARROW: Final = pa.array(ACCOUNT_TYPES, pa.string())
# Low-cardinality columns; post ids, times and texts are unique and gain nothing from it.
_DICTIONARY_COLUMNS: Final = ["account_id", "account_type", "expected_clause", "evasion", "lang"]


@dataclass(frozen=True)
class _ArrowAccounts:
    """The account table as Arrow arrays, so a block's columns are a ``take`` away."""

    ids: pa.Array
    types: pa.Array


def _table(
    first_id: int,
    width: int,
    day: _Day,
    lo: int,
    hi: int,
    block: _Block,
    accounts: _ArrowAccounts,
    schema: pa.Schema,
) -> pa.Table:
    account = pa.array(day.account[lo:hi])
    columns: list[pa.Array] = [
        pa.array([f"p{i:0{width}d}" for i in range(first_id + lo, first_id + hi)], pa.string()),
        accounts.ids.take(account),
        accounts.types.take(account),
        pa.array(day.micros[lo:hi], pa.timestamp("us", tz="UTC")),
        pa.array(block.title, pa.string()),
        pa.array(block.text, pa.string()),
    ]
    if len(schema) > len(columns):
        clause = day.clause[lo:hi]
        columns += [
            _CLAUSES_ARROW.take(pa.array(clause, mask=clause < 0)),
            _EVASIONS_ARROW.take(pa.array(block.evasion, mask=block.evasion < 0)),
            _LANGS_ARROW.take(pa.array(day.lang[lo:hi])),
        ]
    return pa.Table.from_arrays(columns, schema=schema)


def _day_tables(
    seed: int,
    day_index: int,
    first_id: int,
    width: int,
    day: _Day,
    accounts: _Accounts,
    arrow_accounts: _ArrowAccounts,
    schema: pa.Schema,
) -> Iterator[pa.Table]:
    """Yield one day's posts block by block.

    Blocks have a fixed size and their own random stream, so the rows do not depend on how
    they are later cut into files.
    """
    n = len(day.micros)
    for b, lo in enumerate(range(0, n, _BLOCK)):
        hi = min(n, lo + _BLOCK)
        rng = np.random.default_rng([seed, 4, day_index, b])
        block = _make_block(lo, hi, day, accounts, rng)
        yield _table(first_id, width, day, lo, hi, block, arrow_accounts, schema)


def _clear_previous(root: Path) -> None:
    """Remove an earlier demo archive at ``root``; refuse if anything else lives there."""
    if not root.exists():
        return
    if not root.is_dir():
        raise InputError(f"{root}: exists and is not a directory")
    partition = re.compile(r"date=\d{4}-\d{2}-\d{2}")
    part = re.compile(r"part-\d{4,}\.parquet")
    for entry in root.iterdir():
        if not (entry.is_dir() and partition.fullmatch(entry.name)):
            raise InputError(f"{root}: not a demo archive ({entry.name}); not overwriting")
        for f in entry.iterdir():
            if not part.fullmatch(f.name):
                raise InputError(f"{f}: not written by the demo generator; not overwriting")
    for entry in root.iterdir():
        shutil.rmtree(entry)


def generate_archive(
    path: str | Path,
    *,
    posts: int = 20_000,
    days: int = 5,
    accounts: int = 3_000,
    seed: int = 2021,
    start: datetime.date = datetime.date(2026, 11, 25),
    with_labels: bool = False,
    rows_per_file: int = 50_000,
) -> ArchiveSummary:
    """Write a seeded sample archive of social-network posts as hive-partitioned Parquet.

    The archive holds ``path/date=YYYY-MM-DD/part-NNNN.parquet`` (zstd), one partition per day
    from ``start`` (UTC days; the daily rhythm follows Vietnam's time, UTC+7), each day cut
    into files of at most ``rows_per_file`` rows. Rows are in time order; ``post_id`` follows
    it across the whole archive. The same arguments give byte-identical files, and the rows do
    not depend on ``rows_per_file``.

    Parameters
    ----------
    path : str or Path
        Directory to write. An earlier archive written here by this function is replaced; a
        directory holding anything else is refused.
    posts : int
        Number of posts, spread over the days (weekends a little busier).
    days : int
        Number of day partitions, at least 1. A day without posts gets an empty file.
    accounts : int
        Number of accounts that may post (about 2% state accounts: officials and agencies).
    seed : int
        Seed of every random choice; account ids depend on ``seed`` and ``accounts`` only.
    start : datetime.date
        The first day.
    with_labels : bool
        Add the ground-truth columns ``expected_clause``, ``evasion`` and ``lang``.
    rows_per_file : int
        Maximum rows per Parquet file; a bigger day is split into several files of equal size.

    Returns
    -------
    ArchiveSummary
        What was written.

    Raises
    ------
    ValueError
        If an argument is out of range.
    conduct_scan.InputError
        If ``path`` exists and holds something other than an earlier demo archive.

    Examples
    --------
    >>> summary = generate_archive("/tmp/demo-archive", posts=1_000, with_labels=True)
    >>> summary.posts, summary.days
    (1000, 5)
    """
    if posts < 0:
        raise ValueError(f"posts must be >= 0, not {posts}")
    if days < 1:
        raise ValueError(f"days must be >= 1, not {days}")
    if accounts < 1:
        raise ValueError(f"accounts must be >= 1, not {accounts}")
    if rows_per_file < 1:
        raise ValueError(f"rows_per_file must be >= 1, not {rows_per_file}")
    root = Path(path)
    _clear_previous(root)
    root.mkdir(parents=True, exist_ok=True)

    table_of = _make_accounts(accounts, seed)
    arrow_accounts = _ArrowAccounts(
        ids=pa.array(table_of.ids, pa.string()),
        types=_ACCOUNT_TYPES_ARROW.take(pa.array(table_of.kind.astype(np.int64))),
    )
    schema = archive_schema(with_labels=with_labels)
    dictionary = [c for c in _DICTIONARY_COLUMNS if c in schema.names]
    width = max(7, len(str(posts)))
    epoch = datetime.date(1970, 1, 1)

    first_id = 1
    files = 0
    text_bytes = 0
    violating = 0
    posted = np.zeros(accounts, dtype=np.bool_)
    for d, n in enumerate(_day_counts(posts, days, start, seed)):
        date = start + datetime.timedelta(days=d)
        day = _plan_day(
            n, (date - epoch).days * _DAY_US, table_of, np.random.default_rng([seed, 3, d])
        )
        posted[day.account] = True
        violating += int((day.clause >= 0).sum())
        folder = root / f"date={date.isoformat()}"
        folder.mkdir()
        n_files = max(1, math.ceil(n / rows_per_file))
        bounds = [n * k // n_files for k in range(n_files + 1)]
        blocks = _day_tables(seed, d, first_id, width, day, table_of, arrow_accounts, schema)
        blocks = plant_campaigns(blocks, d, days, seed)  # demo_campaigns.py
        pending: list[pa.Table] = []
        buffered = 0
        for f in range(n_files):
            need = bounds[f + 1] - bounds[f]
            while buffered < need:
                pending.append(next(blocks))
                buffered += pending[-1].num_rows
            joined = pa.concat_tables(pending) if pending else schema.empty_table()
            table, rest = joined.slice(0, need), joined.slice(need)
            pending, buffered = ([rest] if rest.num_rows else []), rest.num_rows
            text_bytes += int(pc.sum(pc.binary_length(table["text"])).as_py() or 0)
            pq.write_table(
                table,
                folder / f"part-{f:04d}.parquet",
                compression="zstd",
                use_dictionary=dictionary,
            )
            files += 1
        first_id += n
    return ArchiveSummary(
        path=root,
        files=files,
        posts=posts,
        accounts=int(posted.sum()),
        days=days,
        bytes_of_text=text_bytes,
        violating_posts=violating,
    )
