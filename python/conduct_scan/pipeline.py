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
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from conduct_scan import __version__
from conduct_scan._core import (
    DEFAULT_MAX_COMPILE_SECONDS,
    DEFAULT_MAX_DATABASE_MB,
    HYPERSCAN_VERSION,
    ClaimIndex,
    Ruleset,
    Scanner,
)
from conduct_scan.claims import claim_index, claims_digest
from conduct_scan.errors import InputError, ScanError
from conduct_scan.read import (
    TEXT_TYPES,
    Columns,
    Input,
    Plan,
    Reader,
    Window,
    decoded,
    discover,
    to_utc,
)
from conduct_scan.severity import SEVERITIES, count_at_or_above
from conduct_scan.store import is_url, shown
from conduct_scan.write import (
    ACCOUNTS,
    ACCOUNTS_SCHEMA,
    JOURNAL,
    VIOLATIONS,
    VIOLATIONS_SCHEMA,
    Journal,
    Parts,
    clear_outputs,
    output_lock,
    prepare,
    shown_out,
    write_json,
    write_text,
)

CONTEXT_CHARS = 80
DEFAULT_BATCH_ROWS = 65_536
DEFAULT_BATCH_BYTES = 64 << 20
COMMIT_SECONDS = 10.0
"""Inputs completed are committed at least this often (and at each new day partition), so a
kill loses at most this much work; parts themselves grow to PART_BYTES."""


class Progress(Protocol):
    """What the pipeline reports while it runs (the CLI draws a progress bar from it)."""

    def compiling(self) -> None: ...
    def compiled(self, seconds: float) -> None: ...
    def start(self, inputs: int, total_bytes: int) -> None: ...
    def advance(self, file_bytes: int, posts: int, text_bytes: int) -> None: ...
    def finish_input(self, result: InputResult) -> None: ...


class Interrupted(KeyboardInterrupt):
    """Ctrl-C during ``scan_archive``: the inputs completed before it are kept in ``out``.

    ``summary`` is the run so far (its manifest is written); ``total_inputs`` how many inputs
    the run had. Running the same scan again finishes the rest.
    """

    def __init__(self, summary: RunSummary, total_inputs: int) -> None:
        super().__init__("interrupted")
        self.summary = summary
        self.total_inputs = total_inputs

    @property
    def complete_inputs(self) -> int:
        """Inputs whose results are complete in the output directory."""
        return sum(r.status in ("scanned", "already audited") for r in self.summary.inputs)


class _Silent:
    def compiling(self) -> None:
        pass

    def compiled(self, seconds: float) -> None:
        pass

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

    out: Path | str
    """The output directory, or its URL in an object store."""
    ruleset: dict[str, str]
    inputs: list[InputResult]
    source_problems: list[dict[str, str]]
    started_at: str
    seconds: float
    compile_seconds: float = 0.0
    """Of ``seconds``, the time spent loading and compiling the ruleset (not scanning)."""

    @property
    def failed(self) -> list[InputResult]:
        return [i for i in self.inputs if i.status == "failed"]

    def total(self, name: str) -> int:
        return sum(int(getattr(i, name)) for i in self.inputs)

    def findings_at_or_above(self, severity: str) -> int:
        return sum(count_at_or_above(i.findings_by_severity, severity) for i in self.inputs)

    @property
    def scanned_bytes_this_run(self) -> int:
        return sum(i.bytes_scanned for i in self.inputs if i.status == "scanned")

    @property
    def scan_seconds(self) -> float:
        """Wall time of the run without loading and compiling the ruleset."""
        return max(self.seconds - self.compile_seconds, 0.0)

    @property
    def megabytes_per_second(self) -> float:
        """MB of text scanned per second of scanning (compile time excluded)."""
        seconds = self.scan_seconds
        return self.scanned_bytes_this_run / 1e6 / seconds if seconds else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "out": shown_out(self.out) if isinstance(self.out, Path) else self.out,
            "ruleset": self.ruleset,
            "started_at": self.started_at,
            "seconds": round(self.seconds, 3),
            "compile_seconds": round(self.compile_seconds, 3),
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


def _fingerprint(
    ruleset: Ruleset, columns: Columns, window: Window, claims: str | None = None
) -> str:
    """What the results of an input depend on besides the file itself."""
    settings = {
        "ruleset": ruleset.sha256,
        **({"claims": claims} if claims else {}),
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
    return (
        value.replace(tzinfo=dt.timezone.utc)
        if value.tzinfo is None
        else value.astimezone(dt.timezone.utc)
    )


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
    batch_bytes: int = DEFAULT_BATCH_BYTES,
    wait_lock: float = 0.0,
    fresh: bool = False,
    progress: Progress | None = None,
    max_compile_seconds: float | None = DEFAULT_MAX_COMPILE_SECONDS,
    max_database_mb: float | None = DEFAULT_MAX_DATABASE_MB,
    claims: str | os.PathLike[str] | None = None,
) -> RunSummary:
    """Audit Parquet archives into ``out``; return the run summary.

    Parameters
    ----------
    sources
        Parquet files, directories (recursive, hive partitions become columns) and globs, on
        disk or as object-store URLs (``s3://bucket/prefix/``, ``gs://...``, fsspec URLs).
    out
        Output directory, or an object-store URL (``s3://bucket/audits/nightly``):
        ``violations/``, ``accounts/``, ``journal.jsonl``, ``manifest.json``, ``ruleset.json``.
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
    batch_rows, batch_bytes
        A batch (read and scanned at a time) holds at most ``batch_rows`` rows and at most
        ``batch_bytes`` bytes of text (a single larger post is a batch of its own): memory is
        bounded by these, not by the archive or the size of its posts.
    wait_lock
        Seconds to wait when another process holds ``out`` (default: fail at once).
    fresh
        Discard the earlier results in ``out`` first (under the lock).
    progress
        Receives progress events (the CLI's progress bar).
    max_compile_seconds, max_database_mb
        Limits on compiling the ruleset (``None``: no limit); past them a ``RulesetError``
        names the rule to blame.
    claims
        A claims file (CSV or Parquet, see ``conduct_scan.claims``) matched with the
        ruleset's ``[[claim]]`` entries; findings of a claim have ``rule_id`` ``claim:<id>``.

    Raises
    ------
    RulesetError
        The ruleset is invalid (nothing is scanned).
    OutputLockedError
        Another process holds ``out`` (nothing is scanned).
    OutputWriteError
        An output file cannot be written (disk full, ...): the inputs committed before are
        kept, the rest is removed; the same call again finishes the work.
    ScanError
        The output directory cannot be written.
    """
    if is_url(out):  # an object store: a local staging directory mirrored to it
        from conduct_scan.store_output import remote_output

        with remote_output(str(out), wait_lock, fresh=fresh) as staging:
            summary = scan_archive(
                sources, staging, ruleset, text_columns=text_columns, id_column=id_column,
                account_column=account_column, time_column=time_column,
                account_type_column=account_type_column, since=since, until=until,
                threads=threads, batch_rows=batch_rows, batch_bytes=batch_bytes,
                progress=progress, max_compile_seconds=max_compile_seconds,
                max_database_mb=max_database_mb,
            )  # fmt: skip
        summary.out = shown(str(out))
        return summary
    started = time.perf_counter()
    started_at = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    report = progress or _Silent()
    out_dir = Path(out)
    window = Window(_as_utc(since), _as_utc(until))
    if window.active and not time_column:
        raise InputError("--since/--until need a time column")
    # The lock first: a second run fails at once, before it spends time compiling.
    with output_lock(out_dir, wait_lock):
        report.compiling()
        compiling = time.perf_counter()
        rules = _load_ruleset(ruleset)
        scanner = Scanner(rules, threads=threads, context=CONTEXT_CHARS,
                          max_compile_seconds=max_compile_seconds,
                          max_database_mb=max_database_mb)  # fmt: skip
        claim_matcher = claim_index(rules, claims, context=CONTEXT_CHARS, threads=threads)
        compile_seconds = time.perf_counter() - compiling
        report.compiled(compile_seconds)
        columns = Columns(
            text=tuple(text_columns),
            post_id=id_column,
            account=account_column,
            time=time_column,
            account_type=account_type_column,
            time_required=window.active,
        )
        if fresh:
            clear_outputs(out_dir)
        journal = prepare(out_dir)
        write_text(out_dir / "ruleset.json", rules.to_json())
        inputs, problems = discover(sources)
        report.start(len(inputs), sum(i.size for i in inputs))
        run = _Run(out_dir, journal, scanner, rules, columns, window, batch_rows, batch_bytes,
                   report, claim_matcher)  # fmt: skip

        def summarise() -> RunSummary:
            summary = RunSummary(
                out=out_dir,
                ruleset={"id": rules.id, "version": rules.version, "sha256": rules.sha256},
                inputs=run.results,
                source_problems=[{"source": p.source, "reason": p.reason} for p in problems],
                started_at=started_at,
                seconds=time.perf_counter() - started,
                compile_seconds=compile_seconds,
            )
            complete = len(run.results) == len(inputs)
            _write_manifest(summary, journal, scanner, columns, window, batch_rows, batch_bytes,
                            complete=complete)  # fmt: skip
            return summary

        try:
            run.audit(inputs)
        except KeyboardInterrupt:
            run.keep_completed()
            raise Interrupted(summarise(), len(inputs)) from None
        except BaseException:
            run.abort()
            with contextlib.suppress(Exception):  # the first error is the one to report
                summarise()
            raise
        return summarise()


class _Run:
    """One run's inputs: read (background thread) → scan (native threads) → write (one
    background thread, in order) with commits to the journal between inputs.
    """

    def __init__(
        self,
        out: Path,
        journal: Journal,
        scanner: Scanner,
        rules: Ruleset,
        columns: Columns,
        window: Window,
        batch_rows: int,
        batch_bytes: int,
        report: Progress,
        claims: ClaimIndex | None = None,
    ) -> None:
        self.out = out
        self.claims = claims
        self.journal = journal
        self.scanner = scanner
        self.rules = rules
        self.columns = columns
        self.window = window
        self.batch_rows = batch_rows
        self.batch_bytes = batch_bytes
        self.report = report
        self.fingerprint = _fingerprint(rules, columns, window, claims_digest(claims))
        self.parts = Parts(out, journal)
        self.results: list[InputResult] = []
        self.reader: Reader | None = None
        self.current: Input | None = None
        self.plan: Plan | None = None
        """The plan of the input about to be scanned batch by batch."""
        # Outputs are built and written in one background thread, in order, while the next
        # batch is scanned (both release the GIL); at most two batches wait.
        self.output = ThreadPoolExecutor(max_workers=1, thread_name_prefix="write")
        self.pending: deque[tuple[Future[None], bool]] = deque()

    def _submit(self, work: Any, *args: Any, batch: bool = False) -> None:
        """Queues output work; waits while more than two batches (the memory) are queued."""
        self.pending.append((self.output.submit(work, *args), batch))
        while sum(b for _, b in self.pending) > 2 or len(self.pending) > 64:
            self.pending.popleft()[0].result()

    def _wait(self) -> None:
        while self.pending:
            self.pending.popleft()[0].result()

    def _drain(self) -> None:
        """Waits for queued writes whose errors no longer matter."""
        while self.pending:
            with contextlib.suppress(Exception):
                self.pending.popleft()[0].result()

    def audit(self, inputs: Sequence[Input]) -> None:
        decided: dict[int, InputResult] = {}
        stale = []
        to_scan = []
        for n, inp in enumerate(inputs):
            entry = self.journal.done.get(inp.key)
            if (
                entry is not None
                and entry.get("fingerprint") == self.fingerprint
                and entry.get("size") == inp.size
                and entry.get("mtime_ns") == inp.mtime_ns
                and entry.get("path") == inp.location
            ):
                decided[n] = replace(InputResult(**entry["result"]), status="already audited")
                continue
            day = inp.day()
            if self.window.active and day is not None and self.window.excludes_day(day):
                decided[n] = InputResult(inp.display, "skipped", size=inp.size,
                                         ruleset_sha256=self.rules.sha256)  # fmt: skip
                continue
            if entry is not None:
                stale.append(inp.key)
            to_scan.append(inp)
        self.journal.drop(stale)
        self.reader = Reader(to_scan, self.columns, self.batch_rows, self.batch_bytes)
        last_commit = time.monotonic()
        group: list[_Small] = []
        try:
            for n, inp in enumerate(inputs):
                result = decided.get(n)
                if result is not None:
                    self.report.advance(inp.size, 0, 0)
                    self.results.append(result)
                    self.report.finish_input(result)
                    continue
                small = self._read_if_small(inp)
                if isinstance(small, InputResult):  # failed
                    self.results.append(small)
                    self.report.finish_input(small)
                elif small is not None:
                    group.append(small)
                    self.results.append(small.result)
                    rows = sum(m.table.num_rows for m in group)
                    if (
                        rows >= self.batch_rows
                        or sum(m.inp.size for m in group) >= SMALL_GROUP_BYTES
                    ):
                        self._scan_group(group)
                        group = []
                else:
                    self._scan_group(group)
                    group = []
                    self.current = inp
                    result = self._audit_input(inp)
                    self.current = None
                    self.results.append(result)
                    self.report.finish_input(result)
                following = inputs[n + 1] if n + 1 < len(inputs) else None
                if (
                    following is None
                    or following.day() != inp.day()
                    or time.monotonic() - last_commit >= COMMIT_SECONDS
                ):
                    self._scan_group(group)
                    group = []
                    self._submit(self.parts.commit)
                    last_commit = time.monotonic()
            self._scan_group(group)
            self._submit(self.parts.commit)
            self._wait()
        finally:
            self.reader.close()
            self.output.shutdown(wait=True)

    def _read_if_small(self, inp: Input) -> _Small | InputResult | None:
        """Reads a small input whole (to be scanned with its neighbours); None for a large one
        (its plan is in ``self.plan``); the failed result of one that cannot be read.
        """
        assert self.reader is not None
        self.current = inp
        try:
            plan_ = self.reader.open(inp)
            self.plan = plan_
            if not _groupable(inp, plan_, self.columns, self.batch_rows):
                return None
            batches = list(self.reader.batches(inp))
        except InputError as error:
            self.plan = None
            return InputResult(inp.display, "failed", error=str(error), size=inp.size,
                               ruleset_sha256=self.rules.sha256)  # fmt: skip
        finally:
            self.current = None
        self.plan = None
        schema = plan_.file.schema_arrow
        table = (
            pa.Table.from_batches(batches)
            if batches
            else pa.Table.from_batches([], schema=pa.schema([schema.field(c) for c in plan_.read]))
        )
        result = InputResult(inp.display, "reading", size=inp.size, rows=plan_.rows,
                             ruleset_sha256=self.rules.sha256)  # fmt: skip
        return _Small(inp, plan_, table, result)

    def _scan_group(self, group: list[_Small]) -> None:
        """Scans small inputs as one batch (one call per text column, one write): their
        results are counted per input from the rows' input numbers.
        """
        if not group:
            return
        started = time.perf_counter()
        prepared = []
        for member in group:
            try:
                prepared.append((member, self._prepare_member(member)))
            except InputError as error:
                result = member.result
                result.status, result.error = "failed", str(error)
                self.report.finish_input(result)
        group = [member for member, _ in prepared]
        if not group:
            return
        tables = []
        for i, (_, table) in enumerate(prepared):
            if table is not None:
                tables.append(
                    table.append_column("__input", pa.array(np.full(table.num_rows, i, np.int32)))
                )
        k = len(group)
        counts = {name: np.zeros(k, np.int64) for name in ("posts", "bytes", "nulls", "findings")}
        severities: list[dict[str, int]] = [{} for _ in group]
        found: list[tuple[str, pa.Table]] = []
        table = pa.concat_tables(tables) if tables else None
        if table is not None:
            owner = table.column("__input").to_numpy()
            counts["posts"] += np.bincount(owner, minlength=k)
            table = table.append_column(
                "__source", pa.array([m.inp.display for m in group]).take(table.column("__input"))
            )
            for name in self.columns.text:
                column = table.column(name)
                try:
                    findings = _with_claims(self.scanner.scan(column), self.claims, column)
                except ScanError as error:
                    bad = _failing_row(error)
                    if bad is None:
                        raise
                    # An internal error on one post fails only its input; the others of the
                    # group are scanned again without it (nothing of the group is written yet).
                    member = group[int(owner[bad])]
                    member.result.status = "failed"
                    member.result.error = _internal_error(error, table, name, bad,
                                                          member.inp.display)  # fmt: skip
                    self.report.finish_input(member.result)
                    self._scan_group([m for m in group if m is not member])
                    return
                lengths = pc.fill_null(pc.binary_length(column), 0).to_numpy()
                counts["bytes"] += np.bincount(owner, weights=lengths, minlength=k).astype(np.int64)
                nulls = pc.is_null(column).to_numpy(zero_copy_only=False)
                counts["nulls"] += np.bincount(owner[nulls], minlength=k)
                if findings.num_rows:
                    found.append((name, findings))
                    rows = findings.column("row").to_numpy()
                    hits = owner[rows]
                    counts["findings"] += np.bincount(hits, minlength=k)
                    for who, severity in zip(
                        hits.tolist(), findings.column("severity").to_pylist(), strict=True
                    ):
                        sev = severities[who]
                        sev[severity] = sev.get(severity, 0) + 1
        seconds = (time.perf_counter() - started) / k
        for i, member in enumerate(group):
            result = member.result
            result.status = "scanned"
            result.posts_scanned = int(counts["posts"][i])
            result.bytes_scanned = int(counts["bytes"][i])
            result.null_texts = int(counts["nulls"][i])
            result.findings = int(counts["findings"][i])
            result.findings_by_severity = severities[i]
            result.seconds = round(seconds, 4)
            self.report.advance(member.inp.size, result.posts_scanned, result.bytes_scanned)
        # One task writes the group and records its inputs finished: an interrupt never leaves
        # rows of an input in a part without its entry.
        if table is not None:
            table = table.select([*STANDARD_COLUMNS, "__source"])
        self._submit(self._write_group, table, found, group, batch=True)
        for member in group:
            self.report.finish_input(member.result)

    def _prepare_member(self, member: _Small) -> pa.Table | None:
        """A small input's rows as the group's columns (text as large strings), or None."""
        if member.table.num_rows == 0:
            return None
        table = _prepare_batch(member.table, member.inp, member.plan, self.columns, self.window, 0)
        columns = {name: decoded(table.column(name)).cast(pa.large_string())
                   for name in dict.fromkeys(self.columns.text)}  # fmt: skip
        for name in STANDARD_COLUMNS:
            columns[name] = table.column(name)
        return pa.table(columns)

    def _write_group(
        self, table: pa.Table | None, found: list[tuple[str, pa.Table]], group: list[_Small]
    ) -> None:
        displays = [m.inp.display for m in group]
        if table is not None:
            for name, findings in found:
                self.parts.write(VIOLATIONS, _violations(findings, table, name, None), displays)
            self.parts.write(ACCOUNTS, _account_counts(table, None), displays)
        for member in group:
            self._finish_input(member.inp, member.result)

    def _audit_input(self, inp: Input) -> InputResult:
        """Reads and scans a large input batch by batch (its plan is read already)."""
        assert self.reader is not None and self.plan is not None
        plan_, self.plan = self.plan, None
        started = time.perf_counter()
        result = InputResult(inp.display, "scanned", size=inp.size,
                             ruleset_sha256=self.rules.sha256)  # fmt: skip
        try:
            result.rows = plan_.rows
            first_row = 0
            for batch in self.reader.batches(inp):
                table = pa.Table.from_batches([batch])
                rows_in_batch = table.num_rows
                table = _prepare_batch(table, inp, plan_, self.columns, self.window, first_row)
                first_row += rows_in_batch
                text_bytes = 0
                found = []
                for name in self.columns.text:
                    findings = _scan_column(self.scanner, table, name, inp.display)
                    findings = _with_claims(findings, self.claims, table.column(name))
                    meta = findings.schema.metadata or {}
                    result.null_texts += int(meta.get(b"conduct_scan.null_rows", 0))
                    result.invalid_utf8 += int(meta.get(b"conduct_scan.invalid_utf8_rows", 0))
                    text_bytes += int(meta.get(b"conduct_scan.bytes", 0))
                    if findings.num_rows:
                        found.append((name, findings))
                        for severity, k in _count_severities(findings).items():
                            sev = result.findings_by_severity
                            sev[severity] = sev.get(severity, 0) + k
                        result.findings += findings.num_rows
                # The writer needs the ids, not the texts: they are freed once scanned.
                keep = table.select(list(STANDARD_COLUMNS))
                self._submit(self._write_batch, keep, found, inp.display, batch=True)
                result.posts_scanned += table.num_rows
                result.bytes_scanned += text_bytes
                share = inp.size * rows_in_batch // max(plan_.rows, 1)
                self.report.advance(share, table.num_rows, text_bytes)
        except InputError as error:
            self._wait()
            self._submit(self.parts.discard, inp.display)
            self._wait()
            return InputResult(inp.display, "failed", error=str(error), size=inp.size,
                               ruleset_sha256=self.rules.sha256)  # fmt: skip
        result.seconds = round(time.perf_counter() - started, 3)
        self._submit(self._finish_input, inp, result)
        return result

    def _write_batch(
        self, table: pa.Table, found: list[tuple[str, pa.Table]], display: str
    ) -> None:
        for name, findings in found:
            self.parts.write(VIOLATIONS, _violations(findings, table, name, display), [display])
        # Posts per account and day go out batch by batch (the report sums them), so memory
        # does not grow with the accounts of a large file.
        self.parts.write(ACCOUNTS, _account_counts(table, display), [display])

    def _finish_input(self, inp: Input, result: InputResult) -> None:
        parts = self.parts.parts_of(inp.display)
        result.parts = [p.split("/", 1)[1] for p in parts if p.startswith(VIOLATIONS + "/")]
        result.account_parts = [p.split("/", 1)[1] for p in parts if p.startswith(ACCOUNTS + "/")]
        self.parts.finish(
            {"key": inp.key, "path": inp.location, "size": inp.size, "mtime_ns": inp.mtime_ns,
             "fingerprint": self.fingerprint, "parts": parts, "result": _journal_result(result)}
        )  # fmt: skip

    def keep_completed(self) -> None:
        """Interrupted: commits the inputs completed so far, without the current one's rows."""
        if self.reader is not None:
            self.reader.close()
        self._drain()
        try:
            if self.current is not None:
                self.parts.discard(self.current.display)
            self.parts.commit()
        except Exception:
            self.abort()

    def abort(self) -> None:
        """After an error: drops every uncommitted part (those inputs are redone next time)."""
        if self.reader is not None:
            self.reader.close()
        self._drain()
        self.output.shutdown(wait=True)
        self.parts.abort()
        self._settle("failed", "not written (the run stopped first)")

    def _settle(self, status: str, error: str | None) -> None:
        """Inputs read this run but not committed get ``status`` (they are redone next time)."""
        committed = {entry["result"]["path"] for entry in self.journal.done.values()}
        for result in self.results:
            if result.status in ("scanned", "reading") and result.path not in committed:
                result.status, result.error = status, error


def _failing_row(error: ScanError) -> int | None:
    """The row an internal error of the scanner (a Rust panic) happened on, if it names one."""
    row = getattr(error, "row", None)
    return int(row) if row is not None else None


def _internal_error(error: ScanError, table: pa.Table, name: str, row: int, display: str) -> str:
    post = table.column("__post_id")[row].as_py()
    file_row = table.column("__row")[row].as_py()
    return (
        f"{display}: column '{name}', row {file_row} (post_id {post!r}): internal error in the "
        f"scanner, a bug in conduct-scan (please report it): {getattr(error, 'reason', error)}"
    )


def _scan_column(scanner: Scanner, table: pa.Table, name: str, display: str) -> pa.Table:
    """Scans one text column; an internal error of the scanner on a row (a bug) fails this
    input naming the post, like unreadable input does, instead of stopping the run.
    """
    try:
        return scanner.scan(table.column(name))
    except ScanError as error:
        row = _failing_row(error)
        if row is None:
            raise
        raise InputError(_internal_error(error, table, name, row, display)) from error


def _with_claims(findings: pa.Table, claims: ClaimIndex | None, column: Any) -> pa.Table:
    """The findings of the rules and of the known claims (same columns) of one text column."""
    if claims is None:
        return findings
    found = claims.scan(column)
    if not found.num_rows:
        return findings
    found = found.replace_schema_metadata(findings.schema.metadata)
    return pa.concat_tables([findings, found]).combine_chunks()


def _journal_result(result: InputResult) -> dict[str, Any]:
    """An input's result as the journal keeps it: without defaults and the part lists (the
    entry has those), so the journal stays small with many inputs.
    """
    defaults = InputResult(result.path, result.status)
    return {
        k: v
        for k, v in asdict(result).items()
        if k in ("path", "status")
        or (k not in ("parts", "account_parts") and v != getattr(defaults, k))
    }


@dataclass
class _Small:
    """A small input read whole, waiting to be scanned with its neighbours."""

    inp: Input
    plan: Plan
    table: pa.Table
    result: InputResult


SMALL_INPUT_BYTES = 4 << 20
"""Files up to this size (and ``batch_rows`` rows, with string text) are scanned in groups."""
SMALL_GROUP_BYTES = 32 << 20
STANDARD_COLUMNS = ("__post_id", "__account_id", "__account_type", "__created_at", "__row")


def _groupable(inp: Input, plan_: Plan, columns: Columns, batch_rows: int) -> bool:
    """Whether an input is small enough to be scanned in a group, and its text is strings (the
    scanner counts invalid UTF-8 of binary text per call, so those are scanned alone).
    """
    if inp.size > SMALL_INPUT_BYTES or plan_.rows > batch_rows:
        return False
    schema = plan_.file.schema_arrow
    for name in columns.text:
        if name in schema.names:
            kind = schema.field(name).type
            kind = kind.value_type if pa.types.is_dictionary(kind) else kind
            if kind not in TEXT_TYPES:
                return False
    return True


def _as_string(column: pa.ChunkedArray, name: str, display: str) -> pa.ChunkedArray:
    """An id or account-type column as strings (nulls stay null); binary must be UTF-8."""
    kind = column.type
    try:
        return decoded(column).cast(pa.string())
    except pa.ArrowException:
        raise InputError(
            f"{display}: column '{name}' ({kind}) cannot be read as text"
            + (" (bytes that are not UTF-8)" if _is_binary(kind) else "")
        ) from None


def _is_binary(kind: pa.DataType) -> bool:
    if pa.types.is_dictionary(kind):
        kind = kind.value_type
    return bool(
        pa.types.is_binary(kind) or pa.types.is_large_binary(kind) or kind == pa.binary_view()
    )


def _prepare_batch(
    table: pa.Table, inp: Input, plan_: Plan, columns: Columns, window: Window, first_row: int
) -> pa.Table:
    """The batch with the standard columns (post id, account, type, time as UTC, row number),
    filtered to the time window.
    """
    n = table.num_rows
    for name in dict.fromkeys(columns.text):
        if pa.types.is_dictionary(table.schema.field(name).type):
            index = table.schema.get_field_index(name)
            table = table.set_column(index, name, decoded(table.column(name)))
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


def _violations(
    findings: pa.Table, batch: pa.Table, field_name: str, display: str | None
) -> pa.Table:
    """The violations of one text column of a batch; ``display`` names the input, or None
    when the batch holds several (their names are in ``__source``).
    """
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
        "source_file": pa.array([display] * n, pa.string()) if display else take("__source"),
        "row": take("__row"),
    }  # fmt: skip
    return pa.table(columns, schema=VIOLATIONS_SCHEMA)


def _count_severities(findings: pa.Table) -> dict[str, int]:
    counts = pc.value_counts(findings.column("severity").combine_chunks())
    return {str(v["values"]): int(v["counts"]) for v in counts.to_pylist()}


def _account_counts(table: pa.Table, display: str | None) -> pa.Table:
    """Posts per account, account type and day (UTC) in one batch (of one input, ``display``,
    or of several, named in ``__source``).
    """
    keys = {
        "account_id": table.column("__account_id"),
        "account_type": table.column("__account_type"),
        "day": pc.cast(table.column("__created_at"), pa.date32()),
    }
    if display is None:
        keys["source_file"] = table.column("__source")
    # Single-threaded: the scanner has the cores, and Acero's thread pool costs more than it
    # saves on a batch (1.6 ms against 0.2 ms for the 50 rows of a small file).
    counts = (
        pa.table(keys)
        .group_by(list(keys), use_threads=False)
        .aggregate([([], "count_all")])
        .rename_columns([*keys, "posts"])
    )
    if display is not None:
        counts = counts.append_column(
            "source_file", pa.array([display] * counts.num_rows, pa.string())
        )
    return counts.select(ACCOUNTS_SCHEMA.names).cast(ACCOUNTS_SCHEMA)


MANIFEST_INPUT_FIELDS = ("path", "status", "error", "size", "rows", "posts_scanned",
                         "bytes_scanned", "findings", "findings_by_severity", "null_texts",
                         "invalid_utf8", "seconds")  # fmt: skip
"""What the manifest says of an input this run read; the journal has the rest (its parts)."""


def _write_manifest(
    summary: RunSummary,
    journal: Journal,
    scanner: Scanner,
    columns: Columns,
    window: Window,
    batch_rows: int,
    batch_bytes: int,
    *,
    complete: bool,
) -> None:
    """manifest.json: this run, and how many inputs the output directory holds.

    It lists the inputs this run read (scanned, failed, skipped), not those it found already
    audited, so it stays small however many inputs the directory accumulates; every complete
    input is in the journal.
    """
    this_run = {r.path for r in summary.inputs}
    by_status: dict[str, int] = {}
    for result in summary.inputs:
        by_status[result.status] = by_status.get(result.status, 0) + 1
    earlier = sum(entry["result"]["path"] not in this_run for entry in journal.done.values())
    if earlier:
        by_status["audited by an earlier run"] = earlier
    manifest = {
        "tool": {"name": "conduct_scan", "version": __version__, "hyperscan": HYPERSCAN_VERSION},
        "ruleset": summary.ruleset,
        "run": {
            "started_at": summary.started_at,
            "finished_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "seconds": round(summary.seconds, 3),
            "complete": complete,
            "threads": scanner.threads,
            "batch_rows": batch_rows,
            "batch_bytes": batch_bytes,
            "columns": asdict(columns),
            "since": window.since.isoformat() if window.since else None,
            "until": window.until.isoformat() if window.until else None,
        },
        "journal": JOURNAL,
        "inputs_by_status": by_status,
        "inputs_complete": len(journal.done),
        "inputs": [
            {k: v for k, v in asdict(r).items() if k in MANIFEST_INPUT_FIELDS}
            for r in summary.inputs
            if r.status != "already audited"
        ],
        "source_problems": summary.source_problems,
        "totals": summary.to_dict(),
        "throughput": {
            "megabytes_per_second": round(summary.megabytes_per_second, 2),
            "posts_per_second": round(
                sum(i.posts_scanned for i in summary.inputs if i.status == "scanned")
                / summary.scan_seconds
                if summary.scan_seconds
                else 0.0,
                1,
            ),
        },
    }
    write_json(Path(summary.out) / "manifest.json", manifest, indent=1)
