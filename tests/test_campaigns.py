"""Copy-paste campaigns: clusters, windows, decoys, signals, report section (issue 16)."""

from __future__ import annotations

import datetime as dt
import random
import subprocess
import sys
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conduct_scan._core import DocFrequency, components, minhash_bands, pair_jaccard
from conduct_scan.campaigns import find_campaigns, lookalike_domain
from conduct_scan.demo_campaigns import copy_of
from conduct_scan.errors import InputError
from conduct_scan.pipeline import scan_archive
from conduct_scan.report import write_report

T0 = dt.datetime(2026, 11, 25, tzinfo=dt.timezone.utc)
WORDS = (  # noqa: SIM905
    "nhà cửa sông núi trời mây xe đạp phố chợ cơm canh cá thịt bạn bè học hành công "
    "việc sáng chiều tối mưa nắng gió lạnh vui buồn hát múa đọc viết chơi"
).split()

RUMOUR = ("Nhà máy nước sông Đuống bị nhiễm độc nặng, cả khu vực không được dùng nước máy để "
          "nấu ăn trong ba ngày tới, chia sẻ trước khi bị xóa")  # fmt: skip
LOOKALIKE = ("Ngân hàng nhà nước sẽ đổi tiền mới từ tháng sau, tiền cũ hết giá trị sau ngày "
             "mười lăm, xem tại https://vnexpress-tintuc.com/doi-tien")  # fmt: skip
LYRICS = ("Tình bằng có cái trống cơm, khen ai khéo vỗ ố mấy bông mà nên bông, một bầy tang "
          "tình con sít, lội sông ố mấy đi tìm")  # fmt: skip
SPREAD = ("Cuối tuần này câu lạc bộ xe đạp tổ chức chuyến đi dọc bờ sông, ai muốn tham gia thì "
          "đăng ký trước thứ sáu nhé")  # fmt: skip
FEW = ("Quán phở đầu ngõ hôm nay giảm giá một nửa cho học sinh sinh viên, ai đi qua thì ghé "
       "ăn thử cho vui nhé")  # fmt: skip
GREETING = "Chúc mừng năm mới an khang thịnh vượng vạn sự như ý"


def _archive(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    r = random.Random(16)
    rows: list[dict[str, object]] = []
    label: dict[str, str] = {}

    def post(text: str, account: str, when: dt.datetime, tag: str | None = None) -> None:
        pid = f"p{len(rows)}"
        rows.append({"post_id": pid, "account_id": account, "created_at": when, "text": text})
        if tag:
            label[pid] = tag

    for _ in range(3000):
        text = " ".join(r.choice(WORDS) for _ in range(r.randrange(6, 20)))
        post(text, f"u{r.randrange(500)}", T0 + dt.timedelta(minutes=r.randrange(4000)))
    for tag, text, accounts, hours in (("rumour", RUMOUR, 9, 4), ("lookalike", LOOKALIKE, 7, 8),
                                       ("lyrics", LYRICS, 12, 10)):  # fmt: skip
        for a in r.sample(range(500), accounts):
            post(
                copy_of(text, r), f"u{a}", T0 + dt.timedelta(minutes=r.uniform(0, hours * 60)), tag
            )
    # Six accounts, 30 hours apart: never five within 24 hours.
    for k, a in enumerate(r.sample(range(500), 6)):
        post(copy_of(SPREAD, r), f"u{a}", T0 + dt.timedelta(hours=30 * k), "spread")
    # Four accounts within an hour: fewer than five.
    for a in r.sample(range(500), 4):
        post(copy_of(FEW, r), f"x{a}", T0, "few")
    for a in range(400):
        post(GREETING, f"g{a}", T0 + dt.timedelta(minutes=a), "greeting")
    path = tmp_path / "archive"
    path.mkdir()
    table = pa.Table.from_pylist(rows)
    pq.write_table(table.slice(0, 2000), path / "a.parquet")
    pq.write_table(table.slice(2000), path / "b.parquet")
    return path, label


def test_planted_campaigns_are_found_and_raised_decoys_are_not(tmp_path: Path) -> None:
    archive, label = _archive(tmp_path)
    out = tmp_path / "out"
    scan_archive([archive], out)
    summary = find_campaigns(out, threads=2)
    assert summary.posts == 3000 + 9 + 7 + 12 + 6 + 4 + 400
    clusters = pl.read_parquet(out / "campaigns" / "clusters.parquet")
    by_tag = {}
    for c in clusters.to_dicts():
        tags = {label.get(m["post_id"]) for m in c["members"]}
        assert len(tags) == 1, tags
        by_tag[tags.pop()] = c
    assert set(by_tag) == {"rumour", "lookalike", "lyrics"}
    assert by_tag["rumour"]["clause_id"] == "4.6d"
    assert by_tag["rumour"]["signals"] == ["rule:vi.misinfo.hoax-phrasing"]
    assert by_tag["lookalike"]["clause_id"] == "4.4"
    assert by_tag["lookalike"]["signals"] == ["lookalike:vnexpress-tintuc.com"]
    assert by_tag["lyrics"]["clause_id"] is None and by_tag["lyrics"]["signals"] == []
    assert by_tag["rumour"]["size"] == 9 and by_tag["rumour"]["accounts"] == 9
    assert by_tag["lyrics"]["window_accounts"] == 12
    assert by_tag["lyrics"]["size"] == 12
    members = pl.read_parquet(out / "campaigns" / "members.parquet")
    assert members.height == 9 + 7 + 12
    assert members["similarity"].min() >= 0.5
    assert (
        members.filter(pl.col("cluster_id") == by_tag["rumour"]["cluster_id"])[
            "account_id"
        ].n_unique()
        == 9
    )
    # The report shows the section with its timeline chart.
    report = write_report(out, formats=("html", "md"))
    html = (report / "report.html").read_text("utf-8")
    section = html[html.index('<section id="coordinated-copies">') :]
    assert "<h2>Coordinated copies</h2>" in section and "<svg" in section
    assert "vnexpress-tintuc.com" in section
    assert "## Coordinated copies" in (report / "report.md").read_text("utf-8")


def test_options_change_what_counts(tmp_path: Path) -> None:
    archive, label = _archive(tmp_path)
    out = tmp_path / "out"
    scan_archive([archive], out)
    from conduct_scan.campaigns import CampaignOptions

    # A week-long window takes in the spread copies; four accounts are enough for the few.
    find_campaigns(out, options=CampaignOptions(window_hours=160, min_accounts=4))
    clusters = pl.read_parquet(out / "campaigns" / "clusters.parquet")
    tags = {label.get(c["members"][0]["post_id"]) for c in clusters.to_dicts()}
    assert {"spread", "few"} <= tags
    # Without the document-frequency cut and the minimum length the greeting is a cluster too.
    find_campaigns(out, options=CampaignOptions(min_df_posts=10_000, min_words=3))
    clusters = pl.read_parquet(out / "campaigns" / "clusters.parquet")
    tags = {label.get(c["members"][0]["post_id"]) for c in clusters.to_dicts()}
    assert "greeting" in tags


def test_lookalike_domains() -> None:
    official = ["vnexpress.net", "tuoitre.vn", "gov.vn", "vtv.vn"]
    assert lookalike_domain("vnexpress.net", official) is None
    assert lookalike_domain("e.vnexpress.net", official) is None
    assert lookalike_domain("moh.gov.vn", official) is None
    assert lookalike_domain("vnexpres.net", official) == "vnexpress.net"
    assert lookalike_domain("tuoitre24h.com", official) == "tuoitre.vn"
    assert lookalike_domain("www.vnexpress-news.info", official) == "vnexpress.net"
    assert lookalike_domain("example.com", official) is None
    assert lookalike_domain("vtv.com", official) is None  # three letters: too short to judge


def test_native_helpers() -> None:
    labels = components(6, pa.array([0, 4, 2], pa.int64()), pa.array([1, 5, 4], pa.int64()))
    assert labels.column("label").to_pylist() == [0, 0, 2, 3, 2, 2]
    with pytest.raises(ValueError, match="non-negative"):
        components(2, pa.array([-1], pa.int64()), pa.array([0], pa.int64()))
    assert pair_jaccard(["a b c d"], ["A B C D"]) == [1.0]
    texts = [RUMOUR, copy_of(RUMOUR, random.Random(1)), LYRICS, "ngắn thôi", None]
    bands = minhash_bands(texts)
    assert sorted(set(bands.column("row").to_pylist())) == [0, 1, 2]
    assert bands.num_rows == 3 * 16
    df = DocFrequency(16)
    df.add(texts)
    assert df.posts == 4
    # With a cut at one post, the two copies of the rumour lose the pairs they share.
    cut = minhash_bands(texts, df, max_df=1)
    assert 0 not in cut.column("row").to_pylist()


def test_campaigns_cli_and_audit_step(tmp_path: Path) -> None:
    archive, _ = _archive(tmp_path)
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-m", "conduct_scan", "audit", str(archive), "--out",
                           str(out), "--format", "html"], capture_output=True, text=True,
                          check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "campaigns: 3 clusters of copies by >= 5 accounts within 24 h" in done.stderr
    assert "(1 under 4.4, 1 under 4.6d)" in done.stderr
    done = subprocess.run([sys.executable, "-m", "conduct_scan", "campaigns", str(out),
                           "--min-accounts", "50", "-q"], capture_output=True, text=True,
                          check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert pl.read_parquet(out / "campaigns" / "clusters.parquet").is_empty()
    done = subprocess.run([sys.executable, "-m", "conduct_scan", "campaigns", str(tmp_path)],
                          capture_output=True, text=True, check=False)  # fmt: skip
    assert done.returncode == 2
    assert (
        done.stderr.startswith("conduct-scan: error: ") and "journal.jsonl missing" in done.stderr
    )


def test_buckets_and_batches_do_not_change_the_clusters(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Memory is bounded by cutting the work into batches of posts and buckets of band keys;
    how small they are must not change what is found (here 64 buckets and 7 batches)."""
    import conduct_scan.campaigns as campaigns

    archive, _ = _archive(tmp_path)
    out = tmp_path / "out"
    scan_archive([archive], out)
    find_campaigns(out)
    expected = pl.read_parquet(out / "campaigns" / "clusters.parquet")
    monkeypatch.setattr(campaigns, "BUCKET_ROWS", 1000)
    monkeypatch.setattr(campaigns, "BATCH_ROWS", 500)
    small = tmp_path / "small"
    find_campaigns(small, [archive / "a.parquet", archive / "b.parquet"])
    got = pl.read_parquet(small / "campaigns" / "clusters.parquet")
    assert got.height == 3
    assert got.drop("signals", "clause_id").equals(expected.drop("signals", "clause_id"))
    with pytest.raises(InputError, match="no such file"):
        find_campaigns(small, [tmp_path / "missing.parquet"])
