"""The audit on Apache Spark: the same scan, distributed by Spark, written in the same layout.

``scan_spark`` cuts an archive into tasks of even size (whole files, or runs of row groups of a
large file) and runs ``DataFrame.mapInArrow`` over the task numbers: each task's Python worker
reads its pieces with Arrow as the local engine does (the posts never pass through the JVM,
whose row and Arrow conversions cost more than the scan), rebuilds the ruleset once from its
TOML text (shipped with the job, not a pickled scanner: the Hyperscan cache makes every load
after the first cheap), keeps one ``Scanner`` per ruleset for the life of the worker, and scans
each batch zero-copy with the local engine's code (the same column checks, time handling,
window filter, violations and account-count code from ``pipeline``). Each task writes its
violations as a part of ``violations/`` itself; Spark does the distribution, the retries of
failed tasks and the group-by of posts per account and day. A DataFrame of posts goes through
``mapInArrow`` directly. The output directory is the one ``conduct-scan scan`` writes
(``violations/``, ``accounts/``, ``journal.jsonl``, ``manifest.json``, ``ruleset.json``), so
``conduct-scan report OUT``, Polars and DuckDB read it unchanged, and a later local run into the
same directory takes the inputs audited here as already audited.

The job writes into ``OUT/.spark-<run>/`` and publishes it into ``OUT`` only when every step
succeeded, so a failed job leaves ``OUT`` as it was. pyspark is an optional dependency
(``pip install 'conduct-scan[spark]'``); this module imports it only when it runs.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import heapq
import os
import queue
import re
import shutil
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, cast

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from conduct_scan import pipeline
from conduct_scan._core import ClaimIndex, Ruleset, Scanner
from conduct_scan.claims import claim_index, claims_digest
from conduct_scan.errors import ConductScanError, InputError, ScanError
from conduct_scan.pipeline import (
    CONTEXT_CHARS,
    DEFAULT_BATCH_BYTES,
    STANDARD_COLUMNS,
    InputResult,
    RunSummary,
    _account_counts,
    _as_utc,
    _count_severities,
    _fingerprint,
    _journal_result,
    _load_ruleset,
    _prepare_batch,
    _violations,
    _with_claims,
    _write_manifest,
)
from conduct_scan.read import (
    Columns,
    Input,
    Plan,
    Window,
    _as_input_error,
    discover,
    plan,
    rows_per_batch,
    split_by_bytes,
)
from conduct_scan.write import (
    ACCOUNTS,
    ACCOUNTS_SCHEMA,
    DICTIONARY_COLUMNS,
    JOURNAL,
    VIOLATIONS,
    VIOLATIONS_SCHEMA,
    Journal,
    _without_rows_of,
    clear_outputs,
    output_lock,
    write_json,
    write_text,
)

INSTALL_HINT = (
    "--engine spark needs pyspark, which is not installed: pip install 'conduct-scan[spark]'"
)
DEFAULT_BATCH_ROWS = 32_768
"""Rows per Arrow batch handed to a worker (``spark.sql.execution.arrow.maxRecordsPerBatch``)."""
FAULT_PROPERTY = "conduct_scan.test.fail_first_attempt"
"""A job-local property (``SparkContext.setLocalProperty``): when set, the first attempt of the
first task raises, so tests can check that Spark's retry gives the same result."""
DATAFRAME_SOURCE = "<dataframe>"
JVM_OPTIONS = "spark.driver.extraJavaOptions"
LOCAL_JVM_OPTIONS = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
"""The JVM of a local session (``--engine spark`` on paths): the workers read and scan the
posts, the JVM only plans and schedules, so its optimising JIT compiler and parallel GC cost
more CPU than they save (measured: 27 CPU-s of the JVM's down to 14 on 2M posts)."""
TMP_PREFIX = ".spark-"

TASKS_PER_CORE = 4
"""Tasks per task slot of the cluster (its cores over ``spark.task.cpus``): enough for the last
wave of tasks to even out, and for a retried task to redo little."""

# What a worker emits: one schema for five kinds of rows (``kind``): ``p`` the part of
# ``violations/`` the task wrote (``part``); ``a`` posts per account and day of one task (the
# columns of ACCOUNTS_SCHEMA, summed by Spark's group-by); per input and task, ``s`` its counts
# and ``c`` its findings of one severity (summed by Spark); ``e`` an input that could not be read
# or scanned (``error``: the local engine's line for it).
_STAT_COLUMNS = ("posts", "bytes", "null_texts", "invalid_utf8")
OUTPUT_SCHEMA = pa.schema(
    [
        ("kind", pa.string()),
        ("source_file", pa.string()),
        ("account_id", pa.string()),
        ("account_type", pa.string()),
        ("day", pa.date32()),
        *[(name, pa.int64()) for name in _STAT_COLUMNS],
        ("severity", pa.string()),
        ("findings", pa.int64()),
        ("error", pa.string()),
        ("part", pa.string()),
    ]
)


def require_pyspark() -> None:
    """Raises ConductScanError with the one line that says how to install pyspark."""
    try:
        import pyspark  # noqa: F401
        import pyspark.sql.pandas.utils as pandas_utils

        pandas_utils.require_minimum_pandas_version()
        pandas_utils.require_minimum_pyarrow_version()
    except ImportError:
        raise ConductScanError(INSTALL_HINT) from None
    except Exception as error:  # pyspark's own "package not installed" error (pandas)
        raise ConductScanError(f"{INSTALL_HINT} ({str(error).splitlines()[0]})") from None


# --- the ruleset, as text for the executors ---------------------------------------------------

_EXTENDS = re.compile(r"""^\s*extends\s*=\s*["']([^"']+)["']""", re.MULTILINE)


@dataclass(frozen=True)
class RulesetSource:
    """A ruleset as the executors rebuild it: a bundled one by name, or its TOML files."""

    sha256: str
    bundled: str | None = None
    """Name of a bundled ruleset ("" = the default one), compiled into every worker's module."""
    files: tuple[tuple[str, str], ...] = ()
    """(path relative to a common root, TOML text) of the ruleset's files and those it extends."""
    entry: str = ""
    """The file or directory to load, relative to the same root."""

    @classmethod
    def of(cls, ruleset: Ruleset | str | os.PathLike[str] | None, loaded: Ruleset) -> RulesetSource:
        """The source of ``loaded`` (which the driver loaded from ``ruleset``)."""
        if ruleset is None or loaded.sha256 == Ruleset.load().sha256:
            return cls(loaded.sha256, bundled="")
        for name in Ruleset.bundled_names():
            if Ruleset.bundled(name).sha256 == loaded.sha256:
                return cls(loaded.sha256, bundled=name)
        if isinstance(ruleset, Ruleset):
            paths = [Path(f) for f in loaded.files]
            if not paths or not all(p.is_file() for p in paths):
                raise ConductScanError(
                    "the Spark engine ships the ruleset's TOML files to the executors: pass the "
                    "ruleset as a path (this Ruleset was not loaded from files)"
                )
            top = paths[0] if len(paths) == 1 else Path(os.path.commonpath(paths))
        else:
            top = Path(ruleset)
        texts: dict[Path, str] = {}
        _gather(top.resolve(), texts)
        root = Path(os.path.commonpath([p.parent for p in texts]))
        files = tuple(sorted((str(p.relative_to(root)), t) for p, t in texts.items()))
        return cls(loaded.sha256, files=files, entry=str(top.resolve().relative_to(root)))

    def load(self) -> Ruleset:
        """The ruleset, rebuilt (on an executor); checked to be the driver's."""
        if self.bundled is not None:
            ruleset = Ruleset.bundled(self.bundled) if self.bundled else Ruleset.load()
        else:
            with tempfile.TemporaryDirectory(prefix="conduct-scan-ruleset-") as tmp:
                for relative, text in self.files:
                    path = Path(tmp, relative)
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_text(text, "utf-8")
                ruleset = Ruleset.load(Path(tmp, self.entry))
        if ruleset.sha256 != self.sha256:
            raise ScanError(
                f"the ruleset rebuilt on the executor ({ruleset.sha256[:12]}) is not the "
                f"driver's ({self.sha256[:12]}): are driver and executors on the same version?"
            )
        return ruleset


def _gather(path: Path, texts: dict[Path, str]) -> None:
    """The TOML files of a ruleset path, and of the paths their ``extends`` name."""
    files = sorted(path.rglob("*.toml")) if path.is_dir() else [path]
    for file in files:
        if file in texts:
            continue
        text = file.read_text("utf-8")
        texts[file] = text
        for target in _EXTENDS.findall(text):
            if target != "bundled" and not target.startswith("bundled:"):
                _gather((file.parent / target).resolve(), texts)


_SCANNERS: dict[tuple[str, int], tuple[Scanner, ClaimIndex | None]] = {}
"""The scanner and the known claims of each ruleset (and thread count) in this worker process
(Spark reuses Python workers)."""


def _scanner(
    source: RulesetSource, threads: int, rules: Ruleset | None = None
) -> tuple[Scanner, ClaimIndex | None]:
    """The worker's scanner of ``source``, built once; ``rules`` when the caller has loaded it
    already (the driver: loading the bundled ruleset costs ~1.6 CPU-s, checking its patterns).
    """
    key = (source.sha256, threads)
    cached = _SCANNERS.get(key)
    if cached is None:
        rules = rules or source.load()
        scanner = Scanner(rules, threads=threads, context=CONTEXT_CHARS)
        cached = (scanner, claim_index(rules, context=CONTEXT_CHARS, threads=threads))
        _SCANNERS[key] = cached
    return cached


def _worker_scanner(source: RulesetSource, context: Any) -> tuple[Scanner, ClaimIndex | None]:
    """The scanner of a task, with ``spark.task.cpus`` threads. The first task of a worker
    process loads it and then freezes the objects alive (``gc.freeze``): the modules, the
    ruleset and the scanner are never garbage, and Spark's daemon runs a full ``gc.collect()``
    after every task of a reused worker, which otherwise walks them all each time.
    """
    threads = max(int(context.cpus()), 1) if context is not None else 1
    fresh = (source.sha256, threads) not in _SCANNERS
    found = _scanner(source, threads)
    if fresh and context is not None:
        gc.freeze()
    return found


# --- the work of one task ---------------------------------------------------------------------


@dataclass(frozen=True)
class _FileInfo:
    """What a worker needs to know of one input file (its plan, made on the driver)."""

    input: Input
    time: str | None
    account_type: str | None
    schema: pa.Schema | None = None
    """The file's Arrow schema (its columns the scan reads), for the driver only."""
    groups: tuple[tuple[int, int], ...] = ()
    """(rows, compressed bytes) of each row group, from the footer: how the driver cuts a
    large file into tasks."""


@dataclass(frozen=True)
class _Piece:
    """Part of one input read by one task: some of its row groups, or all of them."""

    file: str
    """The input's key in ``_Job.files``."""
    row_groups: tuple[int, ...] | None
    """Row groups to read, in order (None: the whole file)."""
    first_row: int
    """Rows of the file before the first of them (the local engine's row numbers)."""
    size: int
    """Compressed bytes, to even out the tasks."""


@dataclass(frozen=True)
class _Job:
    """Everything a worker needs, pickled once with the function."""

    ruleset: RulesetSource
    columns: Columns
    window: Window
    files: dict[str, _FileInfo]
    """Absolute local path -> the file; empty for a DataFrame (then ``dataframe`` is used)."""
    dataframe: _FileInfo | None = None
    tasks: tuple[tuple[_Piece, ...], ...] = ()
    """The pieces of the inputs each task reads (task n: ``tasks[n]``)."""
    batch_rows: int = 0
    batch_bytes: int = DEFAULT_BATCH_BYTES
    out: str = ""
    """The job's directory (below OUT, shared by driver and executors): workers write their
    violations there."""


def _pieces(info: _FileInfo, path: str, target: int) -> list[_Piece]:
    """A file as one piece, or cut at row groups into pieces of about ``target`` bytes."""
    if len(info.groups) < 2 or info.input.size <= target * 3 // 2:
        return [_Piece(path, None, 0, info.input.size)]
    pieces: list[_Piece] = []
    groups: list[int] = []
    first = row = size = 0
    for n, (rows, compressed) in enumerate(info.groups):
        if groups and size + compressed > target:
            pieces.append(_Piece(path, tuple(groups), first, size))
            groups, first, size = [], row, 0
        groups.append(n)
        size += compressed
        row += rows
    pieces.append(_Piece(path, tuple(groups), first, size))
    return pieces


def _tasks(files: dict[str, _FileInfo], cores: int) -> tuple[tuple[_Piece, ...], ...]:
    """The inputs cut into about TASKS_PER_CORE tasks a core of even size (largest piece to
    the lightest task first); each task reads its pieces in path and row order.
    """
    wanted = max(1, TASKS_PER_CORE * cores)
    total = sum(info.input.size for info in files.values())
    target = max(total // wanted, 1)
    pieces = [p for path, info in sorted(files.items()) for p in _pieces(info, path, target)]
    count = min(wanted, len(pieces))
    loads = [(0, n) for n in range(count)]  # (bytes, task), a heap
    assigned: list[list[_Piece]] = [[] for _ in range(count)]
    for piece in sorted(pieces, key=lambda p: -p.size):
        load, n = heapq.heappop(loads)
        assigned[n].append(piece)
        heapq.heappush(loads, (load + piece.size, n))
    return tuple(
        tuple(sorted(task, key=lambda p: (p.file, p.first_row))) for task in assigned if task
    )


def _local_path(uri: str) -> str:
    parsed = urllib.parse.urlparse(uri)
    if parsed.scheme in ("", "file"):
        return os.path.normpath(urllib.parse.unquote(parsed.path))
    return uri


def _null_columns(table: pa.Table, kind: str) -> pa.RecordBatch:
    """``table``'s columns in OUTPUT_SCHEMA, the others null, as one record batch."""
    n = table.num_rows
    arrays = []
    for f in OUTPUT_SCHEMA:
        if f.name == "kind":
            arrays.append(pa.array([kind] * n, pa.string()))
        elif f.name in table.column_names:
            arrays.append(table.column(f.name).combine_chunks().cast(f.type))
        else:
            arrays.append(pa.nulls(n, f.type))
    return pa.RecordBatch.from_arrays(arrays, schema=OUTPUT_SCHEMA)


def _prepare(job: _Job, table: pa.Table) -> pa.Table:
    """A batch (rows of one or more files) with the standard columns, as the local engine
    prepares it, plus ``__source`` (the input's display name) and the file's row numbers.
    """
    pieces = []
    names = table.column("__file").combine_chunks()
    uris = pc.unique(names).to_pylist()
    for uri in uris:
        rows = table if len(uris) == 1 else table.filter(pc.equal(names, uri))
        info = job.dataframe
        if info is None:
            raise ScanError(f"{uri}: read by Spark but not among the inputs")
        for key, value in info.input.partitions.items():
            if key not in rows.column_names:
                rows = rows.append_column(key, pa.array([value] * rows.num_rows, pa.string()))
        # The plan is only asked which time and account-type columns this file has.
        plan_ = Plan(cast(pq.ParquetFile, None), 0, [], info.time, info.account_type)
        prepared = _prepare_batch(rows, info.input, plan_, job.columns, job.window, 0)
        index = prepared.schema.get_field_index("__row")
        prepared = prepared.set_column(index, "__row", prepared.column("__file_row"))
        source = pa.array([info.input.display] * prepared.num_rows, pa.string())
        pieces.append(prepared.append_column("__source", source))
    keep = [*dict.fromkeys(job.columns.text), *STANDARD_COLUMNS, "__source"]
    return pa.concat_tables([p.select(keep) for p in pieces])


def _scan_batches(job: _Job, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """The function ``mapInArrow`` runs on a DataFrame of posts (Spark hands the partition's
    rows over as Arrow batches): yields OUTPUT_SCHEMA rows as ``_scan_tasks`` does.
    """
    from pyspark import TaskContext

    context = TaskContext.get()
    _fail_first_attempt(context)
    scanner, claims = _worker_scanner(job.ruleset, context)
    writer = _PartWriter(job, context)
    counts = _Counts()
    accounts: list[pa.Table] = []
    try:
        for batch in batches:
            if batch.num_rows == 0:
                continue
            table = _prepare(job, pa.Table.from_batches([batch]))
            if table.num_rows:
                _scan_table(scanner, claims, table, job.columns, DATAFRAME_SOURCE, counts, writer)
                accounts.append(_account_counts(table, DATAFRAME_SOURCE))
    except InputError as error:
        writer.close()
        yield _null_columns(pa.table({"source_file": [DATAFRAME_SOURCE],
                                      "error": [str(error)]}), "e")  # fmt: skip
        return
    yield from _task_outputs(writer, accounts)
    yield from counts.rows(DATAFRAME_SOURCE)


@dataclass
class _Counts:
    """What a task counts of one input (the local engine's per-input figures)."""

    posts: int = 0
    bytes: int = 0
    null_texts: int = 0
    invalid_utf8: int = 0
    severities: dict[str, int] | None = None

    def add(self, findings: pa.Table, column: pa.ChunkedArray) -> None:
        meta = findings.schema.metadata or {}
        self.bytes += int(pc.sum(pc.binary_length(column)).as_py() or 0)
        self.null_texts += column.null_count
        self.invalid_utf8 += int(meta.get(b"conduct_scan.invalid_utf8_rows", 0))
        if findings.num_rows:
            severities = self.severities = self.severities or {}
            for severity, n in _count_severities(findings).items():
                severities[severity] = severities.get(severity, 0) + n

    def rows(self, display: str) -> Iterator[pa.RecordBatch]:
        """The ``s`` row and the ``c`` rows of the input."""
        stats = {name: [getattr(self, name)] for name in _STAT_COLUMNS}
        yield _null_columns(pa.table({"source_file": [display], **stats}), "s")
        if self.severities:
            names = sorted(self.severities)
            severities = pa.table({"source_file": [display] * len(names), "severity": names,
                                   "findings": [self.severities[n] for n in names]})  # fmt: skip
            yield _null_columns(severities, "c")


class _PartWriter:
    """A task's violations, written by the worker straight into the job's ``violations/`` as
    the local engine writes them (zstd, the same dictionary columns): they never pass through
    the JVM. One part a task attempt; the driver keeps only the parts of the attempts Spark
    used (``p`` rows) and removes the others (a failed or speculative attempt's).
    """

    ROWS = 65_536
    """Rows a row group."""

    def __init__(self, job: _Job, context: Any) -> None:
        attempt = context.taskAttemptId() if context is not None else os.getpid()
        task = context.partitionId() if context is not None else 0
        self.name = f"{VIOLATIONS}/part-spark-{task:05d}-{attempt}.parquet"
        self.path = Path(job.out, self.name)
        self.buffer: list[pa.Table] = []
        self.rows = 0
        self.writer: pq.ParquetWriter | None = None

    def add(self, table: pa.Table) -> None:
        self.buffer.append(table)
        self.rows += table.num_rows
        if self.rows >= self.ROWS:
            self.flush()

    def flush(self) -> None:
        if not self.buffer:
            return
        if self.writer is None:
            dictionary = DICTIONARY_COLUMNS[VIOLATIONS]
            self.writer = pq.ParquetWriter(
                self.path, VIOLATIONS_SCHEMA, compression="zstd", use_dictionary=dictionary
            )
        table = pa.concat_tables(self.buffer)
        self.writer.write_table(table, row_group_size=max(table.num_rows, 1))
        self.buffer, self.rows = [], 0

    def close(self) -> str | None:
        """The part's name below the output, None if the task found nothing."""
        self.flush()
        if self.writer is None:
            return None
        self.writer.close()
        return self.name


def _task_outputs(writer: _PartWriter, accounts: list[pa.Table]) -> Iterator[pa.RecordBatch]:
    """A task's last rows: its part of the violations, and its posts per account and day
    (summed over the task: far fewer rows for Spark's group-by than one set a batch).
    """
    part = writer.close()
    if part is not None:
        yield _null_columns(pa.table({"part": [part]}), "p")
    if accounts:
        keys = ["account_id", "account_type", "day", "source_file"]
        summed = (
            pa.concat_tables(accounts)
            .group_by(keys, use_threads=False)
            .aggregate([("posts", "sum")])
            .rename_columns([*keys, "posts"])
        )
        yield _null_columns(summed, "a")


def _fail_first_attempt(context: Any) -> None:
    if (
        context is not None
        and context.getLocalProperty(FAULT_PROPERTY)
        and context.partitionId() == 0
        and context.attemptNumber() == 0
    ):
        raise RuntimeError("conduct-scan: injected executor fault (first attempt of task 0)")


def _scan_tasks(job: _Job, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """The function ``mapInArrow`` runs over the task numbers: each task reads its pieces of
    the inputs with Arrow, as the local engine does (the posts never pass through the JVM),
    scans them and yields OUTPUT_SCHEMA rows: its violations, its posts per account and day,
    and per input its counts or the error that stopped it. A thread reads and prepares the
    next batches while this one is scanned (both release the GIL), as the local engine's
    reader does.
    """
    from pyspark import TaskContext

    context = TaskContext.get()
    _fail_first_attempt(context)
    scanner, claims = _worker_scanner(job.ruleset, context)
    writer = _PartWriter(job, context)
    accounts: list[pa.Table] = []
    pieces = [p for batch in batches for t in batch.column(0).to_pylist() for p in job.tasks[t]]
    counts = _Counts()
    failed: int | None = None
    for n, table, error in _read_ahead(job, pieces):
        if n == failed:
            continue
        display = job.files[pieces[n].file].input.display
        if table is not None:
            try:
                _scan_table(scanner, claims, table, job.columns, display, counts, writer)
                accounts.append(_account_counts(table, display))
                continue
            except InputError as scan_error:  # the scanner's internal error on a post
                failed, error = n, scan_error
        # The piece is complete, or stopped by an error.
        yield from counts.rows(display) if error is None else [_failed_row(display, error)]
        counts = _Counts()
    yield from _task_outputs(writer, accounts)


def _failed_row(display: str, error: BaseException) -> pa.RecordBatch:
    """The ``e`` row of an input that could not be read or scanned (the driver then drops
    the input's rows from every task's output).
    """
    return _null_columns(pa.table({"source_file": [display], "error": [str(error)]}), "e")


READ_AHEAD = 2
"""Prepared batches a task's reading thread may hold ahead of the scan (the local engine's
``Reader`` holds two too)."""

_Read = tuple[int, pa.Table | None, InputError | None]
"""(piece, a prepared batch of it; or None and the error that stopped it; or None, None: the
piece is complete)."""


def _read_ahead(job: _Job, pieces: Sequence[_Piece]) -> Generator[_Read, None, None]:
    """The pieces' batches, read and prepared in a thread ahead of the caller; an unreadable
    piece ends with its error and the next is read. Another error (a bug) is raised here.
    """
    # None: every piece is read; an exception: reading failed (a bug), raised here.
    ready: queue.Queue[_Read | BaseException | None] = queue.Queue(maxsize=READ_AHEAD)
    stop = threading.Event()

    def put(item: _Read | BaseException | None) -> bool:
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for n, piece in enumerate(pieces):
                try:
                    for table in _read_piece(job, piece):
                        if not put((n, table, None)):
                            return
                    end: _Read = (n, None, None)
                except (InputError, OSError, pa.ArrowException) as error:
                    end = (n, None, _as_input_error(job.files[piece.file].input, error))
                if not put(end):
                    return
        except BaseException as error:
            put(error)
            return
        put(None)

    thread = threading.Thread(target=produce, name="conduct-scan-read", daemon=True)
    thread.start()
    try:
        while True:
            item = ready.get()
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join()


def _read_piece(job: _Job, piece: _Piece) -> Iterator[pa.Table]:
    """One piece's rows, read with Arrow as the local engine reads them and prepared
    (standard columns, the file's row numbers, the window), batch by batch.
    """
    inp, columns = job.files[piece.file].input, job.columns
    plan_ = plan(inp, columns)
    try:
        rows = rows_per_batch(plan_, columns.text, job.batch_rows, job.batch_bytes)
        first_row = piece.first_row
        for batch in plan_.file.iter_batches(
            batch_size=rows, row_groups=piece.row_groups, columns=plan_.read, use_threads=False
        ):
            for key, value in inp.partitions.items():
                batch = batch.append_column(key, pa.array([value] * batch.num_rows, pa.string()))
            for part in split_by_bytes(batch, columns.text, job.batch_bytes):
                table = _prepare_batch(pa.Table.from_batches([part]), inp, plan_, columns,
                                       job.window, first_row)  # fmt: skip
                first_row += part.num_rows
                if table.num_rows:
                    yield table
    finally:
        plan_.file.close(force=True)


def _scan_table(
    scanner: Scanner,
    claims: ClaimIndex | None,
    table: pa.Table,
    columns: Columns,
    display: str,
    counts: _Counts,
    writer: _PartWriter,
) -> None:
    """Scans one prepared batch of one input: its violations to ``writer``, its figures to
    ``counts``.
    """
    counts.posts += table.num_rows
    for name in columns.text:
        column = table.column(name)
        findings = pipeline._scan_column(scanner, table, name, display)
        findings = _with_claims(findings, claims, column)
        counts.add(findings, column)
        if findings.num_rows:
            writer.add(_violations(findings, table, name, display))


# --- the driver -------------------------------------------------------------------------------


@dataclass
class _Inputs:
    """The archive as the driver sees it before the job: what to read, and what not."""

    results: list[InputResult]
    """Every input, in order; those read by the job are completed after it."""
    files: dict[str, _FileInfo]
    bad: list[InputResult]
    problems: list[dict[str, str]]


def _sum_rows(rows: Sequence[Any]) -> list[dict[str, Any]]:
    """The workers' ``s``, ``c``, ``e`` and ``p`` rows summed per (kind, input, severity, part);
    of an input read by several tasks that failed in more than one, the first error line in
    sort order is kept (the same whichever task finished first).
    """
    summed: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in sorted(rows, key=lambda r: r["error"] or ""):
        key = (row["kind"], row["source_file"], row["severity"], row["part"])
        total = summed.get(key)
        if total is None:
            summed[key] = row.asDict()
            continue
        for name in (*_STAT_COLUMNS, "findings"):
            if row[name] is not None:
                total[name] = (total[name] or 0) + row[name]
    return list(summed.values())


def _check_inputs(
    sources: Sequence[str | os.PathLike[str]], columns: Columns, window: Window, sha256: str
) -> _Inputs:
    """Finds the inputs and checks each one's footer and columns, as the local engine does;
    day partitions outside the window are skipped unread.
    """
    inputs, problems = discover(sources)
    results: list[InputResult] = []
    files: dict[str, _FileInfo] = {}
    bad: list[InputResult] = []
    for inp in inputs:
        day = inp.day()
        if window.active and day is not None and window.excludes_day(day):
            results.append(InputResult(inp.display, "skipped", size=inp.size,
                                       ruleset_sha256=sha256))  # fmt: skip
            continue
        try:
            plan_ = plan(inp, columns)
        except InputError as error:
            result = InputResult(inp.display, "failed", error=str(error), size=inp.size,
                                 ruleset_sha256=sha256)  # fmt: skip
            results.append(result)
            bad.append(result)
            continue
        names = plan_.file.schema_arrow.names
        partitions = {k: v for k, v in inp.partitions.items() if k not in names}
        arrow = plan_.file.schema_arrow
        read = pa.schema([arrow.field(name) for name in plan_.read])
        metadata = plan_.file.metadata
        groups = tuple(
            (metadata.row_group(g).num_rows, _compressed_size(metadata.row_group(g)))
            for g in range(metadata.num_row_groups)
        )
        info = _FileInfo(replace(inp, partitions=partitions), plan_.time, plan_.account_type,
                         read, groups)  # fmt: skip
        plan_.file.close()
        files[os.path.normpath(str(inp.path))] = info
        results.append(InputResult(inp.display, "scanned", size=inp.size, rows=plan_.rows,
                                   ruleset_sha256=sha256))  # fmt: skip
    return _Inputs(results, files, bad,
                   [{"source": p.source, "reason": p.reason} for p in problems])  # fmt: skip


def _compressed_size(group: pq.RowGroupMetaData) -> int:
    return sum(group.column(c).total_compressed_size for c in range(group.num_columns))


class BadInputError(InputError):
    """Inputs cannot be read and ``skip_bad_files`` is off: nothing was published.

    ``errors`` holds one line per input (the local engine's wording).
    """

    def __init__(self, errors: list[str]) -> None:
        super().__init__(errors[0])
        self.errors = errors


def _spark_reason(error: BaseException, files: dict[str, _FileInfo]) -> str:
    """One line for a failed Spark job: the input named when Spark's message names a file."""
    text = str(error)
    found = re.search(r"conduct_scan\.errors\.(?:InputError|ScanError): ([^\n]+)", text) or \
        re.search(r"(?:InputError|ScanError|RulesetError): ([^\n]+)", text)  # fmt: skip
    if found:
        return found.group(1).strip()
    for path in re.findall(r"(file:[^\s,;'\"]+\.(?:parquet|parq|pq))", text):
        info = files.get(_local_path(path))
        if info is not None:
            reason = next((line.strip() for line in text.splitlines() if line.strip()), "")
            reason = re.sub(r"\s+", " ", reason)[:300]
            return f"{info.input.display}: not a readable Parquet file ({reason})"
    first = next((line.strip() for line in text.splitlines() if line.strip()), type(error).__name__)
    return f"the Spark job failed: {first[:500]}"


@contextlib.contextmanager
def _session_conf(spark: Any, settings: dict[str, str]) -> Iterator[None]:
    """Sets runtime SQL settings for the job and puts the previous values back."""
    before = {key: spark.conf.get(key, None) for key in settings}
    for key, value in settings.items():
        spark.conf.set(key, value)
    try:
        yield
    finally:
        for key, value in before.items():
            if value is None:
                spark.conf.unset(key)
            else:
                spark.conf.set(key, value)


def _spark_schema() -> Any:
    from pyspark.sql.pandas.types import from_arrow_schema

    return from_arrow_schema(OUTPUT_SCHEMA)


def _dataframe_posts(frame: Any, columns: Columns) -> tuple[Any, _FileInfo]:
    """A DataFrame given by the caller: checked for the columns, rows numbered by Spark."""
    from pyspark.sql import functions as F

    available = list(frame.columns)

    def require(name: str, what: str) -> None:
        if name not in available:
            listed = ", ".join(available) or "none"
            raise InputError(f"{DATAFRAME_SOURCE}: missing {what} column '{name}' "
                             f"(columns: {listed})")  # fmt: skip

    for name in columns.text:
        require(name, "text")
    require(columns.post_id, "post id")
    require(columns.account, "account")
    time_ = columns.time if columns.time in available else None
    if columns.time and time_ is None and columns.time_required:
        require(columns.time, "time")
    account_type = columns.account_type if columns.account_type in available else None
    wanted = [*columns.text, columns.post_id, columns.account, time_, account_type]
    present = [c for c in dict.fromkeys(w for w in wanted if w)]
    posts = frame.select(
        *[F.col(f"`{c}`") for c in present],
        F.lit(DATAFRAME_SOURCE).alias("__file"),
        F.monotonically_increasing_id().alias("__file_row"),
    )
    info = _FileInfo(Input(Path(DATAFRAME_SOURCE), DATAFRAME_SOURCE), time_, account_type)
    return posts, info


def _clean_spark_files(directory: Path) -> list[str]:
    """Removes Spark's markers and checksums from a written directory; its parts, sorted."""
    parts = []
    for path in sorted(directory.iterdir()):
        if path.name.endswith(".parquet") and not path.name.startswith(("_", ".")):
            parts.append(f"{directory.name}/{path.name}")
        else:
            path.unlink()
    return parts


def _publish(tmp: Path, out: Path) -> None:
    """Moves a complete job's output from ``tmp`` into ``out`` (the caller holds its lock):
    the earlier results go first, the manifest comes last.
    """
    clear_outputs(out)
    for name in (VIOLATIONS, ACCOUNTS, JOURNAL, "ruleset.json", "manifest.json"):
        if (tmp / name).exists():
            os.replace(tmp / name, out / name)
    shutil.rmtree(tmp, ignore_errors=True)


def scan_spark(
    spark: Any,
    sources_or_dataframe: Sequence[str | os.PathLike[str]] | Any,
    out: str | os.PathLike[str],
    ruleset: Ruleset | str | os.PathLike[str] | None = None,
    *,
    text_columns: Sequence[str] = ("text",),
    id_column: str = "post_id",
    account_column: str = "account_id",
    time_column: str | None = "created_at",
    account_type_column: str | None = "account_type",
    since: dt.datetime | dt.date | str | None = None,
    until: dt.datetime | dt.date | str | None = None,
    skip_bad_files: bool = False,
    batch_rows: int = DEFAULT_BATCH_ROWS,
    wait_lock: float = 0.0,
) -> RunSummary:
    """Audit an archive with Spark into ``out``, in the layout of ``scan_archive``.

    Parameters
    ----------
    spark
        A ``pyspark.sql.SparkSession`` (``local[N]``, a standalone, YARN or Kubernetes cluster).
    sources_or_dataframe
        Parquet files, directories (recursive; hive partitions become columns) and globs, as
        for the local engine, or a Spark ``DataFrame`` of posts.
    out
        Output directory: a path the driver and the executors share. Its earlier results are
        replaced when the job succeeds; a failed job leaves it as it was.
    ruleset
        A ``Ruleset`` loaded from files, a path to one, or ``None`` for the bundled ruleset.
    text_columns, id_column, account_column, time_column, account_type_column, since, until
        As for ``scan_archive``.
    skip_bad_files
        Audit the other inputs when some cannot be read (each named in the summary and the
        manifest, status ``failed``), instead of failing the job (``BadInputError``).
    batch_rows
        Rows per Arrow batch handed to a Python worker.
    wait_lock
        Seconds to wait when another process holds ``out``.

    Raises
    ------
    BadInputError
        An input cannot be read (footer, columns, or a corrupt page found by an executor) and
        ``skip_bad_files`` is off: nothing is published.
    RulesetError, OutputLockedError, ScanError
        As for ``scan_archive``.
    """
    started = time.perf_counter()
    started_at = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    out_dir = Path(out)
    window = Window(_as_utc(since), _as_utc(until))
    if window.active and not time_column:
        raise InputError("--since/--until need a time column")
    columns = Columns(
        text=tuple(text_columns),
        post_id=id_column,
        account=account_column,
        time=time_column,
        account_type=account_type_column,
        time_required=window.active,
    )
    with output_lock(out_dir, wait_lock):
        compiling = time.perf_counter()
        rules = _load_ruleset(ruleset)
        source = RulesetSource.of(ruleset, rules)
        # Compiled once on the driver too: a bad ruleset fails here, before any task starts.
        # A bundled ruleset is rebuilt from its name, so the loaded one serves; files are rebuilt
        # here as an executor will, to fail before the job if shipping them loses anything.
        driver_scanner, _ = _scanner(source, 1, rules if source.bundled is not None else None)
        compile_seconds = time.perf_counter() - compiling
        for stale in out_dir.glob(f"{TMP_PREFIX}*"):
            shutil.rmtree(stale, ignore_errors=True)
        tmp = (
            out_dir / f"{TMP_PREFIX}{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}-{os.getpid()}"
        )
        tmp.mkdir()
        try:
            summary = _run(spark, sources_or_dataframe, tmp, out_dir, rules, source, columns,
                           window, skip_bad_files, batch_rows, started, started_at,
                           compile_seconds, driver_scanner)  # fmt: skip
            _publish(tmp, out_dir)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return summary


def _run(
    spark: Any,
    sources_or_dataframe: Sequence[str | os.PathLike[str]] | Any,
    tmp: Path,
    out: Path,
    rules: Ruleset,
    source: RulesetSource,
    columns: Columns,
    window: Window,
    skip_bad_files: bool,
    batch_rows: int,
    started: float,
    started_at: str,
    compile_seconds: float,
    scanner: Scanner,
) -> RunSummary:
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    is_frame = hasattr(sources_or_dataframe, "mapInArrow")
    if is_frame:
        posts, info = _dataframe_posts(sources_or_dataframe, columns)
        inputs = _Inputs([InputResult(DATAFRAME_SOURCE, "scanned", ruleset_sha256=rules.sha256)],
                         {}, [], [])  # fmt: skip
        job = _Job(source, columns, window, {}, info, out=str(tmp.resolve()))
    else:
        inputs = _check_inputs(sources_or_dataframe, columns, window, rules.sha256)
        if inputs.bad and not skip_bad_files:
            raise BadInputError([str(r.error) for r in inputs.bad])
        files = {path: replace(info, schema=None) for path, info in inputs.files.items()}
        tasks = _tasks(files, _task_slots(spark))
        job = _Job(source, columns, window, files, tasks=tasks, batch_rows=batch_rows,
                   out=str(tmp.resolve()))  # fmt: skip
        # One row per task: the workers read the files themselves (the local engine's reader).
        posts = spark.range(0, len(tasks), 1, len(tasks)) if tasks else None
    settings = {
        "spark.sql.execution.arrow.maxRecordsPerBatch": str(batch_rows),
        "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
    }
    by_source: dict[str, dict[str, Any]] = {}
    write_text(tmp / "ruleset.json", rules.to_json())
    for sub in (VIOLATIONS, ACCOUNTS):
        (tmp / sub).mkdir()
    parts: list[str] = []
    failed: dict[str, str] = {}
    if posts is not None:

        def work(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
            if is_frame:
                return _scan_batches(job, batches)
            return _scan_tasks(job, batches)

        scanned = posts.mapInArrow(work, _spark_schema()).persist(StorageLevel.MEMORY_AND_DISK)
        try:
            with _session_conf(spark, settings):
                # First the small action that runs the scan (kept by ``persist``): per input and
                # task, its counts (``s``), findings by severity (``c``) or error (``e``); the
                # parts (``p``). A few rows a task: collected as they are, summed here.
                collected = scanned.filter(F.col("kind") != "a").collect()
                counts_by_input = _sum_rows(collected)
                failed = {r["source_file"]: r["error"] for r in counts_by_input if r["kind"] == "e"}
                if failed and not skip_bad_files:
                    order = [r.path for r in inputs.results]
                    raise BadInputError([failed[p] for p in sorted(failed, key=order.index)])
                # An input that failed midway leaves no rows, as with the local engine.
                kept = ~F.col("source_file").isin(list(failed)) if failed else F.lit(True)
                accounts = (
                    scanned.filter((F.col("kind") == "a") & kept)
                    .groupBy("account_id", "account_type", "day", "source_file")
                    .agg(F.sum("posts").alias("posts"))
                    .select(*ACCOUNTS_SCHEMA.names)
                )
                accounts.write.mode("overwrite").parquet(str(tmp / ACCOUNTS))
        except Exception as error:
            if type(error).__module__.startswith(("pyspark", "py4j")):
                raise BadInputError([_spark_reason(error, inputs.files)]) from None
            raise
        finally:
            scanned.unpersist()
        written = sorted(r["part"] for r in counts_by_input if r["kind"] == "p")
        for row in counts_by_input:
            if row["source_file"] in failed or row["kind"] not in ("s", "c"):
                continue
            counts = by_source.setdefault(row["source_file"], {})
            if row["kind"] == "s":
                counts.update({c: int(row[c] or 0) for c in _STAT_COLUMNS})
            else:
                counts.setdefault("severity", {})[row["severity"]] = int(row["findings"])
        # Parts of attempts Spark did not use (failed, speculative) go; a failed input's rows
        # go from the parts that hold some.
        for path in (tmp / VIOLATIONS).iterdir():
            if f"{VIOLATIONS}/{path.name}" not in written:
                path.unlink()
        for part in written:
            for display in failed:
                _without_rows_of(tmp / part, display)
        written = [p for p in written if (tmp / p).exists()]
        if not written:
            pq.write_table(VIOLATIONS_SCHEMA.empty_table(), tmp / VIOLATIONS / "empty.parquet")
            written = [f"{VIOLATIONS}/empty.parquet"]
        parts = written + _clean_spark_files(tmp / ACCOUNTS)
    else:
        for sub, schema in ((VIOLATIONS, VIOLATIONS_SCHEMA), (ACCOUNTS, ACCOUNTS_SCHEMA)):
            pq.write_table(schema.empty_table(), tmp / sub / "empty.parquet")
            parts.append(f"{sub}/empty.parquet")
    for result in inputs.results:
        if result.path in failed:
            result.status, result.error = "failed", failed[result.path]
    seconds = time.perf_counter() - started
    for result in inputs.results:
        if result.status != "scanned":
            continue
        counts = by_source.get(result.path, {})
        result.posts_scanned = counts.get("posts", 0)
        result.bytes_scanned = counts.get("bytes", 0)
        result.null_texts = counts.get("null_texts", 0)
        result.invalid_utf8 = counts.get("invalid_utf8", 0)
        result.findings_by_severity = counts.get("severity", {})
        result.findings = sum(result.findings_by_severity.values())
    summary = RunSummary(
        out=tmp,  # the manifest is written there; the summary names ``out`` once published
        ruleset={"id": rules.id, "version": rules.version, "sha256": rules.sha256},
        inputs=inputs.results,
        source_problems=inputs.problems,
        started_at=started_at,
        seconds=seconds,
        compile_seconds=compile_seconds,
    )
    journal = Journal(tmp)
    if not is_frame:
        claims = claim_index(rules, context=CONTEXT_CHARS)
        fingerprint = _fingerprint(rules, columns, window, claims_digest(claims))
        by_display = {info.input.display: info for info in inputs.files.values()}
        entries = [
            {"key": info.input.key, "path": str(info.input.path), "size": info.input.size,
             "mtime_ns": info.input.mtime_ns, "fingerprint": fingerprint, "parts": parts,
             "result": _journal_result(result)}
            for info, result in ((by_display[r.path], r) for r in inputs.results
                                 if r.status == "scanned")
        ]  # fmt: skip
        if entries:
            journal.commit(parts, entries)
    _write_manifest(summary, journal, scanner, columns, window, batch_rows, 0, complete=True)
    _add_engine(tmp / "manifest.json", spark, skip_bad_files)
    summary.out = out
    return summary


def _task_slots(spark: Any) -> int:
    """Tasks the cluster runs at once: its cores (``defaultParallelism``) over the cores a task
    takes (``spark.task.cpus``, the threads of a task's scanner).
    """
    context = spark.sparkContext
    cpus = int(context.getConf().get("spark.task.cpus", "1") or 1)
    return max(int(context.defaultParallelism) // max(cpus, 1), 1)


def _add_engine(manifest_path: Path, spark: Any, skip_bad_files: bool) -> None:
    """The manifest's ``engine``: Spark's version, master and executors."""
    import json

    import pyspark

    manifest = json.loads(manifest_path.read_text("utf-8"))
    context = spark.sparkContext
    try:
        executors = int(context._jsc.sc().getExecutorMemoryStatus().size())
    except Exception:  # not every deployment exposes it
        executors = None
    manifest["engine"] = {
        "name": "spark",
        "spark_version": spark.version,
        "pyspark_version": pyspark.__version__,
        "master": context.master,
        "app_id": context.applicationId,
        "executors": executors,
        "default_parallelism": context.defaultParallelism,
        "skip_bad_files": skip_bad_files,
        "python": sys.version.split()[0],
    }
    manifest["run"]["threads"] = None  # per task: spark.task.cpus
    write_json(manifest_path, manifest, indent=1)


def session(master: str | None = None, conf: Sequence[tuple[str, str]] = (),
            quiet: bool = False) -> Any:  # fmt: skip
    """A SparkSession for the CLI: ``master`` (default: Spark's own, e.g. from spark-submit),
    ``conf`` settings; in local mode the Python workers run this interpreter unless
    PYSPARK_PYTHON says otherwise.
    """
    require_pyspark()
    from pyspark.sql import SparkSession

    if not master or master.startswith("local"):  # pyspark's default master is local[*]
        # Local workers run this interpreter (the one with conduct_scan); on a cluster the
        # executors' Python comes from spark.pyspark.python / spark.archives (README).
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.appName("conduct-scan")
    if master:
        builder = builder.master(master)
    builder = builder.config("spark.ui.showConsoleProgress", "false" if quiet else "true")
    if (not master or master.startswith("local")) and all(k != JVM_OPTIONS for k, _ in conf):
        builder = builder.config(JVM_OPTIONS, LOCAL_JVM_OPTIONS)
    for key, value in conf:
        builder = builder.config(key, value)
    return builder.getOrCreate()


def parse_conf(values: Sequence[str]) -> list[tuple[str, str]]:
    """``--spark-conf KEY=VALUE`` options as pairs; raises ConductScanError on a bad one."""
    pairs = []
    for value in values:
        key, sep, setting = value.partition("=")
        if not sep or not key.strip():
            raise ConductScanError(f"--spark-conf {value!r}: expected KEY=VALUE")
        pairs.append((key.strip(), setting))
    return pairs


def scan_from_cli(options: dict[str, Any]) -> RunSummary:
    """``conduct-scan scan|audit --engine spark``: a session from the options, then the scan.

    Inputs that cannot be read (without ``--skip-bad-files``) end the command with one line
    each and exit 3, as failed inputs do with the local engine; nothing is published.
    """
    import click

    from conduct_scan.cli import EXIT_PARTIAL, scan_keywords

    require_pyspark()
    from pyspark.sql import SparkSession

    # Inside a running application (a notebook, a test) its session is used and left running.
    existing = SparkSession.getActiveSession()
    spark = existing or session(options.get("spark_master"),
                                parse_conf(options.get("spark_conf") or ()),
                                quiet=bool(options.get("quiet")))  # fmt: skip
    try:
        return scan_spark(
            spark,
            options["sources"],
            options["out"],
            options["ruleset_path"],
            **scan_keywords(options),
            skip_bad_files=bool(options.get("skip_bad_files")),
        )
    except BadInputError as error:
        for line in error.errors:
            click.echo(f"conduct-scan: input error: {line}", err=True)
        click.echo(
            f"conduct-scan: error: nothing was published to {options['out']}; fix the input or "
            "pass --skip-bad-files to audit the others",
            err=True,
        )
        sys.exit(EXIT_PARTIAL)
    finally:
        if existing is None:
            spark.stop()
