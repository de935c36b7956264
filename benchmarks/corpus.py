"""Seeded benchmark corpora and the benchmark's terms and patterns.

Corpora are realistic posts built from real text when ``../shared/data`` is present and from
the synthetic generator behind ``conduct-scan demo`` otherwise. Real posts are Vietnamese
Wikipedia cut into post-sized pieces, ViHOS comments, Davidson tweets and SMS messages,
resampled and mixed; the labels of the last three put a few percent of posts
(:data:`VIOLATION_SHARE`) among those that annotators marked hateful, offensive or spam, the
rest among those they marked clean, as on a real social network. Corpora are written once,
streamed in row groups (memory does not grow with the size), as zstd Parquet under
``benchmarks/.corpus/``, and reused; the file name carries :data:`VERSION`, the size and the
source, so a changed generator never reuses an old file.

:func:`terms` gives ``count`` distinct lower-case terms (the bundled ruleset's, curated lexicons,
then deterministic Vietnamese pseudo-phrases, so ``terms(n)`` is a prefix of ``terms(m)`` for
``n < m`` and 100,000 terms are available); :data:`PATTERNS` holds about fifty realistic regular
expressions; :func:`ruleset_toml` turns both into a ruleset.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import random
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(__file__).resolve().parent / ".corpus"
DATA = Path(os.environ.get("CONDUCT_SCAN_DATA", ROOT.parent / "shared" / "data"))
SEED = 2021
VERSION = 2
"""Bumped whenever the generator changes what it writes (cached corpora carry it in their name)."""

ROWS_PER_GROUP = 64 * 1024
VIOLATION_SHARE = 0.03
"""Share of real-data posts drawn from the posts annotators labelled offensive, hateful or spam."""

# Sources of clean posts (share of clean posts) and of labelled violations (share of those).
CLEAN_MIX = {"wiki": 0.62, "vihos": 0.20, "davidson": 0.13, "sms": 0.05}
VIOLATION_MIX = {"vihos": 0.50, "davidson": 0.35, "sms": 0.15}


def has_real_data() -> bool:
    """Whether ``../shared/data`` (or ``$CONDUCT_SCAN_DATA``) holds the corpora used here."""
    return (DATA / "corpora" / "viwiki_7.9k.parquet").exists()


@dataclass(frozen=True)
class Corpus:
    """A benchmark archive: one Parquet file, its size in bytes of text, its origin.

    Attributes
    ----------
    path
        The zstd Parquet file (columns ``post_id``, ``account_id``, ``created_at``, ``text``).
    text_bytes
        UTF-8 bytes of text in the ``text`` column: the figure every MB/s is computed from.
    posts
        Number of rows.
    source
        ``real`` (built from ``../shared/data``) or ``synthetic`` (``conduct_scan.demo``).
    """

    path: Path
    text_bytes: int
    posts: int
    source: str

    @property
    def megabytes(self) -> float:
        """Text size in MB (10^6 bytes)."""
        return self.text_bytes / 1e6

    def texts(self) -> pa.ChunkedArray:
        """The ``text`` column, decoded into memory."""
        return pq.read_table(self.path, columns=["text"]).column("text")

    def describe(self) -> dict[str, object]:
        """What ``extra_info`` of a benchmark records about its corpus."""
        return {
            "bytes": self.text_bytes,
            "posts": self.posts,
            "corpus": self.source,
            "corpus_mb": round(self.megabytes),
        }


def corpus(megabytes: int) -> Corpus:
    """A corpus of about ``megabytes`` MB of UTF-8 text, generated on first use and cached.

    Parameters
    ----------
    megabytes
        Target size of the ``text`` column (10^6 bytes); the corpus stops at the first post past it.
    """
    source = "real" if has_real_data() else "synthetic"
    path = CACHE / f"posts-v{VERSION}-{megabytes}mb-{source}.parquet"
    if not path.exists():
        rng = random.Random(SEED * 1000 + megabytes)
        target = megabytes * 1_000_000
        texts = _real_posts(rng) if source == "real" else _synthetic_posts(rng)
        text_bytes, posts = _write(path, texts, target, rng)
        path.with_suffix(".json").write_text(json.dumps({"text_bytes": text_bytes, "posts": posts}))
    sidecar = path.with_suffix(".json")
    if not sidecar.exists():
        column = pq.read_table(path, columns=["text"]).column("text")
        text_bytes = int(pc.sum(pc.binary_length(column)).as_py() or 0)
        sidecar.write_text(json.dumps({"text_bytes": text_bytes, "posts": len(column)}))
    meta = json.loads(sidecar.read_text())
    return Corpus(path, meta["text_bytes"], meta["posts"], source)


SCHEMA = pa.schema(
    [
        ("post_id", pa.string()),
        ("account_id", pa.string()),
        ("created_at", pa.timestamp("us", tz="UTC")),
        ("text", pa.string()),
    ]
)


def _write(path: Path, texts: Iterator[str], target: int, rng: random.Random) -> tuple[int, int]:
    """Stream posts into ``path`` until ``target`` bytes of text, one row group at a time;
    return the bytes of text and the posts written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    accounts = max(1000, target // 2000)  # about 13 posts per account at 150 bytes a post
    day = dt.datetime(2026, 11, 25, tzinfo=dt.UTC)
    size = rows = 0
    with pq.ParquetWriter(tmp, SCHEMA, compression="zstd") as writer:
        while size < target:
            chunk: list[str] = []
            while size < target and len(chunk) < ROWS_PER_GROUP:
                text = next(texts)
                chunk.append(text)
                size += len(text.encode())
            n = len(chunk)
            seconds = sorted(rng.randrange(86_400_000_000) for _ in range(n))
            batch = pa.record_batch(
                [
                    pa.array([f"p{i:010d}" for i in range(rows, rows + n)]),
                    pa.array([f"acc{rng.randrange(accounts):07d}" for _ in range(n)]),
                    pa.array(
                        [day + dt.timedelta(microseconds=s) for s in seconds],
                        SCHEMA.field("created_at").type,
                    ),
                    pa.array(chunk, pa.string()),
                ],
                schema=SCHEMA,
            )
            writer.write_batch(batch, row_group_size=ROWS_PER_GROUP)
            rows += n
    tmp.rename(path)
    return size, rows


def _read_csv(path: Path, encoding: str = "utf-8") -> list[dict[str, str]]:
    with path.open(encoding=encoding, newline="") as f:
        return list(csv.DictReader(f))


def _real_pools(rng: random.Random) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Clean and violating posts of each real source."""
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
    vihos = [r for r in _read_csv(DATA / "vi" / "vihos" / "train.csv") if r.get("content")]
    davidson = [r for r in _read_csv(DATA / "en" / "davidson" / "labeled_data.csv") if r["tweet"]]
    sms = [
        line.split("\t", 1)
        for line in (DATA / "en" / "sms_spam" / "SMSSpamCollection.tsv")
        .read_text()
        .splitlines()[1:]
        if "\t" in line
    ]
    clean = {
        "wiki": wiki,
        "vihos": [r["content"] for r in vihos if r["index_spans"].strip() == "[]"],
        "davidson": [r["tweet"] for r in davidson if r["class"] == "2"],
        "sms": [text for label, text in sms if label == "ham"],
    }
    violating = {
        "vihos": [r["content"] for r in vihos if r["index_spans"].strip() != "[]"],
        "davidson": [r["tweet"] for r in davidson if r["class"] in ("0", "1")],
        "sms": [text for label, text in sms if label == "spam"],
    }
    return clean, violating


def _real_posts(rng: random.Random) -> Iterator[str]:
    clean, violating = _real_pools(rng)
    clean_names, clean_weights = list(CLEAN_MIX), list(CLEAN_MIX.values())
    bad_names, bad_weights = list(VIOLATION_MIX), list(VIOLATION_MIX.values())
    while True:
        if rng.random() < VIOLATION_SHARE:
            yield rng.choice(violating[rng.choices(bad_names, bad_weights)[0]])
        else:
            yield rng.choice(clean[rng.choices(clean_names, clean_weights)[0]])


def _synthetic_posts(rng: random.Random) -> Iterator[str]:
    """Posts of ``conduct_scan.demo`` (about 9 % violating), generated 200,000 at a time."""
    import shutil
    import tempfile

    from conduct_scan.demo import generate_archive

    block = 0
    while True:
        folder = Path(tempfile.mkdtemp(prefix="conduct-scan-corpus-")) / "archive"
        try:
            generate_archive(folder, posts=200_000, days=1, seed=SEED + block)
            texts = pq.read_table(folder, columns=["text"]).column("text").to_pylist()
        finally:
            shutil.rmtree(folder.parent, ignore_errors=True)
        rng.shuffle(texts)
        yield from texts
        block += 1


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

_ONSETS = ["b", "c", "ch", "d", "đ", "g", "gi", "h", "kh", "l", "m", "n", "ng", "nh", "ph",
           "r", "s", "t", "th", "tr", "v", "x"]  # fmt: skip
_VOWELS = ["a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "ươ", "iê", "uô", "oa", "ai",
           "ao", "ây", "ơi", "ui"]  # fmt: skip
_CODAS = ["", "", "", "c", "m", "n", "ng", "nh", "p", "t"]
_TONE_ON_SECOND = {"ươ", "iê", "uô", "oa"}
_GLIDES = {"ai", "ao", "ây", "ơi", "ui"}
# No tone, grave, hook above, tilde, acute, dot below (combining marks, composed by NFC).
_TONES = ["", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323"]


def _pseudo_phrases(rng: random.Random) -> Iterator[str]:
    """Endless distinct three-syllable Vietnamese-looking phrases, in a deterministic order.

    Three syllables with tones make a phrase that almost never occurs in real text, as most
    terms of a large ruleset do not; the automaton still has to walk their common prefixes.
    """
    seen: set[str] = set()
    while True:
        syllables = []
        for _ in range(3):
            vowel = rng.choice(_VOWELS)
            # The tone sits on the main vowel; a vowel ending in a glide takes no final consonant.
            at = 1 if vowel in _TONE_ON_SECOND else 0
            toned = vowel[: at + 1] + rng.choice(_TONES) + vowel[at + 1 :]
            coda = "" if vowel in _GLIDES else rng.choice(_CODAS)
            syllables.append(rng.choice(_ONSETS) + toned + coda)
        phrase = unicodedata.normalize("NFC", " ".join(syllables))
        if phrase not in seen:
            seen.add(phrase)
            yield phrase


@cache
def _real_terms() -> tuple[str, ...]:
    """The bundled ruleset's terms, then the curated lexicons' (when the data is present)."""
    from conduct_scan import Ruleset

    found: list[str] = []
    for rule in json.loads(Ruleset.load().to_json())["rules"]:
        found.extend(rule["terms"])
    lexicons = DATA / "lexicons"
    if lexicons.exists():
        found.extend(json.loads((lexicons / "vn_badwords" / "vi.json").read_text()))
        for name in ("better_profanity/profanity_wordlist.txt", "ldnoobw/en.txt"):
            found.extend((lexicons / name).read_text().splitlines())
    return tuple(found)


@cache
def terms(count: int = 2000) -> tuple[str, ...]:
    """``count`` distinct lower-case terms, deterministic, each list a prefix of longer ones.

    The bundled ruleset's terms come first, then curated lexicons when the data is present, then
    three-syllable Vietnamese pseudo-phrases (:func:`_pseudo_phrases`).
    """
    chosen: list[str] = []
    seen: set[str] = set()
    pseudo = _pseudo_phrases(random.Random(SEED))
    candidates = iter(_real_terms())
    while len(chosen) < count:
        term = next(candidates, None)
        if term is None:
            candidates = pseudo
            continue
        term = unicodedata.normalize("NFC", term.strip().lower())
        if term and term not in seen:
            seen.add(term)
            chosen.append(term)
    return tuple(chosen)


def is_plain_ascii(text: str) -> bool:
    """ASCII letters, digits and spaces only: where every peer's case folding agrees."""
    return text.isascii() and all(c.isalnum() or c == " " for c in text)


def agreement_terms(term_list: tuple[str, ...] | list[str]) -> list[str]:
    """The terms on which conduct_scan and every peer mean the same thing (plain ASCII)."""
    return [t for t in term_list if is_plain_ascii(t)]


def agreement_patterns(patterns: list[str]) -> list[str]:
    """The patterns on which they mean the same thing: ASCII, and no ``\\w``/``\\d`` classes
    (ASCII-only in DuckDB's RE2, Unicode in the others)."""
    return [p for p in patterns if p.isascii() and "\\w" not in p and "\\d" not in p]


def ruleset_toml(
    term_list: tuple[str, ...] | list[str],
    patterns: list[str],
    views: tuple[str, ...] = ("casefold",),
    match: str = "word",
) -> str:
    """A benchmark ruleset: rules of 40 terms each and one rule per pattern.

    Parameters
    ----------
    term_list, patterns
        The terms and the regular expressions.
    views
        The views every rule is matched in.
    match
        ``word`` (the default of real rulesets) or ``substring`` (the peers' semantics).
    """
    view_list = json.dumps(list(views))
    common = f'clause = "c"\nviews = {view_list}\nmatch = "{match}"\n'
    parts = ['[ruleset]\nid = "bench"\nversion = "1"\n[[clause]]\nid = "c"\ntitle = "c"\n']
    for i in range(0, len(term_list), 40):
        chunk = json.dumps(list(term_list[i : i + 40]), ensure_ascii=False)
        parts.append(f'[[rule]]\nid = "t{i}"\n{common}terms = {chunk}\n')
    for i, pattern in enumerate(patterns):
        quoted = json.dumps([pattern], ensure_ascii=False)
        parts.append(f'[[rule]]\nid = "p{i}"\n{common}patterns = {quoted}\n')
    return "\n".join(parts)
