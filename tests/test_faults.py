"""Faults a nightly job meets: overlapping runs, full disks, odd Arrow types, kills.

Each must end in one line on stderr and a documented exit code, keep the inputs completed
before, and leave an output directory that the same command finishes into exactly the result
of an uninterrupted run.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conduct_scan.demo import generate_archive
from conduct_scan.read import decoded, is_text_type, split_by_bytes
from conduct_scan.write import output_lock

CLI = [sys.executable, "-m", "conduct_scan"]
EXIT_LOCKED = 4
EXIT_WRITE = 5


RULES = """
[ruleset]
id = "faults"
version = "1"
[[clause]]
id = "c"
title = "C"
[[clause]]
id = "d"
title = "D"
severity = "high"
[[rule]]
id = "ngu"
clause = "c"
terms = ["ngu", "đồ ngu", "lừa đảo"]
views = ["casefold", "fold"]
[[rule]]
id = "scam"
clause = "d"
patterns = ['vay\\s+tiền']
"""


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small first day (its parts ~10 KB), then three bigger ones (~35 KB parts each), so a
    limit between the two fails midway, after the first day is complete.
    """
    path = tmp_path_factory.mktemp("archive")
    generate_archive(path, posts=1_500, days=1, rows_per_file=500, seed=11)
    later = tmp_path_factory.mktemp("later")
    generate_archive(later, posts=30_000, days=3, rows_per_file=2_500, seed=12,
                     start=dt.date(2026, 11, 26))  # fmt: skip
    for day in later.iterdir():
        if day.is_dir():
            day.rename(path / day.name)
    return path


@pytest.fixture(scope="module")
def rules(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("rules") / "rules.toml"
    path.write_text(RULES, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def clean(archive: Path, rules: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("clean") / "out"
    result = _run("scan", archive, "--out", out, "-r", rules, "-t", "title", "-t", "text", "-q")
    assert result.returncode == 0, result.stderr
    return out


def _run(
    *args: str | Path, limit_file_bytes: int | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    def limit() -> None:
        if limit_file_bytes is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit_file_bytes, limit_file_bytes))
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # write() fails with EFBIG instead

    return subprocess.run(
        [*CLI, *map(str, args)], capture_output=True, text=True, timeout=timeout,
        check=False, preexec_fn=limit,
    )  # fmt: skip


def _scan(archive: Path, out: Path, *extra: str, **kwargs: int) -> subprocess.CompletedProcess[str]:
    """``scan`` with the fault tests' ruleset (``$FAULT_RULES``, set by the ``rules`` fixture)."""
    return _run("scan", archive, "--out", out, "-r", os.environ["FAULT_RULES"], "-t", "title",
                "-t", "text", "-q", *extra, **kwargs)  # fmt: skip


@pytest.fixture(autouse=True)
def _fault_rules(rules: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAULT_RULES", str(rules))


def _violations(out: Path) -> pl.DataFrame:
    frame = pl.read_parquet(out / "violations" / "*.parquet")
    return frame.sort(["source_file", "row", "field", "start", "rule_id", "view"])


def _accounts(out: Path) -> pl.DataFrame:
    keys = ["source_file", "account_id", "account_type", "day"]
    frame = pl.read_parquet(out / "accounts" / "*.parquet")
    return frame.group_by(keys).agg(pl.col("posts").sum()).sort(keys)


def _assert_equal_to(out: Path, clean: Path) -> None:
    assert _violations(out).equals(_violations(clean))
    assert _accounts(out).equals(_accounts(clean))
    assert not list(out.rglob("*.tmp"))


def _one_error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert "Traceback" not in stderr, stderr
    assert len(lines) == 1, stderr
    return lines[0]


# --- one writer per output directory ----------------------------------------------------------


def test_a_second_run_fails_at_once_naming_out_and_the_holder(
    archive: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    with output_lock(out):
        started = time.monotonic()
        result = _scan(archive, out)
        seconds = time.monotonic() - started
    assert result.returncode == EXIT_LOCKED, result.stderr
    line = _one_error_line(result.stderr)
    assert str(out) in line and f"pid {os.getpid()}" in line, line
    assert "--wait-lock" in line
    assert seconds < 20  # no ruleset compiled, nothing read
    assert not (out / "violations").exists()


def test_wait_lock_waits_for_the_holder(archive: Path, tmp_path: Path, clean: Path) -> None:
    out = tmp_path / "out"
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with output_lock(out):
            held.set()
            release.wait()

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait()
    short = _scan(archive, out, "--wait-lock", "0.2")
    waiting = subprocess.Popen(
        [*CLI, "scan", str(archive), "--out", str(out), "-r", os.environ["FAULT_RULES"], "-t",
         "title", "-t", "text", "-q", "--wait-lock", "120"], stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    time.sleep(1.0)
    assert waiting.poll() is None  # still waiting
    release.set()
    holder.join()
    _, stderr = waiting.communicate(timeout=300)
    assert short.returncode == EXIT_LOCKED
    assert "after waiting 0.2 s" in short.stderr
    assert waiting.returncode == 0, stderr
    _assert_equal_to(out, clean)


def test_report_takes_the_lock(clean: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(clean, out)
    with output_lock(out):
        result = _run("report", out, "--format", "json")
    assert result.returncode == EXIT_LOCKED, result.stderr
    assert f"pid {os.getpid()}" in _one_error_line(result.stderr)
    result = _run("report", out, "--format", "json")
    assert result.returncode == 0, result.stderr


def test_a_killed_holder_leaves_no_stale_lock(archive: Path, tmp_path: Path, clean: Path) -> None:
    out = tmp_path / "out"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from pathlib import Path; "
         "from conduct_scan.write import output_lock\n"
         "with output_lock(Path(sys.argv[1])):\n print('held', flush=True); time.sleep(600)",
         str(out)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    assert _scan(archive, out).returncode == EXIT_LOCKED
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    result = _scan(archive, out)
    assert result.returncode == 0, result.stderr
    _assert_equal_to(out, clean)


# --- out of space -----------------------------------------------------------------------------


def test_file_size_limit_midway_then_the_same_command_finishes(
    archive: Path, tmp_path: Path, clean: Path
) -> None:
    """RLIMIT_FSIZE makes a write fail with EFBIG midway, as a full disk would."""
    out = tmp_path / "out"
    result = _scan(archive, out, "--batch-rows", "500", limit_file_bytes=20_000)
    assert result.returncode == EXIT_WRITE, result.stderr
    line = _one_error_line(result.stderr)
    assert "cannot write (File too large)" in line, line
    named = line.split("conduct-scan: error: ", 1)[1].split(": cannot write", 1)[0]
    assert Path(named).parent.parent == out or Path(named).parent == out, line
    assert "run the same command again" in line
    assert not list(out.rglob("*.tmp"))
    kept = len(list((out / "violations").glob("*.parquet")))
    assert kept >= 1, "no input was completed before the limit: the test proves nothing"
    result = _scan(archive, out)
    assert result.returncode == 0, result.stderr
    _assert_equal_to(out, clean)


@contextlib.contextmanager
def _small_tmpfs(path: Path, size: str) -> Iterator[Path]:
    path.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
        capture_output=True, check=False,
    )  # fmt: skip
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def test_a_full_disk_midway_then_the_same_command_finishes(
    archive: Path, tmp_path: Path, clean: Path
) -> None:
    with _small_tmpfs(tmp_path / "disk", "120k") as disk:
        out = disk / "out"
        result = _scan(archive, out, "--batch-rows", "500")
        assert result.returncode == EXIT_WRITE, result.stderr
        line = _one_error_line(result.stderr)
        assert "No space left on device" in line and str(out) in line, line
        assert not list(out.rglob("*.tmp"))
        subprocess.run(["mount", "-o", "remount,size=50m", str(disk)], check=True)
        result = _scan(archive, out)
        assert result.returncode == 0, result.stderr
        _assert_equal_to(out, clean)


# --- chaos ------------------------------------------------------------------------------------


def test_chaos_kills_overlap_and_full_disk_then_the_same_command(
    archive: Path, tmp_path: Path, clean: Path
) -> None:
    """kill -9 at random points, a second run meanwhile, a write limit midway; then the same
    command: the result equals an uninterrupted run.
    """
    seed = int(os.environ.get("CHAOS_SEED", random.randrange(1 << 30)))
    rng = random.Random(seed)
    out = tmp_path / "out"
    rules = os.environ["FAULT_RULES"]
    command = [*CLI, "scan", str(archive), "--out", str(out), "-r", rules, "-t", "title",
               "-t", "text", "-q", "--batch-rows", "300", "--threads", "1"]  # fmt: skip
    outcomes = []
    for _ in range(3):
        first = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        time.sleep(rng.uniform(0.3, 2.5))
        second = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
        outcomes.append(second.returncode)
        # The overlapping run either found the first one running or ran after it had finished.
        assert second.returncode in (0, EXIT_LOCKED), (seed, second.stderr)
        if second.returncode == EXIT_LOCKED:
            assert "in use by another conduct-scan process" in second.stderr
        first.send_signal(signal.SIGKILL)
        first.wait()
        assert first.stderr is not None
        assert "Traceback" not in first.stderr.read(), seed
        first.stderr.close()
        full = _scan(
            archive, out, "--batch-rows", "300", limit_file_bytes=rng.randint(20_000, 200_000)
        )
        assert full.returncode in (0, EXIT_WRITE), (seed, full.stderr)
        assert "Traceback" not in full.stderr
    result = _scan(archive, out)
    assert result.returncode == 0, (seed, result.stderr)
    _assert_equal_to(out, clean)
    assert EXIT_LOCKED in outcomes or len(set(outcomes)) == 1, (seed, outcomes)


# --- every Arrow string type ------------------------------------------------------------------

TEXTS = ["đồ ngu", None, "vay tiền nhanh lãi thấp", "xin chào", "Đồ   NGU quá", ""]
POST_IDS = ["p1", "p2", None, "p4", "p5", "p6"]
ACCOUNTS_ = ["a", None, "b", "a", "c", "c"]
STRING_TYPES = [pa.string(), pa.large_string(), pa.string_view(), pa.binary(), pa.large_binary()]


def _typed(values: list[str | None], kind: pa.DataType, dictionary: bool) -> pa.Array:
    array = pa.array(values, pa.string()).cast(kind)
    return array.dictionary_encode() if dictionary else array


def test_every_string_type_and_dictionary_scans_as_plain_strings(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    archive.mkdir()
    n = 0
    for kind in STRING_TYPES:
        for dictionary in (False, True):
            if dictionary and kind == pa.string_view():
                continue  # Parquet cannot hold it (pyarrow refuses to write it); see below
            n += 1
            table = pa.table({
                "post_id": _typed(POST_IDS, kind, dictionary),
                "account_id": _typed(ACCOUNTS_, kind, not dictionary and kind != pa.string_view()),
                "text": _typed(TEXTS, kind, dictionary),
            })  # fmt: skip
            pq.write_table(table, archive / f"{n:02d}.parquet", row_group_size=2)
    # Row groups of one file with different encodings: dictionary pages, then plain ones.
    mixed = pa.table({"post_id": POST_IDS, "account_id": ACCOUNTS_, "text": TEXTS})
    with pq.ParquetWriter(archive / "99-mixed.parquet", mixed.schema) as writer:
        writer.write_table(mixed.slice(0, 3))
        writer.write_table(mixed.slice(3))
    plain = tmp_path / "plain.parquet"
    pq.write_table(mixed, plain)
    out = tmp_path / "out"
    result = _run("scan", archive, "--out", out, "-q")
    assert result.returncode == 0, result.stderr
    expected_out = tmp_path / "expected"
    assert _run("scan", plain, "--out", expected_out, "-q").returncode == 0
    keys = ["post_id", "account_id", "rule_id", "view", "start", "end", "matched"]
    expected = pl.read_parquet(expected_out / "violations" / "*.parquet").select(keys)
    got = pl.read_parquet(out / "violations" / "*.parquet")
    assert expected.height > 0
    for name, frame in got.group_by("source_file"):
        assert frame.select(keys).sort(keys).equals(expected.sort(keys)), name
    accounts = pl.read_parquet(out / "accounts" / "*.parquet")
    per_file = accounts.group_by("source_file").agg(pl.col("posts").sum())
    assert per_file["posts"].to_list() == [len(TEXTS)] * (n + 1)
    # A null account is one account, null; a null post id stays null (`row` names the post).
    nulls = accounts.filter(pl.col("account_id").is_null())
    assert nulls.group_by("source_file").agg(pl.col("posts").sum())["posts"].unique().to_list() == [
        1
    ]


def test_dictionaries_of_views_decode() -> None:
    for kind in (pa.string_view(), pa.binary_view(), pa.large_binary()):
        column = pa.chunked_array([_typed(TEXTS[:3], kind, True), _typed(TEXTS[3:], kind, True)])
        assert is_text_type(column.type)
        assert decoded(column).cast(pa.string()).to_pylist() == TEXTS


def test_binary_ids_that_are_not_utf8_are_named(tmp_path: Path) -> None:
    path = tmp_path / "bad-ids.parquet"
    pq.write_table(pa.table({"post_id": pa.array([b"\xff\xfe"], pa.binary()),
                             "account_id": ["a"], "text": ["đồ ngu"]}), path)  # fmt: skip
    result = _run("scan", path, "--out", tmp_path / "out", "-q")
    assert result.returncode == 3
    assert "bad-ids.parquet: column 'post_id' (binary) cannot be read as text" in result.stderr


# --- batches bounded by bytes -----------------------------------------------------------------


def test_batches_are_bounded_by_bytes_of_text() -> None:
    texts = ["x" * 1000] * 10 + ["y" * 5000] + ["z" * 10] * 100
    batch = pa.record_batch({"text": texts, "post_id": [str(i) for i in range(len(texts))]})
    pieces = list(split_by_bytes(batch, ("text",), 3000))
    assert sum(p.num_rows for p in pieces) == batch.num_rows
    assert pa.Table.from_batches(pieces).equals(pa.Table.from_batches([batch]))
    for piece in pieces:
        size = sum(len(t) for t in piece.column("text").to_pylist())
        assert size <= 3000 or piece.num_rows == 1
    assert max(p.num_rows for p in pieces) <= 100


def test_batch_bytes_gives_the_same_findings(archive: Path, tmp_path: Path, clean: Path) -> None:
    out = tmp_path / "out"
    result = _scan(archive, out, "--batch-bytes", "16K")
    assert result.returncode == 0, result.stderr
    _assert_equal_to(out, clean)
    bad = _scan(archive, tmp_path / "o2", "--batch-bytes", "lots")
    assert bad.returncode == 2 and "is not a size" in bad.stderr


# --- inputs that change or break midway -------------------------------------------------------


def test_a_changed_input_is_redone_out_of_the_parts_it_shares(
    archive: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "archive"
    shutil.copytree(archive, copy)
    out = tmp_path / "out"
    assert _scan(copy, out).returncode == 0
    changed = sorted(copy.rglob("*.parquet"))[4]
    table = pq.read_table(changed)
    texts = ["đồ ngu thật"] * table.num_rows
    pq.write_table(table.set_column(table.schema.get_field_index("text"), "text",
                                    pa.array(texts)), changed)  # fmt: skip
    result = _scan(copy, out)
    assert result.returncode == 0, result.stderr
    expected = tmp_path / "expected"
    assert _scan(copy, expected).returncode == 0
    _assert_equal_to(out, expected)
    assert len(list((out / "violations").glob("*.parquet"))) <= 8  # parts shared, not per file


def test_an_input_broken_midway_costs_only_itself(archive: Path, tmp_path: Path) -> None:
    copy = tmp_path / "archive"
    shutil.copytree(archive, copy)
    victim = sorted(copy.rglob("*.parquet"))[5]
    table = pq.read_table(victim)
    pq.write_table(table, victim, row_group_size=200, compression="zstd")
    metadata = pq.ParquetFile(victim).metadata
    # Garble the data of a late row group: the file opens, its first batches read, then fails.
    column = metadata.row_group(metadata.num_row_groups - 2).column(0)
    data = bytearray(victim.read_bytes())
    start = column.data_page_offset
    data[start : start + 64] = bytes(64)
    victim.write_bytes(bytes(data))
    out = tmp_path / "out"
    result = _scan(copy, out, "--batch-rows", "100")
    assert result.returncode == 3, result.stderr
    assert f"{victim.name}: cannot read" in result.stderr, result.stderr
    victim.unlink()
    expected = tmp_path / "expected"
    assert _scan(copy, expected).returncode == 0
    _assert_equal_to(out, expected)
