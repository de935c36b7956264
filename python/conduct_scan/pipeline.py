"""The nightly audit: read an archive, scan every post, write violations and account counts.

``scan_archive`` runs read → scan (native, parallel, GIL released) → write for each input file
in turn, in a deterministic order, and keeps the output directory incremental: an input whose
results are complete (same file, same ruleset, same options) is not scanned again, whether the
previous run finished, was killed, or was last night's. A bad input costs only itself: it is
reported (one line, in the manifest and on stderr by the CLI) and the other inputs go on.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import time
from collections import deque
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

import pyarrow as pa
import pyarrow.compute as pc

from conduct_scan import __version__
from conduct_scan._core import (
    DEFAULT_MAX_COMPILE_SECONDS,
    DEFAULT_MAX_DATABASE_MB,
    HYPERSCAN_VERSION,
    Ruleset,
    Scanner,
)
from conduct_scan.errors import InputError, ScanError
from conduct_scan.read import Columns, Input, Plan, Window, batches, discover, plan, to_utc
from conduct_scan.write import (
    ACCOUNTS,
    ACCOUNTS_SCHEMA,
    STATE,
    VIOLATIONS,
    VIOLATIONS_SCHEMA,
    PartWriter,
    all_states,
    prepare,
    read_state,
    remove_outputs,
    write_json,
)

SEVERITIES = ("info", "low", "medium", "high", "critical")
CONTEXT_CHARS = 80
DEFAULT_BATCH_ROWS = 65_536


class Progress(Protocol):
    """What the pipeline reports while it runs (the CLI draws a progress bar from it)."""

    def start(self, inputs: int, total_bytes: int) -> None: ...
    def advance(self, file_bytes: int, posts: int, text_bytes: int) -> None: ...
    def finish_input(self, result: InputResult) -> None: ...


class _Silent:
    def start(self, inputs: int, total_bytes: int) -> None:
        pass

    def advance(self, file_bytes: int, posts: int, text_bytes: int) -> None:
        pass

    def finish_input(self, result: InputResult) -> None:
        pass


@dataclass
class InputResult:
    """What happened to one input file."""

    path: str
    status: str
    """``scanned``, ``already audited``, ``skipped`` (outside --since/--until) or ``failed``."""
    error: str | None = None
    size: int = 0
    rows: int = 0
    posts_scanned: int = 0
    bytes_scanned: int = 0
    findings: int = 0
    findings_by_severity: dict[str, int] = field(default_factory=dict)
    null_texts: int = 0
    invalid_utf8: int = 0
    parts: list[str] = field(default_factory=list)
    account_parts: list[str] = field(default_factory=list)
    seconds: float = 0.0
    ruleset_sha256: str = ""


@dataclass
class RunSummary:
    """The outcome of ``scan_archive``."""

    out: Path
    ruleset: dict[str, str]
    inputs: list[InputResult]
    source_problems: list[dict[str, str]]
    started_at: str
    seconds: float

    @property
    def failed(self) -> list[InputResult]:
        return [i for i in self.inputs if i.status == "failed"]

    def total(self, name: str) -> int:
        return sum(int(getattr(i, name)) for i in self.inputs)

    def findings_at_or_above(self, severity: str) -> int:
        rank = SEVERITIES.index(severity)
        return sum(
            n
            for i in self.inputs
            for s, n in i.findings_by_severity.items()
            if s in SEVERITIES and SEVERITIES.index(s) >= rank
        )

    @property
    def scanned_bytes_this_run(self) -> int:
        return sum(i.bytes_scanned for i in self.inputs if i.status == "scanned")

    @property
    def megabytes_per_second(self) -> float:
        return self.scanned_bytes_this_run / 1e6 / self.seconds if self.seconds else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "out": str(self.out),
            "ruleset": self.ruleset,
            "started_at": self.started_at,
            "seconds": round(self.seconds, 3),
            "inputs": len(self.inputs),
            "inputs_failed": len(self.failed),
            "inputs_scanned": sum(i.status == "scanned" for i in self.inputs),
            "inputs_already_audited": sum(i.status == "already audited" for i in self.inputs),
            "posts_scanned": self.total("posts_scanned"),
            "bytes_scanned": self.total("bytes_scanned"),
            "findings": self.total("findings"),
            "findings_by_severity": {
                s: sum(i.findings_by_severity.get(s, 0) for i in self.inputs) for s in SEVERITIES
            },
            "megabytes_per_second": round(self.megabytes_per_second, 2),
        }


def _load_ruleset(ruleset: Ruleset | str | os.PathLike[str] | None) -> Ruleset:
    if ruleset is None:
        return Ruleset.load()
    if isinstance(ruleset, Ruleset):
        return ruleset
    return Ruleset.load(ruleset)


def _fingerprint(ruleset: Ruleset, columns: Columns, window: Window) -> str:
    """What the results of an input depend on besides the file itself."""
    settings = {
        "ruleset": ruleset.sha256,
        "columns": asdict(columns),
        "since": window.since.isoformat() if window.since else None,
        "until": window.until.isoformat() if window.until else None,
        "context": CONTEXT_CHARS,
        "schema": VIOLATIONS_SCHEMA.to_string(),
    }
    return hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()


def _as_utc(value: dt.datetime | dt.date | str | None) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time())
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def scan_archive(
    sources: Sequence[str | os.PathLike[str]],
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
    threads: int | None = None,
    batch_rows: int = DEFAULT_BATCH_ROWS,
    progress: Progress | None = None,
    max_compile_seconds: float | None = DEFAULT_MAX_COMPILE_SECONDS,
    max_database_mb: float | None = DEFAULT_MAX_DATABASE_MB,
) -> RunSummary:
    """Audit Parquet archives into ``out``; return the run summary.

    Parameters
    ----------
    sources
        Parquet files, directories (recursive, hive partitions become columns) and globs.
    out
        Output directory: ``violations/``, ``accounts/``, ``manifest.json``, ``ruleset.json``.
        Inputs already audited there with the same ruleset and options are skipped.
    ruleset
        A ``Ruleset``, a path to one, or ``None`` for the bundled ruleset.
    text_columns
        Columns to scan; each finding says which (``field``).
    id_column, account_column, time_column, account_type_column
        Where the post id, author, time and account type are. The time and account-type
        columns are optional unless asked for explicitly by a ``since``/``until`` window.
    since, until
        Scan only posts with ``since <= created_at < until`` (UTC); day partitions outside the
        window are not read.
    threads
        Scanner threads (default: every core).
    batch_rows
        Rows read and scanned at a time: memory is bounded by this, not by the archive.
    progress
        Receives progress events (the CLI's progress bar).
    max_compile_seconds, max_database_mb
        Limits on compiling the ruleset (``None``: no limit); past them a ``RulesetError``
        names the rule to blame.

    Raises
    ------
    RulesetError
        The ruleset is invalid (nothing is scanned).
    ScanError
        The output directory cannot be written.
    """
    started = time.perf_counter()
    started_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    report = progress or _Silent()
    out_dir = Path(out)
    rules = _load_ruleset(ruleset)
    scanner = Scanner(rules, threads=threads, context=CONTEXT_CHARS,
                      max_compile_seconds=max_compile_seconds,
                      max_database_mb=max_database_mb)  # fmt: skip
    window = Window(_as_utc(since), _as_utc(until))
    columns = Columns(
        text=tuple(text_columns),
        post_id=id_column,
        account=account_column,
        time=time_column,
        account_type=account_type_column,
        time_required=window.active,
    )
    if window.active and not time_column:
        raise InputError("--since/--until need a time column")
    prepare(out_dir)
    (out_dir / "ruleset.json").write_text(rules.to_json(), encoding="utf-8")
    fingerprint = _fingerprint(rules, columns, window)
    inputs, problems = discover(sources)
    report.start(len(inputs), sum(i.size for i in inputs))
    results: list[InputResult] = []
    try:
        for inp in inputs:
            result = _audit_input(inp, out_dir, scanner, rules, columns, window, fingerprint,
                                  batch_rows, report)  # fmt: skip
            results.append(result)
            report.finish_input(result)
    finally:
        summary = RunSummary(
            out=out_dir,
            ruleset={"id": rules.id, "version": rules.version, "sha256": rules.sha256},
            inputs=results,
            source_problems=[{"source": p.source, "reason": p.reason} for p in problems],
            started_at=started_at,
            seconds=time.perf_counter() - started,
        )
        _write_manifest(
            summary, scanner, columns, window, batch_rows, complete=len(results) == len(inputs)
        )
    return summary


def _audit_input(
    inp: Input,
    out: Path,
    scanner: Scanner,
    rules: Ruleset,
    columns: Columns,
    window: Window,
    fingerprint: str,
    batch_rows: int,
    report: Progress,
) -> InputResult:
    state = read_state(out, inp.key)
    if (
        state is not None
        and state.get("fingerprint") == fingerprint
        and state.get("size") == inp.size
        and state.get("mtime_ns") == inp.mtime_ns
    ):
        result = InputResult(**state["result"])
        result.status = "already audited"
        report.advance(inp.size, 0, 0)
        return result
    day = inp.day()
    if window.active and day is not None and window.excludes_day(day):
        report.advance(inp.size, 0, 0)
        return InputResult(inp.display, "skipped", size=inp.size, ruleset_sha256=rules.sha256)

    remove_outputs(out, inp.key)
    started = time.perf_counter()
    result = InputResult(inp.display, "scanned", size=inp.size, ruleset_sha256=rules.sha256)
    writer = PartWriter(out / VIOLATIONS, inp.key, VIOLATIONS_SCHEMA)
    # Posts per account and day go out batch by batch (the report sums them), so memory does
    # not grow with the accounts of a large file.
    counter = PartWriter(out / ACCOUNTS, inp.key, ACCOUNTS_SCHEMA)
    # Building and writing a batch's outputs happens in one background thread, in order, while
    # the next batch is scanned (both release the GIL); at most two batches wait.
    output = ThreadPoolExecutor(max_workers=1, thread_name_prefix="write")
    pending: deque[Future[None]] = deque()

    def write_batch(table: pa.Table, found: list[tuple[str, pa.Table]]) -> None:
        for name, findings in found:
            writer.write(_violations(findings, table, name, inp.display))
        counter.write(_account_counts(table, inp.display))

    try:
        plan_ = plan(inp, columns)
        result.rows = plan_.rows
        first_row = 0
        for batch in batches(inp, plan_, batch_rows):
            table = pa.Table.from_batches([batch])
            rows_in_batch = table.num_rows
            table = _prepare_batch(table, inp, plan_, columns, window, first_row)
            first_row += rows_in_batch
            text_bytes = 0
            found = []
            for name in columns.text:
                findings = _scan_column(scanner, table, name, inp.display)
                meta = findings.schema.metadata or {}
                result.null_texts += int(meta.get(b"conduct_scan.null_rows", 0))
                result.invalid_utf8 += int(meta.get(b"conduct_scan.invalid_utf8_rows", 0))
                text_bytes += int(meta.get(b"conduct_scan.bytes", 0))
                if findings.num_rows:
                    found.append((name, findings))
                    for severity, n in _count_severities(findings).items():
                        sev = result.findings_by_severity
                        sev[severity] = sev.get(severity, 0) + n
                    result.findings += findings.num_rows
            pending.append(output.submit(write_batch, table, found))
            while len(pending) > 2:
                pending.popleft().result()
            result.posts_scanned += table.num_rows
            result.bytes_scanned += text_bytes
            share = inp.size * rows_in_batch // max(plan_.rows, 1)
            report.advance(share, table.num_rows, text_bytes)
        while pending:
            pending.popleft().result()
        result.parts = writer.close()
        result.account_parts = counter.close()
    except InputError as error:
        _drain(pending)
        writer.abort()
        counter.abort()
        remove_outputs(out, inp.key)
        return InputResult(inp.display, "failed", error=str(error), size=inp.size,
                           ruleset_sha256=rules.sha256)  # fmt: skip
    except BaseException:
        _drain(pending)
        writer.abort()
        counter.abort()
        raise
    finally:
        output.shutdown(wait=True)
    result.seconds = round(time.perf_counter() - started, 3)
    write_json(
        out / STATE / f"{inp.key}.json",
        {"path": str(inp.path), "size": inp.size, "mtime_ns": inp.mtime_ns,
         "fingerprint": fingerprint, "result": asdict(result)},
    )  # fmt: skip
    return result


def _scan_column(scanner: Scanner, table: pa.Table, name: str, display: str) -> pa.Table:
    """Scans one text column; an internal error of the scanner on a row (a bug) fails this
    input naming the post, like unreadable input does, instead of stopping the run.
    """
    try:
        return scanner.scan(table.column(name))
    except ScanError as error:
        row = getattr(error, "row", None)
        if row is None:
            raise
        post = table.column("__post_id")[row].as_py()
        file_row = table.column("__row")[row].as_py()
        raise InputError(
            f"{display}: column '{name}', row {file_row} (post_id {post!r}): internal error "
            f"in the scanner, a bug in conduct-scan (please report it): {error.reason}"
        ) from error


def _drain(pending: deque[Future[None]]) -> None:
    """Waits for queued writes before the writers are aborted (their errors no longer matter)."""
    while pending:
        with contextlib.suppress(Exception):
            pending.popleft().result()


def _as_string(column: pa.ChunkedArray, name: str, display: str) -> pa.ChunkedArray:
    try:
        return column.cast(pa.string())
    except pa.ArrowException:
        raise InputError(
            f"{display}: column '{name}' ({column.type}) cannot be read as text"
        ) from None


def _prepare_batch(
    table: pa.Table, inp: Input, plan_: Plan, columns: Columns, window: Window, first_row: int
) -> pa.Table:
    """The batch with the standard columns (post id, account, type, time as UTC, row number),
    filtered to the time window.
    """
    n = table.num_rows
    prepared = {
        "__post_id": _as_string(table.column(columns.post_id), columns.post_id, inp.display),
        "__account_id": _as_string(table.column(columns.account), columns.account, inp.display),
        "__account_type": (
            _as_string(table.column(plan_.account_type), plan_.account_type, inp.display)
            if plan_.account_type
            else pa.nulls(n, pa.string())
        ),
        "__created_at": (
            to_utc(table.column(plan_.time), plan_.time, inp.display)
            if plan_.time
            else pa.nulls(n, pa.timestamp("us", tz="UTC"))
        ),
        "__row": pa.array(range(first_row, first_row + n), pa.int64()),
    }
    for name, values in prepared.items():
        table = table.append_column(name, values)
    if window.active:
        created = table.column("__created_at")
        keep = pc.is_valid(created)
        if window.since is not None:
            keep = pc.and_(keep, pc.greater_equal(created, pa.scalar(window.since, created.type)))
        if window.until is not None:
            keep = pc.and_(keep, pc.less(created, pa.scalar(window.until, created.type)))
        table = table.filter(pc.fill_null(keep, False))
    return table


def _violations(findings: pa.Table, batch: pa.Table, field_name: str, display: str) -> pa.Table:
    rows = findings.column("row")
    n = findings.num_rows

    def take(name: str) -> pa.ChunkedArray:
        return batch.column(name).take(rows)

    columns = {
        "post_id": take("__post_id"),
        "account_id": take("__account_id"),
        "account_type": take("__account_type"),
        "created_at": take("__created_at"),
        "field": pa.array([field_name] * n, pa.string()),
        **{c: findings.column(c) for c in ("rule_id", "clause_id", "severity", "confidence",
                                            "view", "start", "end", "matched", "term",
                                            "context", "context_start")},
        "source_file": pa.array([display] * n, pa.string()),
        "row": take("__row"),
    }  # fmt: skip
    return pa.table(columns, schema=VIOLATIONS_SCHEMA)


def _count_severities(findings: pa.Table) -> dict[str, int]:
    counts = pc.value_counts(findings.column("severity").combine_chunks())
    return {str(v["values"]): int(v["counts"]) for v in counts.to_pylist()}


def _account_counts(table: pa.Table, display: str) -> pa.Table:
    """Posts per account, account type and day (UTC) in one batch."""
    keys = pa.table(
        {
            "account_id": table.column("__account_id"),
            "account_type": table.column("__account_type"),
            "day": pc.cast(table.column("__created_at"), pa.date32()),
        }
    )
    counts = keys.group_by(["account_id", "account_type", "day"]).aggregate([([], "count_all")])
    counts = counts.rename_columns(["account_id", "account_type", "day", "posts"])
    source = pa.array([display] * counts.num_rows, pa.string())
    return counts.append_column("source_file", source).cast(ACCOUNTS_SCHEMA)


def _write_manifest(
    summary: RunSummary,
    scanner: Scanner,
    columns: Columns,
    window: Window,
    batch_rows: int,
    *,
    complete: bool,
) -> None:
    """manifest.json: this run, and every input audited in this output directory."""
    this_run = {r.path: r for r in summary.inputs}
    recorded = []
    for state in all_states(summary.out):
        result = state.get("result", {})
        if result.get("path") not in this_run:
            recorded.append({**result, "status": "audited by an earlier run"})
    manifest = {
        "tool": {"name": "conduct_scan", "version": __version__, "hyperscan": HYPERSCAN_VERSION},
        "ruleset": summary.ruleset,
        "run": {
            "started_at": summary.started_at,
            "finished_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "seconds": round(summary.seconds, 3),
            "complete": complete,
            "threads": scanner.threads,
            "batch_rows": batch_rows,
            "columns": asdict(columns),
            "since": window.since.isoformat() if window.since else None,
            "until": window.until.isoformat() if window.until else None,
        },
        "inputs": [asdict(r) for r in summary.inputs] + recorded,
        "source_problems": summary.source_problems,
        "totals": summary.to_dict(),
        "throughput": {
            "megabytes_per_second": round(summary.megabytes_per_second, 2),
            "posts_per_second": round(
                sum(i.posts_scanned for i in summary.inputs if i.status == "scanned")
                / summary.seconds
                if summary.seconds
                else 0.0,
                1,
            ),
        },
    }
    write_json(summary.out / "manifest.json", manifest)
