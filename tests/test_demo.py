"""The seeded sample-archive generator behind ``conduct-scan demo`` (conduct_scan.demo)."""

from __future__ import annotations

import datetime
import os
import re
import subprocess
import sys
import unicodedata
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from conduct_scan import InputError, demo
from conduct_scan.demo import CLAUSES, EVASIONS, ArchiveSummary, archive_schema, generate_archive

PART = re.compile(r"date=(\d{4}-\d{2}-\d{2})/part-(\d{4})\.parquet")
ZERO_WIDTH = ("\u200b", "\u200c", "\u2060", "\u00ad")


def files_of(root: Path) -> list[Path]:
    return sorted(root.rglob("*.parquet"))


def read(root: Path) -> pa.Table:
    """The archive as one table, in post order, with the hive ``date`` column."""
    table = ds.dataset(root, format="parquet", partitioning="hive").to_table()
    return table.sort_by("post_id")


def is_cyrillic(c: str) -> bool:
    return "\u0400" <= c <= "\u04ff"


@pytest.fixture(scope="module")
def labelled(tmp_path_factory: pytest.TempPathFactory) -> tuple[ArchiveSummary, pa.Table]:
    """The default archive (20,000 posts, 5 days, 3,000 accounts), with labels."""
    root = tmp_path_factory.mktemp("labelled") / "archive"
    summary = generate_archive(root, with_labels=True)
    return summary, read(root)


@pytest.fixture(scope="module")
def rows(labelled: tuple[ArchiveSummary, pa.Table]) -> list[dict[str, object]]:
    return labelled[1].to_pylist()


# ---- determinism ---------------------------------------------------------------------------


def test_same_seed_gives_byte_identical_files(tmp_path: Path) -> None:
    a = generate_archive(tmp_path / "a", posts=6_000, seed=7, with_labels=True)
    b = generate_archive(tmp_path / "b", posts=6_000, seed=7, with_labels=True)
    assert a.files == b.files == 5
    names_a = [p.relative_to(tmp_path / "a") for p in files_of(tmp_path / "a")]
    names_b = [p.relative_to(tmp_path / "b") for p in files_of(tmp_path / "b")]
    assert names_a == names_b
    for name in names_a:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert read(tmp_path / "a").equals(read(tmp_path / "b"))


def test_same_seed_identical_under_another_hash_seed(tmp_path: Path) -> None:
    # String hashing is randomised per process; nothing in the generator may depend on it.
    generate_archive(tmp_path / "here", posts=3_000, seed=11, with_labels=True)
    code = (
        "import sys; from conduct_scan.demo import generate_archive; "
        "generate_archive(sys.argv[1], posts=3_000, seed=11, with_labels=True)"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run([sys.executable, "-c", code, str(tmp_path / "there")], check=True, env=env)
    here, there = files_of(tmp_path / "here"), files_of(tmp_path / "there")
    assert [p.read_bytes() for p in here] == [p.read_bytes() for p in there]


def test_different_seeds_differ(tmp_path: Path) -> None:
    a = read_texts(generate_archive(tmp_path / "a", posts=2_000, seed=1).path)
    b = read_texts(generate_archive(tmp_path / "b", posts=2_000, seed=2).path)
    assert a != b
    assert len(set(a) & set(b)) < len(a) // 2


def read_texts(root: Path) -> list[str]:
    return [str(t) for t in read(root).column("text").to_pylist()]


@pytest.mark.parametrize("block", [1_000, 32_768])
def test_rows_do_not_depend_on_rows_per_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block: int
) -> None:
    # A small block makes files start and end inside blocks.
    monkeypatch.setattr(demo, "_BLOCK", block)
    whole = generate_archive(tmp_path / "whole", posts=8_000, seed=3, with_labels=True)
    split = generate_archive(
        tmp_path / "split", posts=8_000, seed=3, with_labels=True, rows_per_file=700
    )
    assert whole.files == 5
    assert split.files > 5 * 2
    assert read(tmp_path / "whole").equals(read(tmp_path / "split"))
    assert whole.bytes_of_text == split.bytes_of_text


def test_account_table_depends_on_seed_and_count_only() -> None:
    first = demo._make_accounts(3_000, 5)
    again = demo._make_accounts(3_000, 5)
    other = demo._make_accounts(3_000, 6)
    assert first.ids.tolist() == again.ids.tolist()
    assert first.ids.tolist() != other.ids.tolist()
    assert len(set(first.ids.tolist())) == 3_000


# ---- layout and schema ---------------------------------------------------------------------


def test_hive_layout_schema_and_compression(tmp_path: Path) -> None:
    summary = generate_archive(tmp_path / "x", posts=3_000, days=3, rows_per_file=400)
    files = files_of(tmp_path / "x")
    assert len(files) == summary.files
    days_seen = set()
    for f in files:
        rel = f.relative_to(tmp_path / "x").as_posix()
        match = PART.fullmatch(rel)
        assert match, rel
        days_seen.add(match.group(1))
        pf = pq.ParquetFile(f)
        assert pf.schema_arrow == archive_schema(with_labels=False)
        assert pf.metadata.num_rows <= 400
        column = pf.metadata.row_group(0).column(0)
        assert column.compression == "ZSTD"
    assert days_seen == {"2026-11-25", "2026-11-26", "2026-11-27"}
    table = read(tmp_path / "x")
    assert "expected_clause" not in table.column_names
    assert table.schema.field("created_at").type == pa.timestamp("us", tz="UTC")


def test_labelled_schema(labelled: tuple[ArchiveSummary, pa.Table]) -> None:
    summary, _ = labelled
    for f in files_of(summary.path):
        assert pq.read_schema(f) == archive_schema(with_labels=True)


def test_big_days_split_into_numbered_files_of_equal_size(tmp_path: Path) -> None:
    generate_archive(tmp_path / "x", posts=10_000, days=2, rows_per_file=1_500)
    for day in sorted((tmp_path / "x").iterdir()):
        sizes = [pq.ParquetFile(f).metadata.num_rows for f in sorted(day.iterdir())]
        assert [f.name for f in sorted(day.iterdir())] == [
            f"part-{i:04d}.parquet" for i in range(len(sizes))
        ]
        assert len(sizes) == -(-sum(sizes) // 1_500)
        assert max(sizes) - min(sizes) <= 1


def test_one_partition_per_day_even_without_posts(tmp_path: Path) -> None:
    start = datetime.date(2027, 1, 30)
    summary = generate_archive(tmp_path / "x", posts=2, days=4, start=start)
    days = sorted(p.name for p in (tmp_path / "x").iterdir())
    assert days == [f"date={start + datetime.timedelta(days=d)}" for d in range(4)]
    assert summary.files == 4
    assert sum(pq.ParquetFile(f).metadata.num_rows for f in files_of(tmp_path / "x")) == 2


def test_posts_spread_over_the_days(labelled: tuple[ArchiveSummary, pa.Table]) -> None:
    _, table = labelled
    per_day = Counter(table.column("date").to_pylist())
    assert len(per_day) == 5
    assert min(per_day.values()) > 20_000 / 5 * 0.8
    assert max(per_day.values()) < 20_000 / 5 * 1.2


# ---- rows ----------------------------------------------------------------------------------


def test_post_ids_unique_and_in_time_order(labelled: tuple[ArchiveSummary, pa.Table]) -> None:
    _, table = labelled
    ids = table.column("post_id").to_pylist()
    assert ids[0] == "p0000001"
    assert len(set(ids)) == len(ids) == 20_000
    times = table.column("created_at")
    assert pc.all(pc.greater_equal(times.slice(1), times.slice(0, len(times) - 1))).as_py()


def test_timestamps_inside_their_day_partition(labelled: tuple[ArchiveSummary, pa.Table]) -> None:
    _, table = labelled
    day = pc.strftime(table.column("created_at"), format="%Y-%m-%d")
    assert pc.all(pc.equal(day, table.column("date").cast(pa.string()))).as_py()


def test_daily_rhythm_follows_vietnam_time(rows: list[dict[str, object]]) -> None:
    local = Counter(
        (t.hour + 7) % 24 for r in rows if r["account_type"] == "user" for t in [r["created_at"]]
    )
    assert local[21] > 5 * local[4]
    offices = Counter(
        (t.hour + 7) % 24 for r in rows if r["account_type"] == "agency" for t in [r["created_at"]]
    )
    in_office = sum(offices[h] for h in range(7, 18))
    assert in_office > 0.8 * sum(offices.values())


def test_summary_matches_the_files(labelled: tuple[ArchiveSummary, pa.Table]) -> None:
    summary, table = labelled
    assert summary.posts == table.num_rows == 20_000
    assert summary.days == 5
    assert summary.files == len(files_of(summary.path))
    assert summary.accounts == len(set(table.column("account_id").to_pylist()))
    assert 2_000 < summary.accounts <= 3_000
    assert summary.bytes_of_text == sum(len(t.encode()) for t in table.column("text").to_pylist())
    assert summary.violating_posts == table.num_rows - table.column("expected_clause").null_count


def test_texts_are_filled_and_titles_a_minority(rows: list[dict[str, object]]) -> None:
    for r in rows:
        text = str(r["text"])
        assert text.strip() and "{" not in text and "}" not in text
        if r["title"] is not None:
            assert "{" not in str(r["title"])
    titled = sum(r["title"] is not None for r in rows) / len(rows)
    assert 0.03 < titled < 0.2


def test_everyday_texture(rows: list[dict[str, object]]) -> None:
    clean = [str(r["text"]) for r in rows if r["expected_clause"] is None]
    share = {
        "mention": sum("@" in t for t in clean) / len(clean),
        "url": sum("https://" in t for t in clean) / len(clean),
        "hashtag": sum(bool(re.search(r"#\w", t)) for t in clean) / len(clean),
        "digit": sum(any(c.isdigit() for c in t) for t in clean) / len(clean),
        "emoji": sum(any(ord(c) >= 0x1F300 for c in t) for t in clean) / len(clean),
    }
    assert 0.03 < share["mention"] < 0.2, share
    assert 0.02 < share["url"] < 0.15, share
    assert 0.08 < share["hashtag"] < 0.3, share
    assert share["digit"] > 0.2, share
    assert share["emoji"] > 0.2, share
    assert len(set(clean)) > 0.8 * len(clean)


# ---- languages, accounts -------------------------------------------------------------------


def test_vietnamese_majority(rows: list[dict[str, object]]) -> None:
    vi = sum(r["lang"] == "vi" for r in rows) / len(rows)
    assert 0.65 < vi < 0.75


def test_state_accounts(rows: list[dict[str, object]]) -> None:
    type_of: dict[str, str] = {}
    for r in rows:
        assert type_of.setdefault(str(r["account_id"]), str(r["account_type"])) == r["account_type"]
    kinds = Counter(type_of.values())
    assert set(kinds) == {"user", "official", "agency"}
    assert 0.01 < (kinds["official"] + kinds["agency"]) / len(type_of) < 0.04
    agencies = [a for a, k in type_of.items() if k == "agency"]
    assert any(a.startswith(("ubnd.", "cand.", "congan", "so.", "sở.")) for a in agencies)


def test_state_accounts_violate_rarely(rows: list[dict[str, object]]) -> None:
    state = [r for r in rows if r["account_type"] != "user"]
    users = [r for r in rows if r["account_type"] == "user"]
    state_bad = sum(r["expected_clause"] is not None for r in state)
    user_rate = sum(r["expected_clause"] is not None for r in users) / len(users)
    assert state_bad >= 1
    assert state_bad / len(state) < user_rate / 3


def test_handles_look_like_handles(rows: list[dict[str, object]]) -> None:
    handles = {str(r["account_id"]) for r in rows}
    assert all(re.fullmatch(r"[\w.]+", h) for h in handles)
    assert sum(h.isascii() for h in handles) > 0.9 * len(handles)


# ---- violations ----------------------------------------------------------------------------


def test_share_of_violations_per_clause(rows: list[dict[str, object]]) -> None:
    clauses = Counter(r["expected_clause"] for r in rows if r["expected_clause"] is not None)
    total = sum(clauses.values())
    assert 0.07 < total / len(rows) < 0.11
    assert set(clauses) == set(CLAUSES)
    for clause in CLAUSES:
        assert 0.03 < clauses[clause] / total < 0.5, (clause, clauses)
    for lang in ("vi", "en"):
        assert {r["expected_clause"] for r in rows if r["lang"] == lang} >= set(CLAUSES)


def test_repeat_offenders(rows: list[dict[str, object]]) -> None:
    by_account = Counter(r["account_id"] for r in rows if r["expected_clause"] is not None)
    top = sum(n for _, n in by_account.most_common(30))  # 1% of the 3,000 accounts
    assert top > 0.2 * sum(by_account.values())


def test_share_of_each_evasion(rows: list[dict[str, object]]) -> None:
    bad = [r for r in rows if r["expected_clause"] is not None]
    assert all(r["evasion"] is None for r in rows if r["expected_clause"] is None)
    kinds = Counter(r["evasion"] for r in bad if r["evasion"] is not None)
    evaded = sum(kinds.values())
    assert 0.25 < evaded / len(bad) < 0.6
    assert set(kinds) == set(EVASIONS)
    for kind in EVASIONS:
        assert 0.03 < kinds[kind] / evaded < 0.4, (kind, kinds)


def test_evasion_labels_match_the_text(rows: list[dict[str, object]]) -> None:
    checks = {
        "zero_width": lambda t: any(z in t for z in ZERO_WIDTH),
        "nfd": lambda t: unicodedata.normalize("NFC", t) != t,
        "homoglyph": lambda t: any(is_cyrillic(c) for c in t),
        # a letter, a separator, a letter; or three single letters spaced out
        "separators": lambda t: bool(re.search(r"\w[.*_-]\w|(?<!\w)\w( \w){2,}(?!\w)", t)),
        "repeat": lambda t: bool(re.search(r"(\w)\1\1", t)),
        "leet": lambda t: bool(re.search(r"[^\W\d_][0-9@$!]|[0-9@$!][^\W\d_]", t)),
        "diacritics": lambda t: unicodedata.normalize("NFC", t) == t,
    }
    for r in rows:
        kind, text = r["evasion"], str(r["text"])
        if kind in checks:
            assert checks[str(kind)](text), (kind, text)


def test_nfd_zero_width_and_homoglyphs_present(rows: list[dict[str, object]]) -> None:
    texts = [str(r["text"]) for r in rows]
    clean = [str(r["text"]) for r in rows if r["expected_clause"] is None and r["lang"] == "vi"]
    assert sum(unicodedata.normalize("NFC", t) != t for t in clean) > 0.01 * len(clean)
    assert any(unicodedata.normalize("NFC", t) != t for t in texts if t not in clean)
    assert sum("\u200b" in t for t in texts) >= 10
    assert sum(any(is_cyrillic(c) for c in t) for t in texts) >= 10
    teencode = re.compile(r"(?<!\w)(đm|dm|vl|vcl|dkm|đkm|cc|đcm)(?!\w)", re.IGNORECASE)
    assert sum(bool(teencode.search(t)) for t in texts) >= 10


def test_innocent_look_alikes_in_clean_posts(rows: list[dict[str, object]]) -> None:
    clean = " \n ".join(str(r["text"]).lower() for r in rows if r["expected_clause"] is None)
    for phrase in (
        "lon bia",
        "má ơi",
        "giết thời gian",
        "cười chết mất",
        "con chó nhà mình",
        "đồ ăn",
        "scunthorpe",
        "class",
        "assessment",
        "cocktail",
        "đi ngủ",
        "buổi",
    ):
        assert clean.count(phrase) >= 5, phrase


def test_different_seed_changes_the_violations_too(tmp_path: Path) -> None:
    a = read(generate_archive(tmp_path / "a", posts=3_000, seed=1, with_labels=True).path)
    b = read(generate_archive(tmp_path / "b", posts=3_000, seed=2, with_labels=True).path)
    assert a.column("expected_clause").to_pylist() != b.column("expected_clause").to_pylist()


# ---- arguments and the output directory ----------------------------------------------------


@pytest.mark.parametrize(
    "kwargs", [{"posts": -1}, {"days": 0}, {"accounts": 0}, {"rows_per_file": 0}]
)
def test_invalid_arguments(tmp_path: Path, kwargs: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        generate_archive(tmp_path / "x", **kwargs)  # type: ignore[arg-type]


def test_rerun_replaces_an_earlier_archive(tmp_path: Path) -> None:
    generate_archive(tmp_path / "x", posts=500, days=5)
    summary = generate_archive(tmp_path / "x", posts=300, days=2)
    assert len(list((tmp_path / "x").iterdir())) == 2
    assert read(tmp_path / "x").num_rows == summary.posts == 300


def test_refuses_a_directory_holding_other_things(tmp_path: Path) -> None:
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "notes.txt").write_text("mine")
    with pytest.raises(InputError):
        generate_archive(tmp_path / "x", posts=10)
    assert (tmp_path / "x" / "notes.txt").read_text() == "mine"
    (tmp_path / "y" / "date=2026-11-25").mkdir(parents=True)
    (tmp_path / "y" / "date=2026-11-25" / "data.csv").write_text("a,b")
    with pytest.raises(InputError):
        generate_archive(tmp_path / "y", posts=10)
    assert (tmp_path / "y" / "date=2026-11-25" / "data.csv").exists()


def test_tiny_archives(tmp_path: Path) -> None:
    summary = generate_archive(tmp_path / "x", posts=0, days=1, accounts=1, with_labels=True)
    assert summary.posts == summary.accounts == summary.violating_posts == 0
    assert read(tmp_path / "x").num_rows == 0
    summary = generate_archive(tmp_path / "y", posts=50, days=1, accounts=2)
    assert summary.accounts <= 2
