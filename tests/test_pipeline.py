"""End-to-end audits of generated Parquet archives: ``scan_archive`` and ``conduct-scan scan``."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conduct_scan import Ruleset, Scanner
from conduct_scan.claims import claim_index
from conduct_scan.demo import generate_archive
from conduct_scan.pipeline import scan_archive

CLI = [sys.executable, "-m", "conduct_scan"]
RULES = """
[ruleset]
id = "t"
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
terms = ["ngu", "đồ ngu"]
views = ["casefold", "fold"]
[[rule]]
id = "scam"
clause = "d"
patterns = ['vay\\s+tiền\\s+nhanh']
"""


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("archive")
    generate_archive(path, posts=12_000, days=4, rows_per_file=1_000, seed=7)
    return path


def _violations(out: Path) -> pl.DataFrame:
    frame = pl.read_parquet(out / "violations" / "*.parquet")
    return frame.sort(["source_file", "row", "field", "start", "rule_id"])


def _accounts(out: Path) -> pl.DataFrame:
    """Posts per account and day; rows are written per batch, so they are summed first."""
    keys = ["source_file", "account_id", "account_type", "day"]
    frame = pl.read_parquet(out / "accounts" / "*.parquet")
    return frame.group_by(keys).agg(pl.col("posts").sum()).sort(keys)


def journal_entries(out: Path) -> list[dict[str, object]]:
    """The inputs ``journal.jsonl`` records complete (a line cut short by a kill is ignored)."""
    entries: list[dict[str, object]] = []
    path = out / "journal.jsonl"
    for line in path.read_text().splitlines() if path.exists() else []:
        try:
            record = json.loads(line)
        except ValueError:
            continue
        entries += record.get("inputs", [])
    return entries


def _run(*args: str | Path, check: bool = False) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [*CLI, *map(str, args)], capture_output=True, text=True, timeout=300, check=False
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


def test_results_equal_scanning_the_texts_directly(archive: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    summary = scan_archive([archive], out, text_columns=("title", "text"))
    assert not summary.failed
    table = pq.read_table(archive)
    scanner = Scanner(Ruleset.load())
    claims = claim_index(Ruleset.load())  # the bundled ruleset's known claims
    assert claims is not None
    expected = []
    for field in ("title", "text"):
        found = [*scanner.scan(table.column(field)).to_pylist(),
                 *claims.scan(table.column(field)).to_pylist()]  # fmt: skip
        for f in found:
            expected.append((table.column("post_id")[f["row"]].as_py(), field, f["rule_id"],
                             f["start"], f["end"], f["matched"]))  # fmt: skip
    got = _violations(out).select("post_id", "field", "rule_id", "start", "end", "matched")
    assert sorted(got.rows()) == sorted(expected)
    accounts = _accounts(out)
    assert accounts["posts"].sum() == table.num_rows
    assert accounts["account_id"].n_unique() == len(table.column("account_id").unique())
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["totals"]["posts_scanned"] == table.num_rows
    assert manifest["ruleset"]["sha256"] == Ruleset.load().sha256
    assert all(i["status"] == "scanned" for i in manifest["inputs"])


def test_violation_columns(archive: Path, tmp_path: Path) -> None:
    scan_archive([archive], tmp_path, text_columns=("text",))
    frame = _violations(tmp_path)
    assert frame.columns == [
        "post_id", "account_id", "account_type", "created_at", "field", "rule_id", "clause_id",
        "severity", "confidence", "view", "start", "end", "matched", "term", "context",
        "context_start", "source_file", "row",
    ]  # fmt: skip
    row = frame.row(0, named=True)
    context, at = row["context"], row["context_start"]
    assert context[at : at + len(row["matched"])] == row["matched"]
    assert frame["created_at"].dtype == pl.Datetime("us", "UTC")


def test_resume_after_kill_equals_a_clean_run(archive: Path, tmp_path: Path) -> None:
    clean = tmp_path / "clean"
    _run("scan", archive, "--out", clean, "-t", "title", "-t", "text", "-q", check=True)
    files = len(list(archive.rglob("*.parquet")))
    interrupted = []
    for delay in (0.3, 1.0, 2.0):
        out = tmp_path / f"killed-{delay}"
        process = subprocess.Popen(
            [*CLI, "scan", str(archive), "--out", str(out), "-t", "title", "-t", "text", "-q",
             "--batch-rows", "200", "--threads", "1"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        done = len(journal_entries(out))
        interrupted.append(done < files)
        _run("scan", archive, "--out", out, "-t", "title", "-t", "text", "-q", "--resume",
             check=True)  # fmt: skip
        assert _violations(out).equals(_violations(clean))
        assert _accounts(out).equals(_accounts(clean))
        assert not list(out.rglob("*.tmp"))
    assert any(interrupted), "every run finished before it was killed"


def test_nightly_runs_scan_only_new_partitions(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    generate_archive(archive, posts=3_000, days=3, seed=1)
    out = tmp_path / "out"
    first = scan_archive([archive], out)
    assert {i.status for i in first.inputs} == {"scanned"}
    generate_archive(tmp_path / "next", posts=1_000, days=1, seed=2, start=dt.date(2026, 12, 1))
    (tmp_path / "next" / "date=2026-12-01").rename(archive / "date=2026-12-01")
    second = scan_archive([archive], out)
    statuses = {Path(i.path).parent.name: i.status for i in second.inputs}
    assert statuses.pop("date=2026-12-01") == "scanned"
    assert set(statuses.values()) == {"already audited"}
    assert second.total("posts_scanned") == 4_000


def test_since_until_filter_posts_and_skip_partitions(archive: Path, tmp_path: Path) -> None:
    summary = scan_archive([archive], tmp_path, since="2026-11-26", until="2026-11-27T12:00:00")
    statuses = {Path(i.path).parent.name: i.status for i in summary.inputs}
    assert statuses["date=2026-11-25"] == "skipped"
    assert statuses["date=2026-11-28"] == "skipped"
    frame = _violations(tmp_path)
    assert frame["created_at"].min() >= dt.datetime(2026, 11, 26, tzinfo=dt.UTC)
    assert frame["created_at"].max() < dt.datetime(2026, 11, 27, 12, tzinfo=dt.UTC)
    accounts = _accounts(tmp_path)
    assert set(accounts["day"].unique().to_list()) == {dt.date(2026, 11, 26), dt.date(2026, 11, 27)}


def test_hive_partitions_become_columns(tmp_path: Path) -> None:
    folder = tmp_path / "archive" / "kind=official" / "date=2026-11-29"
    folder.mkdir(parents=True)
    pq.write_table(pa.table({"id": ["a", "b"], "who": ["x", "y"], "body": ["đồ ngu", "ok"]}),
                   folder / "p.parquet")  # fmt: skip
    summary = scan_archive([tmp_path / "archive"], tmp_path / "out", RULES_PATH(tmp_path),
                           text_columns=("body",), id_column="id", account_column="who",
                           time_column="date", account_type_column="kind")  # fmt: skip
    assert not summary.failed
    row = _violations(tmp_path / "out").row(0, named=True)
    assert row["account_type"] == "official"
    assert row["created_at"] == dt.datetime(2026, 11, 29, tzinfo=dt.UTC)


def RULES_PATH(tmp_path: Path) -> Path:
    path = tmp_path / "rules.toml"
    path.write_text(RULES, encoding="utf-8")
    return path


def test_bad_inputs_are_named_and_the_rest_is_kept(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    archive.mkdir()
    good = pa.table({"post_id": [1, 2, 3], "account_id": ["a", "b", "a"],
                     "text": ["đồ ngu", None, "vay tiền nhanh"]})  # fmt: skip
    pq.write_table(good, archive / "1-good.parquet")
    (archive / "2-corrupt.parquet").write_bytes(b"PAR1 this is not parquet")
    pq.write_table(pa.table({"post_id": [1], "account_id": ["a"], "body": ["x"]}),
                   archive / "3-missing.parquet")  # fmt: skip
    binary = pa.table({"post_id": ["x", "y"], "account_id": ["a", "c"],
                       "text": pa.array([b"ngu \xff\xfe", b"fine"], pa.binary())})  # fmt: skip
    pq.write_table(binary, archive / "4-binary.parquet")
    pq.write_table(pa.table({"post_id": [1], "account_id": ["a"], "text": [5]}),
                   archive / "5-int.parquet")  # fmt: skip
    empty = tmp_path / "empty"
    empty.mkdir()
    out = tmp_path / "out"
    result = _run("scan", archive, empty, "--out", out, "--ruleset", RULES_PATH(tmp_path))
    assert result.returncode == 3, result.stderr
    errors = [line for line in result.stderr.splitlines() if "error" in line]
    assert any("2-corrupt.parquet: not a readable Parquet file" in e for e in errors), errors
    assert any("3-missing.parquet: missing text column 'text' (columns: post_id, account_id, body)"
               in e for e in errors), errors  # fmt: skip
    assert any("5-int.parquet: text column 'text' is int64" in e for e in errors), errors
    assert any(f"{empty}: no Parquet files found" in e for e in errors), errors
    assert "Traceback" not in result.stderr
    frame = _violations(out)
    assert sorted(frame["post_id"].to_list()) == ["1", "3", "x"]
    manifest = json.loads((out / "manifest.json").read_text())
    by_file = {Path(i["path"]).name: i for i in manifest["inputs"]}
    assert by_file["4-binary.parquet"]["invalid_utf8"] == 1
    assert by_file["1-good.parquet"]["null_texts"] == 1
    assert by_file["2-corrupt.parquet"]["status"] == "failed"


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    archive = tmp_path / "a.parquet"
    pq.write_table(pa.table({"post_id": [1], "account_id": ["a"], "text": ["x"]}), archive)
    result = _run("scan", archive, "--out", blocker / "out")
    assert result.returncode == 2
    assert "cannot write the output directory" in result.stderr
    bad_rules = tmp_path / "bad.toml"
    bad_rules.write_text('[ruleset]\nid = "x"\n[[rule]]\nid = "r"\nclause = "nope"\n')
    result = _run("scan", archive, "--out", tmp_path / "o", "--ruleset", bad_rules)
    assert result.returncode == 2
    assert "bad.toml: rule r: unknown clause `nope`" in result.stderr
    result = _run("scan", tmp_path / "nothing-here", "--out", tmp_path / "o2")
    assert result.returncode == 2
    assert "nothing to scan" in result.stderr


def test_fail_on_and_log_json(archive: Path, tmp_path: Path) -> None:
    rules = RULES_PATH(tmp_path)
    result = _run("scan", archive, "--out", tmp_path / "o", "-r", rules, "--fail-on", "high",
                  "--log-json", "-q")  # fmt: skip
    summary = json.loads(result.stdout)
    high = summary["findings_by_severity"]["high"] + summary["findings_by_severity"]["critical"]
    assert result.returncode == (1 if high else 0)
    assert summary["posts_scanned"] == 12_000
    result = _run("scan", archive, "--out", tmp_path / "o", "-r", rules, "--fail-on", "critical",
                  "-q")  # fmt: skip
    assert result.returncode == 0


def test_cli_shows_no_traceback_on_missing_column(tmp_path: Path) -> None:
    archive = tmp_path / "a.parquet"
    pq.write_table(pa.table({"post_id": [1], "account_id": ["a"], "text": ["x"]}), archive)
    result = _run("scan", archive, "--out", tmp_path / "o", "--since", "2026-01-01")
    assert result.returncode == 3
    assert "missing time column 'created_at'" in result.stderr
    assert "Traceback" not in result.stderr
    assert os.path.exists(tmp_path / "o" / "manifest.json")


def test_small_files_scanned_in_groups_equal_files_scanned_alone(tmp_path: Path) -> None:
    """Small inputs are scanned many per call; their results and counts are those of inputs
    scanned one by one (``--batch-rows`` below their rows turns the grouping off).
    """
    archive = tmp_path / "archive"
    generate_archive(archive, posts=3_000, days=2, rows_per_file=40, seed=5)
    grouped, alone = tmp_path / "grouped", tmp_path / "alone"
    scan_archive([archive], grouped, text_columns=("title", "text"))
    scan_archive([archive], alone, text_columns=("title", "text"), batch_rows=7)
    assert _violations(grouped).equals(_violations(alone))
    assert _accounts(grouped).equals(_accounts(alone))
    fields = ["path", "rows", "posts_scanned", "bytes_scanned", "findings",
              "findings_by_severity", "null_texts", "invalid_utf8"]  # fmt: skip

    def per_input(out: Path) -> list[dict[str, object]]:
        inputs = json.loads((out / "manifest.json").read_text())["inputs"]
        return sorted(({k: i[k] for k in fields} for i in inputs), key=lambda i: str(i["path"]))

    assert per_input(grouped) == per_input(alone)
    assert len(per_input(grouped)) > 50
    assert len(list((grouped / "violations").glob("*.parquet"))) <= 2  # one per day
