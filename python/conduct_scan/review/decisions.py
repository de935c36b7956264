"""``conduct-scan review import``: reviewers' decisions, validated and stored in OUT/reviews/.

A decisions file is a filled-in sample (CSV or Parquet; any file with ``finding_id`` and
``decision`` columns). Each row is checked on its own: a row whose finding id is not a finding
of the scan output, or whose decision is not one of :data:`DECISIONS`, is reported in one line
(file, row, what is wrong) and left out; the other rows are imported. Rows with an empty
decision are not decided yet and are skipped silently (counted).

Imported decisions are appended to ``OUT/reviews/decisions-<time>-<pid>.parquet`` with the
finding's key (post, field, rule, start, end), so they apply to the same finding in any later
scan into ``OUT`` (``--fresh`` keeps ``reviews/``). A reviewer's latest decision on a finding
replaces their earlier ones; decisions of different reviewers are kept side by side.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from conduct_scan.errors import InputError
from conduct_scan.report.scan_output import open_scan_output
from conduct_scan.review.ids import DECISIONS, KEY_COLUMNS, finding_ids
from conduct_scan.write import output_lock

REVIEWS_DIR = "reviews"

STORED_SCHEMA: dict[str, pl.DataType] = {
    "finding_id": pl.String(),
    "post_id": pl.String(),
    "field": pl.String(),
    "rule_id": pl.String(),
    "start": pl.Int64(),
    "end": pl.Int64(),
    "clause_id": pl.String(),
    "decision": pl.String(),
    "note": pl.String(),
    "reviewer": pl.String(),
    "decided_in": pl.String(),
    "imported_at": pl.Datetime("us", "UTC"),
}
"""Columns of ``OUT/reviews/*.parquet``."""


@dataclass
class ImportResult:
    """What an import did: rows imported, rows skipped undecided, one line per bad row."""

    imported: int = 0
    undecided: int = 0
    problems: list[str] = field(default_factory=list)
    path: Path | None = None


def _read(path: Path) -> pl.DataFrame:
    try:
        if path.suffix.lower() == ".parquet":
            frame = pl.read_parquet(path)
            return frame.with_columns(pl.all().cast(pl.String))
        return pl.read_csv(path, infer_schema=False, encoding="utf8-lossy")
    except (OSError, pl.exceptions.PolarsError) as error:
        raise InputError(f"{path}: cannot read ({str(error).splitlines()[0]})") from None


def import_decisions(
    out: str | Path,
    files: Iterable[str | Path],
    *,
    reviewer: str | None = None,
    redact_key: bytes | None = None,
    wait_lock: float = 0.0,
) -> ImportResult:
    """Validate the decision ``files`` against the findings of ``out`` and store the good rows.

    Parameters
    ----------
    out
        The scan output the sample was drawn from.
    files
        Filled-in samples (``.csv`` or ``.parquet``).
    reviewer
        Who decided, for files without a filled ``reviewer`` column (default: the file's name
        without suffix).
    redact_key
        The redaction key, to resolve the keyed finding ids of a redacted sample.
    wait_lock
        Seconds to wait when a scan holds ``out``.
    """
    root = Path(out)
    if not root.is_dir():
        raise InputError(f"{root}: not a directory")
    result = ImportResult()
    with output_lock(root, wait_lock, create=False):
        scan = open_scan_output(root)
        findings = scan.violations.select(*KEY_COLUMNS, "clause_id").collect(engine="streaming")
        known = findings.with_columns(finding_ids(findings))
        if redact_key is not None:
            keyed = findings.with_columns(finding_ids(findings, redact_key))
            known = pl.concat([known, keyed])
        known = known.unique("finding_id", keep="first")
        now = dt.datetime.now(dt.timezone.utc)
        batches: list[pl.DataFrame] = []
        for name in files:
            path = Path(name)
            try:
                frame = _read(path)
            except InputError as error:
                result.problems.append(str(error))
                continue
            missing = [c for c in ("finding_id", "decision") if c not in frame.columns]
            if missing:
                result.problems.append(
                    f"{path}: no {' or '.join(repr(c) for c in missing)} column "
                    f"(columns: {', '.join(frame.columns)})"
                )
                continue
            batches.append(_validate(path, frame, known, reviewer, now, result))
        good = pl.concat(batches) if batches else pl.DataFrame(schema=STORED_SCHEMA)
        result.imported = good.height
        if good.height:
            directory = root / REVIEWS_DIR
            directory.mkdir(exist_ok=True)
            stamp = now.strftime("%Y%m%dT%H%M%S%fZ")
            target = directory / f"decisions-{stamp}-{os.getpid()}.parquet"
            temporary = target.with_suffix(".parquet.tmp")
            good.write_parquet(temporary)
            temporary.rename(target)
            result.path = target
    return result


def _validate(
    path: Path,
    frame: pl.DataFrame,
    known: pl.DataFrame,
    reviewer: str | None,
    now: dt.datetime,
    result: ImportResult,
) -> pl.DataFrame:
    def text(column: str) -> pl.Expr:
        if column not in frame.columns:
            return pl.lit("", dtype=pl.String)
        return pl.col(column).cast(pl.String).fill_null("").str.strip_chars()

    rows = frame.select(
        line=pl.int_range(2, frame.height + 2),  # the CSV line (after the header)
        finding_id=text("finding_id"),
        decision=text("decision").str.to_lowercase(),
        note=text("note"),
        reviewer=text("reviewer"),
    ).join(known, on="finding_id", how="left")
    result.undecided += rows.filter(pl.col("decision") == "").height
    rows = rows.filter(pl.col("decision") != "")
    line = "row" if path.suffix.lower() == ".parquet" else "line"
    bad = []
    for r in rows.filter(
        pl.col("rule_id").is_null() | ~pl.col("decision").is_in(DECISIONS)
    ).iter_rows(named=True):
        where = f"{path}: {line} {r['line'] - (1 if line == 'row' else 0)}"
        if not r["finding_id"]:
            result.problems.append(f"{where}: no finding_id")
        elif r["rule_id"] is None:
            result.problems.append(
                f"{where}: unknown finding id {r['finding_id']!r} (not a finding of this scan "
                "output)"
            )
        else:
            result.problems.append(
                f"{where}: decision {r['decision']!r} is not one of {', '.join(DECISIONS)}"
            )
        bad.append(r["line"])
    good = rows.filter(~pl.col("line").is_in(bad)).unique("finding_id", keep="last")
    default = reviewer or path.stem
    return good.select(
        "finding_id",
        "post_id",
        "field",
        "rule_id",
        pl.col("start").cast(pl.Int64),
        pl.col("end").cast(pl.Int64),
        "clause_id",
        "decision",
        "note",
        pl.when(pl.col("reviewer") == "")
        .then(pl.lit(default))
        .otherwise("reviewer")
        .alias("reviewer"),
        decided_in=pl.lit(path.name),
        imported_at=pl.lit(now, dtype=pl.Datetime("us", "UTC")),
    )


def load_reviews(out: str | Path) -> pl.DataFrame:
    """Every reviewer's latest decision on each finding stored in ``OUT/reviews/``."""
    directory = Path(out) / REVIEWS_DIR
    files = sorted(directory.glob("decisions-*.parquet")) if directory.is_dir() else []
    if not files:
        return pl.DataFrame(schema=STORED_SCHEMA)
    try:
        frame = pl.read_parquet(files).with_row_index("order")
    except (OSError, pl.exceptions.PolarsError) as error:
        raise InputError(f"{directory}: cannot read Parquet: {error}") from None
    # Keyed on the finding, not its id: a plain and a redacted sample name it differently.
    latest = frame.sort("imported_at", "order").unique(
        [*KEY_COLUMNS, "reviewer"], keep="last", maintain_order=True
    )
    return latest.drop("order").select(list(STORED_SCHEMA))
