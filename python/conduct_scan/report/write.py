"""Write the report directory: the last step, from aggregates to files.

Order: the intermediate aggregates (``aggregate_scan_output(..., work_dir=...)``: one bounded
query at a time, written to a scratch directory), then the Parquet aggregates (small joins of
those, written with ``sink_parquet``), then ``statements.jsonl`` when asked for (``dsa``),
then the documents, which read back only small pieces of what was written. Everything goes to
a hidden temporary directory next to the target, which replaces the previous report only when
complete: a failed run never leaves half a report.

A redacted report goes to ``OUT/report-redacted/``, never to ``OUT/report/``, so the internal
report and the one that may leave the trust boundary cannot be confused or overwrite each other.
"""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import Iterable
from contextlib import nullcontext
from dataclasses import replace
from pathlib import Path
from typing import Any

import polars as pl

from conduct_scan.report import accounts as account_audit
from conduct_scan.report.aggregate import (
    Aggregates,
    Thresholds,
    aggregate_scan_output,
    repeat_offenders,
)
from conduct_scan.report.campaigns import coordinated_copies_html, coordinated_copies_markdown
from conduct_scan.report.charts import charts
from conduct_scan.report.contents import collect_contents
from conduct_scan.report.html import render_html
from conduct_scan.report.markdown import render_markdown
from conduct_scan.report.redact import Pseudonymiser
from conduct_scan.report.scan_output import open_scan_output
from conduct_scan.report.statements import write_dsa_statements
from conduct_scan.report.summary import build_summary
from conduct_scan.write import output_lock

FORMATS = ("html", "md", "json", "dsa")
"""Document formats: ``html`` (report.html), ``md`` (report.md), ``json`` (summary.json),
``dsa`` (statements.jsonl). The Parquet aggregates are always written."""

DEFAULT_FORMATS = ("html", "md", "json")
"""Formats written unless asked otherwise. ``dsa`` is opt-in: about 1 KB per flagged post
(5 GB for 5 million flagged posts), wanted only by providers that file DSA statements."""

REPORT_DIR = "report"
REDACTED_REPORT_DIR = "report-redacted"
WORK_DIR = ".work"
"""Scratch directory (inside the temporary report directory) for intermediate aggregates."""

FILES = {
    "by_account.parquet": "every account: posts scanned and flagged, flag rate, findings (per "
    "clause), score, highest severity, first and last flagged time, top rule",
    "by_clause.parquet": "every clause: status, posts flagged, accounts, findings, share of "
    "posts, top rules and terms, legal references",
    "by_day.parquet": "findings, flagged posts and accounts per clause per day",
    "repeat_offenders.parquet": "accounts above the repeat-offender thresholds",
    "summary.json": "totals and aggregates for machines",
    "statements.jsonl": "draft DSA statements of reasons, one per flagged post",
    "report.md": "this report in Markdown",
    "report.html": "this report in HTML",
}
_FORMAT_FILES = {
    "json": ("summary.json",),
    "dsa": ("statements.jsonl",),
    "md": ("report.md",),
    "html": ("report.html",),
}


def parse_formats(formats: str | Iterable[str]) -> tuple[str, ...]:
    """Check ``"html,md"`` or ``["html", "md"]``; return a tuple in :data:`FORMATS` order.

    Raises
    ------
    ValueError
        An unknown format, or none at all.
    """
    items = formats.split(",") if isinstance(formats, str) else list(formats)
    wanted = {item.strip().lower() for item in items if item.strip()}
    unknown = sorted(wanted - set(FORMATS))
    if unknown:
        raise ValueError(
            f"unknown report format(s) {', '.join(unknown)}; choose from {', '.join(FORMATS)}"
        )
    if not wanted:
        raise ValueError(f"no report format given; choose from {', '.join(FORMATS)}")
    return tuple(f for f in FORMATS if f in wanted)


def write_report(
    out: str | Path,
    *,
    formats: str | Iterable[str] = DEFAULT_FORMATS,
    redact: bool = False,
    redact_key: bytes | None = None,
    thresholds: Thresholds | None = None,
    wait_lock: float = 0.0,
) -> Path:
    """Aggregate a scan output and write its report; silent. Holds the output directory's lock
    (the one ``scan`` takes) while it reads, so it never reads a scan half-way.

    Parameters
    ----------
    out
        The directory ``conduct-scan scan --out`` wrote.
    formats
        Documents to write, from ``html``, ``md``, ``json``, ``dsa`` (a list or ``"html,md"``);
        the Parquet aggregates are always written.
    redact
        Write a redacted report (to ``OUT/report-redacted/``): account and post ids as keyed
        pseudonyms, no matched text or context anywhere.
    redact_key
        The key of the pseudonyms (at least 16 bytes); required with ``redact``.
    thresholds
        Repeat-offender thresholds.
    wait_lock
        Seconds to wait when a scan (or another report) holds ``out``.

    Returns
    -------
    Path
        The report directory, ``OUT/report`` (``OUT/report-redacted`` when redacted).

    Raises
    ------
    conduct_scan.InputError
        ``out`` is not a readable scan output.
    conduct_scan.errors.OutputLockedError
        Another process holds ``out``.
    ValueError
        An unknown format, or ``redact`` without a (long enough) key.
    """
    chosen = parse_formats(formats)
    if redact and not redact_key:
        raise ValueError("redact=True needs redact_key")
    pseudonymiser = Pseudonymiser(redact_key) if redact and redact_key else None
    root = Path(out)
    with output_lock(root, wait_lock, create=False) if root.is_dir() else nullcontext():
        return _write_report(root, chosen, pseudonymiser, thresholds)


def _write_report(
    root: Path,
    chosen: tuple[str, ...],
    pseudonymiser: Pseudonymiser | None,
    thresholds: Thresholds | None,
) -> Path:
    scan = open_scan_output(root)
    target = root / (REDACTED_REPORT_DIR if pseudonymiser else REPORT_DIR)
    staging = _fresh_directory(root, f".{target.name}-")
    try:
        # The intermediate aggregates go to a scratch directory inside the staging directory,
        # removed before the report is moved into place.
        work = staging / WORK_DIR
        work.mkdir()
        aggregates = aggregate_scan_output(scan, thresholds=thresholds, work_dir=work)
        aggregates = replace(
            aggregates,
            by_clause=account_audit.patch_by_clause(aggregates.by_clause, root),
            by_account=account_audit.join_by_account(aggregates.by_account, root),
        )
        from conduct_scan.review.precision import measure  # the review loop reads report/

        precision = measure(root, scan.violations)
        _write(aggregates, staging, chosen, pseudonymiser, root, precision)
        shutil.rmtree(work)
        _replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def _write(
    aggregates: Aggregates,
    directory: Path,
    formats: tuple[str, ...],
    pseudonymiser: Pseudonymiser | None,
    root: Path,
    precision: Any = None,
) -> None:
    by_account = aggregates.by_account
    if pseudonymiser is not None:
        by_account = by_account.with_columns(pseudonymiser.expr("account_id", "account"))
    # One sink at a time: collect_all would cache the shared scan in memory (slower, larger).
    by_account.sink_parquet(directory / "by_account.parquet")
    aggregates.by_clause.sink_parquet(directory / "by_clause.parquet")
    aggregates.by_day.sink_parquet(directory / "by_day.parquet")
    repeat_offenders(pl.scan_parquet(directory / "by_account.parquet")).sink_parquet(
        directory / "repeat_offenders.parquet"
    )
    if "dsa" in formats:
        tool = aggregates.manifest.get("tool") if isinstance(aggregates.manifest, dict) else None
        name = "conduct-scan"
        if isinstance(tool, dict) and tool.get("version"):
            name = f"{tool.get('name') or 'conduct-scan'} {tool['version']}"
        write_dsa_statements(
            aggregates, directory / "statements.jsonl", pseudonymiser=pseudonymiser, tool=name
        )
    written = {
        "by_account.parquet",
        "by_clause.parquet",
        "by_day.parquet",
        "repeat_offenders.parquet",
    }
    for fmt in formats:
        written.update(_FORMAT_FILES[fmt])
    files = {name: what for name, what in FILES.items() if name in written}
    contents = collect_contents(aggregates, directory, pseudonymiser=pseudonymiser, files=files)
    contents = replace(
        contents,
        precision=precision,
        accounts=account_audit.collect_section(root, pseudonymiser, {}),
    )
    if "json" in formats:
        summary = build_summary(contents)
        if contents.accounts is not None:
            summary["accounts"] = {
                **contents.accounts.summary,
                "by_rule": contents.accounts.by_clause,
            }
        (directory / "summary.json").write_text(
            json.dumps(summary, ensure_ascii=False, indent=2, allow_nan=False) + "\n",
            encoding="utf-8",
        )
    if "md" in formats:
        (directory / "report.md").write_text(
            render_markdown(contents) + "\n" + coordinated_copies_markdown(root), encoding="utf-8"
        )
    if "html" in formats:
        (directory / "report.html").write_text(
            render_html(
                contents,
                charts(contents),
                extra=(coordinated_copies_html(root, redacted=pseudonymiser is not None),),
            ),
            encoding="utf-8",
        )


def _fresh_directory(parent: Path, prefix: str) -> Path:
    """Make a new empty directory with the umask's permissions (``mkdtemp``: 0700)."""
    while True:
        candidate = parent / f"{prefix}{uuid.uuid4().hex[:12]}"
        try:
            candidate.mkdir()
        except FileExistsError:
            continue
        return candidate


def _replace(staging: Path, target: Path) -> None:
    """Move the finished report into place, replacing an earlier one."""
    if target.exists():
        old = _fresh_directory(target.parent, f".{target.name}-old-")
        target.rename(old / target.name)
        staging.rename(target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        staging.rename(target)
