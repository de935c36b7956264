"""The Spark engine (``--engine spark``) against the local engine, in Spark's local mode.

One SparkSession for the module (``local[2,4]``: two task threads, and a failed task is tried
up to 4 times as on a cluster); small archives, so the module stays well under a minute and
a half.
"""

from __future__ import annotations

import collections
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from conduct_scan.cli import main
from conduct_scan.demo import generate_archive
from conduct_scan.pipeline import scan_archive
from conduct_scan.report import aggregate
from conduct_scan.write import ACCOUNTS_SCHEMA, VIOLATIONS_SCHEMA

pyspark = pytest.importorskip("pyspark", reason="pyspark is not installed (make venv installs it)")

from conduct_scan import spark as spark_engine  # noqa: E402

if shutil.which("java") is None:
    pytest.skip("no Java runtime for Spark (apt-get install openjdk-17-jre-headless; .ci/run does)",
                allow_module_level=True)  # fmt: skip

FINDING_KEY = ["post_id", "field", "rule_id", "start", "end", "matched"]
TEXT = ("title", "text")


@pytest.fixture(scope="module")
def spark() -> Any:
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    session = spark_engine.session(
        "local[2,4]",
        [("spark.ui.enabled", "false"), ("spark.sql.shuffle.partitions", "4"),
         ("spark.driver.memory", "1g")],
        quiet=True,
    )  # fmt: skip
    yield session
    session.stop()


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Hive-partitioned (date=...), 4 days, several files a day, 6,000 posts."""
    root = tmp_path_factory.mktemp("spark") / "archive"
    generate_archive(root, posts=6_000, days=4, accounts=400, seed=14, rows_per_file=700)
    return root


@pytest.fixture(scope="module")
def local_out(archive: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("local") / "out"
    scan_archive([archive], out, text_columns=TEXT)
    return out


@pytest.fixture(scope="module")
def spark_out(spark: Any, archive: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("spark-out") / "out"
    spark_engine.scan_spark(spark, [archive], out, text_columns=TEXT)
    return out


def _findings(out: Path) -> collections.Counter[tuple[Any, ...]]:
    table = pq.read_table(out / "violations", columns=FINDING_KEY)
    return collections.Counter(zip(*(table.column(c).to_pylist() for c in FINDING_KEY),
                                   strict=True))  # fmt: skip


def _posts_per_account(out: Path) -> dict[tuple[Any, ...], int]:
    frame = (
        pl.scan_parquet(str(out / "accounts" / "*.parquet"))
        .group_by("account_id", "account_type", "day")
        .agg(pl.col("posts").sum())
        .collect()
    )
    return {(r["account_id"], r["account_type"], r["day"]): r["posts"] for r in frame.to_dicts()}


def test_spark_findings_equal_local_engine(local_out: Path, spark_out: Path) -> None:
    local = _findings(local_out)
    assert sum(local.values()) > 100  # the archive has findings to compare
    assert _findings(spark_out) == local
    assert _posts_per_account(spark_out) == _posts_per_account(local_out)


def test_spark_output_has_the_local_layout(spark_out: Path, local_out: Path) -> None:
    # Same Arrow schemas (names and types) as the local engine's parts.
    violations = pq.read_table(spark_out / "violations").schema
    assert [(f.name, f.type) for f in violations] == [(f.name, f.type) for f in VIOLATIONS_SCHEMA]
    accounts = pq.read_table(spark_out / "accounts").schema
    assert [(f.name, f.type) for f in accounts] == [(f.name, f.type) for f in ACCOUNTS_SCHEMA]
    assert not list(spark_out.glob(".spark-*"))
    assert not [p for p in (spark_out / "violations").iterdir() if p.suffix != ".parquet"]
    manifest = json.loads((spark_out / "manifest.json").read_text())
    local_manifest = json.loads((local_out / "manifest.json").read_text())
    assert manifest["engine"]["name"] == "spark"
    assert manifest["engine"]["master"] == "local[2,4]"
    assert manifest["engine"]["spark_version"] == pyspark.__version__
    assert manifest["totals"]["findings"] == local_manifest["totals"]["findings"]
    assert manifest["totals"]["posts_scanned"] == local_manifest["totals"]["posts_scanned"]
    assert manifest["totals"]["bytes_scanned"] == local_manifest["totals"]["bytes_scanned"]
    # Per input, the same counts as the local engine.
    fields = ("path", "status", "rows", "posts_scanned", "bytes_scanned", "findings",
              "findings_by_severity", "null_texts")  # fmt: skip
    per_input = {i["path"]: {f: i[f] for f in fields} for i in manifest["inputs"]}
    assert per_input == {i["path"]: {f: i[f] for f in fields} for i in local_manifest["inputs"]}


def test_report_is_the_same(local_out: Path, spark_out: Path) -> None:
    local, distributed = aggregate(local_out), aggregate(spark_out)
    for name in ("by_clause", "by_account"):
        a = getattr(local, name).collect()
        b = getattr(distributed, name).collect()
        key = "clause_id" if name == "by_clause" else "account_id"
        assert a.sort(key).equals(b.sort(key)), name
    result = CliRunner().invoke(main, ["report", str(spark_out), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert (spark_out / "report" / "summary.json").exists()


def test_local_engine_takes_spark_results_as_audited(
    archive: Path, spark_out: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    shutil.copytree(spark_out, out)
    summary = scan_archive([archive], out, text_columns=TEXT)
    assert {i.status for i in summary.inputs} == {"already audited"}
    assert _findings(out) == _findings(spark_out)


def test_since_until_prune_partitions(archive: Path, spark: Any, tmp_path: Path) -> None:
    days = sorted(p.name for p in archive.iterdir())
    # A corrupt file in a day outside the window: neither engine reads it.
    (archive / days[0] / "zz-corrupt.parquet").write_bytes(b"not parquet at all")
    try:
        window = {"since": days[1].split("=")[1], "until": days[3].split("=")[1]}
        local = scan_archive([archive], tmp_path / "local", text_columns=TEXT, **window)
        dist = spark_engine.scan_spark(spark, [archive], tmp_path / "spark", text_columns=TEXT,
                                       **window)  # fmt: skip
    finally:
        (archive / days[0] / "zz-corrupt.parquet").unlink()
    statuses = collections.Counter(i.status for i in dist.inputs)
    assert statuses == collections.Counter(i.status for i in local.inputs)
    assert statuses["skipped"] > 2 and statuses["scanned"] > 2 and not statuses["failed"]
    assert _findings(tmp_path / "spark") == _findings(tmp_path / "local")
    days_seen = pl.read_parquet(str(tmp_path / "spark" / "accounts" / "*.parquet"))["day"]
    assert sorted({str(d) for d in days_seen}) == [d.split("=")[1] for d in days[1:3]]


def test_injected_executor_fault_is_retried(
    spark: Any, archive: Path, spark_out: Path, tmp_path: Path
) -> None:
    context = spark.sparkContext
    context.setLocalProperty(spark_engine.FAULT_PROPERTY, "1")
    try:
        spark_engine.scan_spark(spark, [archive], tmp_path / "out", text_columns=TEXT)
    finally:
        context.setLocalProperty(spark_engine.FAULT_PROPERTY, None)
    assert _findings(tmp_path / "out") == _findings(spark_out)
    assert _posts_per_account(tmp_path / "out") == _posts_per_account(spark_out)


def test_failing_job_names_the_file_and_publishes_nothing(spark: Any, tmp_path: Path) -> None:
    root = tmp_path / "a"
    root.mkdir()
    # Found only by an executor: a binary post id that is not UTF-8.
    bad = pa.table({"post_id": pa.array([b"ok", b"\xff\xfe"], pa.binary()),
                    "account_id": ["u", "v"], "text": ["đồ ngu", "xin chào"]})  # fmt: skip
    pq.write_table(bad, root / "1.parquet")
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("earlier")
    with pytest.raises(spark_engine.BadInputError) as caught:
        spark_engine.scan_spark(spark, [root], out)
    assert caught.value.errors == [
        f"{root}/1.parquet: column 'post_id' (binary) cannot be read as text "
        "(bytes that are not UTF-8)"
    ]
    assert sorted(p.name for p in out.iterdir()) == [".lock", "keep.txt"]


def test_bad_inputs(spark: Any, tmp_path: Path) -> None:
    root = tmp_path / "a"
    root.mkdir()
    good = pa.table({"post_id": ["1", "2"], "account_id": ["u", "v"],
                     "text": ["đồ ngu", "xin chào"]})  # fmt: skip
    pq.write_table(good, root / "1.parquet")
    pq.write_table(good.rename_columns(["post_id", "account_id", "body"]), root / "2.parquet")
    (root / "3.parquet").write_bytes(b"PAR1 garbage")
    with pytest.raises(spark_engine.BadInputError) as caught:
        spark_engine.scan_spark(spark, [root], tmp_path / "out")
    assert caught.value.errors == [
        f"{root}/2.parquet: missing text column 'text' (columns: post_id, account_id, body)",
        caught.value.errors[1],
    ]
    assert caught.value.errors[1].startswith(f"{root}/3.parquet: not a readable Parquet file (")
    assert not (tmp_path / "out" / "manifest.json").exists()
    summary = spark_engine.scan_spark(spark, [root], tmp_path / "out", skip_bad_files=True)
    assert [(i.path.rsplit("/", 1)[1], i.status) for i in summary.inputs] == [
        ("1.parquet", "scanned"),
        ("2.parquet", "failed"),
        ("3.parquet", "failed"),
    ]
    assert summary.total("findings") >= 1


def test_dataframe_source(spark: Any, tmp_path: Path) -> None:
    frame = spark.createDataFrame(
        [("1", "u", "đồ ngu"), ("2", "v", "xin chào")],
        "post_id string, account_id string, text string",
    )
    summary = spark_engine.scan_spark(spark, frame, tmp_path / "out")
    assert summary.total("posts_scanned") == 2 and summary.total("findings") >= 1
    with pytest.raises(spark_engine.InputError, match="missing text column 'body'"):
        spark_engine.scan_spark(spark, frame, tmp_path / "out2", text_columns=("body",))


def test_cli_without_pyspark_says_how_to_install(tmp_path: Path) -> None:
    code = (
        "import sys; sys.modules['pyspark'] = None\n"
        "from conduct_scan.cli import main\n"
        f"main(['scan', {str(tmp_path)!r}, '--out', {str(tmp_path / 'o')!r}, '--engine', 'spark'])"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 2
    assert run.stderr == (
        "conduct-scan: error: --engine spark needs pyspark, which is not installed: "
        "pip install 'conduct-scan[spark]'\n"
    )


def test_cli_refuses_a_claims_file_with_spark(tmp_path: Path) -> None:
    claims = tmp_path / "claims.csv"
    claims.write_text("id,text\nc1,một tin đồn thất thiệt được chia sẻ rất rộng\n", "utf-8")
    command = ["scan", str(tmp_path), "--out", str(tmp_path / "o"), "--engine", "spark",
               "--claims", str(claims)]  # fmt: skip
    result = CliRunner().invoke(main, command)
    assert result.exit_code == 2, result.output
    assert result.output.splitlines() == [
        "conduct-scan: error: --claims is not supported with --engine spark yet (the ruleset's "
        "own [[claim]]s are matched); put the claims in a ruleset that extends the bundled one, "
        "or use --engine local"
    ]
    assert not (tmp_path / "o").exists()


def test_cli_missing_column_one_line(spark: Any, tmp_path: Path) -> None:
    # In-process: the CLI uses the running session (a separate JVM would cost half a minute).
    root = tmp_path / "a"
    root.mkdir()
    pq.write_table(pa.table({"post_id": ["1"], "account_id": ["u"], "text": ["đồ ngu"]}),
                   root / "1.parquet")  # fmt: skip
    table = pa.table({"post_id": ["1"], "account_id": ["u"], "body": ["x"]})
    pq.write_table(table, root / "3.parquet")
    command = ["scan", str(root), "--out", str(tmp_path / "o"), "--engine", "spark", "-q"]
    result = CliRunner().invoke(main, command)
    assert result.exit_code == 3, result.output
    assert result.output.splitlines() == [
        f"conduct-scan: input error: {root}/3.parquet: missing text column 'text' "
        "(columns: post_id, account_id, body)",
        f"conduct-scan: error: nothing was published to {tmp_path / 'o'}; fix the input or "
        "pass --skip-bad-files to audit the others",
    ]
    result = CliRunner().invoke(main, [*command, "--skip-bad-files"])
    assert result.exit_code == 3, result.output
    assert result.output.splitlines() == [
        f"conduct-scan: input error: {root}/3.parquet: missing text column 'text' "
        "(columns: post_id, account_id, body)"
    ]
    manifest = json.loads((tmp_path / "o" / "manifest.json").read_text())
    assert manifest["inputs_by_status"] == {"scanned": 1, "failed": 1}
    assert spark.sparkContext._jsc is not None  # the test's session is still running


def test_tasks_cover_every_row_group_once() -> None:
    from conduct_scan.read import Input

    def info(name: str, groups: list[int]) -> spark_engine._FileInfo:
        size = sum(groups)
        return spark_engine._FileInfo(Input(Path(name), name, size=size), None, None,
                                      groups=tuple((10, g) for g in groups))  # fmt: skip

    files = {"/a": info("/a", [100] * 40), "/b": info("/b", [30]), "/c": info("/c", [50, 50])}
    tasks = spark_engine._tasks(files, cores=2)
    assert len(tasks) == spark_engine.TASKS_PER_CORE * 2
    seen = collections.Counter()
    for task in tasks:
        for piece in task:
            groups = (
                piece.row_groups
                if piece.row_groups is not None
                else range(len(files[piece.file].groups))
            )
            seen.update((piece.file, g) for g in groups)
            if piece.row_groups:  # row numbers of the file: 10 rows a group before it
                assert piece.first_row == 10 * piece.row_groups[0]
    assert seen == collections.Counter({(f, g) for f, i in files.items()
                                        for g in range(len(i.groups))})  # fmt: skip
    loads = [sum(p.size for p in task) for task in tasks]
    assert max(loads) <= 1.5 * sum(loads) / len(loads)  # the big file is cut, tasks even


def test_a_large_file_is_read_by_several_tasks(spark: Any, archive: Path, tmp_path: Path) -> None:
    table = pq.read_table(archive)  # one file of 6,000 posts in row groups of 250
    root = tmp_path / "a"
    root.mkdir()
    pq.write_table(table.drop_columns(["date"]), root / "all.parquet", row_group_size=250)
    files = spark_engine._check_inputs([root], spark_engine.Columns(text=TEXT),
                                       spark_engine.Window(), "")  # fmt: skip
    tasks = spark_engine._tasks(files.files, int(spark.sparkContext.defaultParallelism))
    assert len(tasks) > 2 and all(p.row_groups for t in tasks for p in t)
    local = scan_archive([root], tmp_path / "local", text_columns=TEXT)
    spark_engine.scan_spark(spark, [root], tmp_path / "spark", text_columns=TEXT)
    key = [*FINDING_KEY, "row"]  # the file's row numbers, whichever task read the row
    a, b = (pq.read_table(tmp_path / o / "violations", columns=key) for o in ("local", "spark"))
    assert a.num_rows > 100
    assert a.sort_by([(c, "ascending") for c in key]).equals(
        b.sort_by([(c, "ascending") for c in key])
    )
    assert _posts_per_account(tmp_path / "spark") == _posts_per_account(tmp_path / "local")
    assert local.total("findings") == b.num_rows


def test_input_failing_midway_leaves_no_rows(spark: Any, tmp_path: Path) -> None:
    root = tmp_path / "a"
    root.mkdir()
    good = pa.table({"post_id": pa.array([b"1", b"2"], pa.binary()), "account_id": ["u", "v"],
                     "text": ["đồ ngu", "xin chào"]})  # fmt: skip
    pq.write_table(good, root / "1.parquet")
    # Row groups of one row: the file is cut into tasks, and only its last row is unreadable.
    ids = [str(i).encode() for i in range(40)] + [b"\xff\xfe"]
    bad = pa.table({"post_id": pa.array(ids, pa.binary()), "account_id": ["w"] * 41,
                    "text": ["đồ ngu"] * 41})  # fmt: skip
    pq.write_table(bad, root / "2.parquet", row_group_size=1)
    summary = spark_engine.scan_spark(spark, [root], tmp_path / "spark", skip_bad_files=True)
    local = scan_archive([root], tmp_path / "local")
    statuses = [(i.path.rsplit("/", 1)[1], i.status, i.error) for i in summary.inputs]
    assert statuses == [(i.path.rsplit("/", 1)[1], i.status, i.error) for i in local.inputs]
    assert statuses[1][1] == "failed"
    assert _findings(tmp_path / "spark") == _findings(tmp_path / "local")
    assert set(pq.read_table(tmp_path / "spark" / "violations")["account_id"].to_pylist()) == {"u"}
    assert _posts_per_account(tmp_path / "spark") == _posts_per_account(tmp_path / "local")
