"""Seeded benchmark corpora and the benchmark's terms and patterns.

Corpora are realistic posts built from real text when ``../shared/data`` is present (Vietnamese
Wikipedia cut into post-sized pieces, ViHOS comments, Davidson tweets, SMS messages, resampled
and mixed) and from the synthetic generator behind ``conduct-scan demo`` otherwise. They are
written once as zstd Parquet under ``benchmarks/.corpus/`` and reused.
"""

from __future__ import annotations

import csv
import json
import os
import random
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(__file__).resolve().parent / ".corpus"
DATA = Path(os.environ.get("CONDUCT_SCAN_DATA", ROOT.parent / "shared" / "data"))
SEED = 2021

# Mix of sources in real corpora (share of posts).
MIX = {"wiki": 0.60, "vihos": 0.20, "davidson": 0.15, "sms": 0.05}


def has_real_data() -> bool:
    return (DATA / "corpora" / "viwiki_7.9k.parquet").exists()


@dataclass(frozen=True)
class Corpus:
    """A benchmark archive: one Parquet file, its size in bytes of text, its origin."""

    path: Path
    text_bytes: int
    posts: int
    source: str

    @property
    def megabytes(self) -> float:
        return self.text_bytes / 1e6

    def texts(self) -> pa.ChunkedArray:
        return pq.read_table(self.path, columns=["text"]).column("text")


def _read_csv(path: Path, column: str, encoding: str = "utf-8") -> list[str]:
    with path.open(encoding=encoding, newline="") as f:
        return [row[column] for row in csv.DictReader(f) if row.get(column)]


def _real_sources(rng: random.Random) -> dict[str, list[str]]:
    wiki: list[str] = []
    table = pq.read_table(DATA / "corpora" / "viwiki_7.9k.parquet", columns=["text"])
    for doc in table.column("text").to_pylist():
        for paragraph in doc.split("\n"):
            paragraph = paragraph.strip()
            if len(paragraph) < 20 or paragraph.startswith("=="):
                continue
            while paragraph:
                cut = rng.randint(60, 400)
                wiki.append(paragraph[:cut])
                paragraph = paragraph[cut:]
    sms = []
    for line in (DATA / "en" / "sms_spam" / "SMSSpamCollection.tsv").read_text().splitlines()[1:]:
        if "\t" in line:
            sms.append(line.split("\t", 1)[1])
    return {
        "wiki": wiki,
        "vihos": _read_csv(DATA / "vi" / "vihos" / "train.csv", "content"),
        "davidson": _read_csv(DATA / "en" / "davidson" / "labeled_data.csv", "tweet"),
        "sms": sms,
    }


def _write(path: Path, texts: list[str], rng: random.Random) -> None:
    n = len(texts)
    accounts = max(1000, n // 20)
    table = pa.table(
        {
            "post_id": pa.array([f"p{i:09d}" for i in range(n)]),
            "account_id": pa.array([f"acc{rng.randrange(accounts):07d}" for _ in range(n)]),
            "text": pa.array(texts, type=pa.string()),
        }
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    pq.write_table(table, tmp, compression="zstd", row_group_size=64 * 1024)
    tmp.rename(path)


def corpus(megabytes: int) -> Corpus:
    """A corpus of about ``megabytes`` MB of text (cached)."""
    source = "real" if has_real_data() else "synthetic"
    path = CACHE / f"posts-{megabytes}mb-{source}.parquet"
    if not path.exists():
        rng = random.Random(SEED + megabytes)
        target = megabytes * 1_000_000
        if source == "real":
            pools = _real_sources(rng)
            names = list(MIX)
            weights = [MIX[n] for n in names]
            texts: list[str] = []
            size = 0
            while size < target:
                text = rng.choice(pools[rng.choices(names, weights)[0]])
                texts.append(text)
                size += len(text.encode())
        else:
            texts = _synthetic(target, rng)
        _write(path, texts, rng)
    sidecar = path.with_suffix(".json")
    if not sidecar.exists():
        import pyarrow.compute as pc

        texts_column = pq.read_table(path, columns=["text"]).column("text")
        text_bytes = int(pc.sum(pc.binary_length(texts_column)).as_py() or 0)
        sidecar.write_text(json.dumps({"text_bytes": text_bytes, "posts": len(texts_column)}))
    meta = json.loads(sidecar.read_text())
    return Corpus(path, meta["text_bytes"], meta["posts"], source)


def _synthetic(target: int, rng: random.Random) -> list[str]:
    from conduct_scan.demo import generate_archive

    folder = CACHE / f"synthetic-{target}"
    # Generated posts average about 80 bytes; ask for a little more and cut at the target.
    summary = generate_archive(folder, posts=max(1000, target // 75), seed=SEED)
    texts = pq.read_table(folder, columns=["text"]).column("text").to_pylist()
    rng.shuffle(texts)
    kept, size = [], 0
    for text in texts:
        if size >= target:
            break
        kept.append(text)
        size += len(text.encode())
    del summary
    return kept


# Realistic regular expressions of the kinds a trust-and-safety team writes: obfuscated
# profanity, scam and gambling advertising, drug and weapon sales, fake-news phrasing.
PATTERNS = [
    r"đ[iịj]t\s*m[eẹ]", r"f+u+c+k+", r"n[i1]gg+[ae]r?", r"c[oơ]n\s+m[eẹ]\s+m[aà]y",
    r"\d{2,3}k\s*/\s*ng[aà]y", r"vay\s+ti[eề]n\s+nhanh", r"l[oồ]n\s+m[aá]", r"[bv]ãi\s*l[oồ]n",
    r"cá\s+độ", r"xổ\s+số", r"ma\s+túy", r"(bán|mua)\s+(súng|đạn)", r"làm\s+bằng\s+giả",
    r"free\s+(entry|msg)", r"txt\s+\w+\s+to\s+\d{5}", r"call\s+0\d{9,10}", r"win\s+(a|cash|£)",
    r"sh[i1]t+", r"b[i1]tch", r"wh[o0]re", r"tr[aầ]n\s+d[aầ]n", r"bắc\s+kỳ", r"parky",
    r"3\s*que", r"đồ\s+\w+\s+chó", r"thằng\s+\w+\s+ngu", r"óc\s+chó", r"ngu\s+như\s+bò",
    r"khốn\s+nạn", r"mất\s+dạy", r"súc\s+vật", r"(giết|chém)\s+(hết|chết)", r"đánh\s+chết",
    r"tin\s+giả", r"sự\s+thật\s+bị\s+che\s+giấu", r"chia\s+sẻ\s+ngay", r"lô\s+đề",
    r"tài\s+xỉu", r"nổ\s+hũ", r"casino", r"hàng\s+xách\s+tay", r"thuốc\s+lá\s+điện\s+tử",
    r"cần\s+sa", r"cỏ\s+mỹ", r"kẹo\s+ke", r"bằng\s+đại\s+học\s+giá\s+rẻ", r"giấy\s+tờ\s+giả",
    r"chơi\s+gái", r"gái\s+gọi", r"sex\s+tape",
]  # fmt: skip


def _syllables(rng: random.Random, n: int) -> list[str]:
    onsets = ["b", "c", "ch", "d", "đ", "g", "h", "kh", "l", "m", "n", "ng", "nh", "ph", "t", "th"]
    vowels = ["a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "ươ", "iê", "uô"]
    codas = ["", "", "c", "m", "n", "ng", "nh", "p", "t"]
    out = set()
    while len(out) < n:
        words = [rng.choice(onsets) + rng.choice(vowels) + rng.choice(codas) for _ in range(2)]
        out.add(" ".join(words))
    return sorted(out)


def terms(count: int = 2000) -> list[str]:
    """``count`` distinct lower-case terms: the bundled ruleset's terms, then curated lexicons
    when the data is present, then two-syllable Vietnamese pseudo-phrases."""
    from conduct_scan import Ruleset

    rng = random.Random(SEED)
    chosen: list[str] = []
    seen: set[str] = set()

    def add(term: str) -> None:
        term = term.strip().lower()
        if term and term not in seen and len(chosen) < count:
            seen.add(term)
            chosen.append(term)

    for rule in json.loads(Ruleset.load().to_json())["rules"]:
        for term in rule["terms"]:
            add(term)
    lexicons = DATA / "lexicons"
    if lexicons.exists():
        for term in json.loads((lexicons / "vn_badwords" / "vi.json").read_text()):
            add(term)
        for name in ("better_profanity/profanity_wordlist.txt", "ldnoobw/en.txt"):
            for term in (lexicons / name).read_text().splitlines():
                add(term)
    for term in _syllables(rng, count):
        add(term)
    return chosen


def ruleset_toml(
    term_list: list[str], patterns: list[str], views: tuple[str, ...] = ("casefold",)
) -> str:
    """A benchmark ruleset: rules of 40 terms each and one rule per pattern."""
    view_list = json.dumps(list(views))
    parts = ['[ruleset]\nid = "bench"\nversion = "1"\n[[clause]]\nid = "c"\ntitle = "c"\n']
    for i in range(0, len(term_list), 40):
        chunk = json.dumps(term_list[i : i + 40], ensure_ascii=False)
        parts.append(f'[[rule]]\nid = "t{i}"\nclause = "c"\nviews = {view_list}\nterms = {chunk}\n')
    for i, pattern in enumerate(patterns):
        quoted = json.dumps([pattern], ensure_ascii=False)
        parts.append(
            f'[[rule]]\nid = "p{i}"\nclause = "c"\nviews = {view_list}\npatterns = {quoted}\n'
        )
    return "\n".join(parts)
