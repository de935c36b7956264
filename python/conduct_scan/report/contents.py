"""What the report documents show, collected once: small frames and totals.

The large aggregates are written to Parquet first; the documents (``summary.json``,
``report.md``, ``report.html``) then read what they show from those files (top accounts, a
histogram of flag rates, totals) plus a handful of evidence rows per clause, so rendering never
holds more than a few thousand rows whatever the size of the scan.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from conduct_scan.report.aggregate import (
    Aggregates,
    Thresholds,
    group_totals,
    repeat_offenders,
)
from conduct_scan.report.redact import Pseudonymiser
from conduct_scan.report.scan_output import RulesetInfo

if TYPE_CHECKING:
    from conduct_scan.review.precision import Precision

EVIDENCE_PER_CLAUSE = 8
"""Evidence rows shown per clause: the most severe, most confident findings."""

TOP_ACCOUNTS = 15
"""Accounts in the top-accounts chart and tables."""

TOP_REPEAT_OFFENDERS = 50
"""Repeat offenders listed in the documents (``repeat_offenders.parquet`` has them all)."""

HISTOGRAM_BINS = 20
"""Bins of the flag-rate histogram (5 % each)."""

EVIDENCE_COLUMNS = (
    "clause_id",
    "rule_id",
    "severity",
    "confidence",
    "view",
    "field",
    "term",
    "matched",
    "context",
    "context_start",
    "account_id",
    "account_type",
    "post_id",
    "created_at",
)


@dataclass(frozen=True)
class Totals:
    """Totals over the whole scan."""

    posts_scanned: int
    posts_flagged: int
    findings: int
    accounts: int
    accounts_flagged: int
    repeat_offenders: int
    score: float
    first_flagged_at: dt.datetime | None
    last_flagged_at: dt.datetime | None

    @property
    def flag_rate(self) -> float | None:
        """Return flagged posts over scanned posts (None when nothing was scanned)."""
        return self.posts_flagged / self.posts_scanned if self.posts_scanned else None


@dataclass(frozen=True)
class ReportContents:
    """Everything a report document needs, small enough to hold in memory."""

    generated_at: dt.datetime
    redacted: bool
    ruleset: RulesetInfo
    manifest: dict[str, Any]
    thresholds: Thresholds
    totals: Totals
    by_clause: pl.DataFrame
    by_day: pl.DataFrame
    by_group: pl.DataFrame
    by_severity: pl.DataFrame
    top_accounts: pl.DataFrame
    top_state_accounts: pl.DataFrame
    repeat_offenders: pl.DataFrame
    flag_rates: pl.DataFrame
    clean_accounts: int
    evidence: pl.DataFrame
    files: dict[str, str] = field(default_factory=dict)
    precision: Precision | None = None
    """Measured precision from the decisions in ``OUT/reviews/`` (None without any)."""
    accounts: Any = None
    """The account audit's section (``report.accounts.AccountsSection``), when there was one."""


def collect_contents(
    aggregates: Aggregates,
    report_dir: Path,
    *,
    pseudonymiser: Pseudonymiser | None = None,
    files: dict[str, str] | None = None,
) -> ReportContents:
    """Collect what the documents show.

    Parameters
    ----------
    aggregates
        The aggregates of the scan output.
    report_dir
        Where ``by_account.parquet``, ``by_clause.parquet`` and ``by_day.parquet`` were
        written (already redacted when ``pseudonymiser`` is given).
    pseudonymiser
        Redact the evidence: pseudonyms for account and post ids, matched text and context
        dropped.
    files
        The files of the report, for the documents to list.
    """
    by_account = pl.scan_parquet(report_dir / "by_account.parquet")
    totals_frame, by_clause, by_day, by_group, by_severity, top, state, offenders, rates = (
        pl.collect_all(
            [
                by_account.select(
                    posts_scanned=pl.col("posts_scanned").sum(),
                    posts_flagged=pl.col("posts_flagged").sum(),
                    findings=pl.col("findings").sum(),
                    accounts=pl.len(),
                    accounts_flagged=(pl.col("posts_flagged") > 0).sum(),
                    repeat_offenders=pl.col("repeat_offender").sum(),
                    score=pl.col("score").sum(),
                    first_flagged_at=pl.col("first_flagged_at").min(),
                    last_flagged_at=pl.col("last_flagged_at").max(),
                ),
                pl.scan_parquet(report_dir / "by_clause.parquet"),
                pl.scan_parquet(report_dir / "by_day.parquet"),
                group_totals(by_account),
                aggregates.by_severity,
                by_account.filter(pl.col("findings") > 0).head(TOP_ACCOUNTS),
                by_account.filter((pl.col("findings") > 0) & (pl.col("group") != "users")).head(
                    TOP_ACCOUNTS
                ),
                repeat_offenders(by_account).head(TOP_REPEAT_OFFENDERS),
                _flag_rates(by_account),
            ]
        )
    )
    row = totals_frame.row(0, named=True)
    totals = Totals(
        posts_scanned=int(row["posts_scanned"] or 0),
        posts_flagged=int(row["posts_flagged"] or 0),
        findings=int(row["findings"] or 0),
        accounts=int(row["accounts"] or 0),
        accounts_flagged=int(row["accounts_flagged"] or 0),
        repeat_offenders=int(row["repeat_offenders"] or 0),
        score=float(row["score"] or 0.0),
        first_flagged_at=row["first_flagged_at"],
        last_flagged_at=row["last_flagged_at"],
    )
    clean = rates.filter(pl.col("bin") == -1)["accounts"].sum()
    return ReportContents(
        generated_at=dt.datetime.now(dt.timezone.utc).replace(microsecond=0),
        redacted=pseudonymiser is not None,
        ruleset=aggregates.ruleset,
        manifest=aggregates.manifest,
        thresholds=aggregates.thresholds,
        totals=totals,
        by_clause=by_clause,
        by_day=by_day,
        by_group=by_group,
        by_severity=by_severity,
        top_accounts=top,
        top_state_accounts=state,
        repeat_offenders=offenders,
        flag_rates=rates.filter(pl.col("bin") >= 0),
        clean_accounts=int(clean or 0),
        evidence=_evidence(aggregates, pseudonymiser),
        files=dict(files or {}),
    )


def _flag_rates(by_account: pl.LazyFrame) -> pl.LazyFrame:
    """Count accounts per flag-rate bin; bin -1 holds the accounts with no flagged post."""
    rate = pl.col("flag_rate")
    bin_ = (
        pl.when(pl.col("posts_flagged") == 0)
        .then(-1)
        .otherwise((rate * HISTOGRAM_BINS).floor().clip(0, HISTOGRAM_BINS - 1))
        .cast(pl.Int32)
    )
    return (
        by_account.filter(pl.col("posts_scanned") > 0)
        .group_by(bin_.alias("bin"))
        .agg(accounts=pl.len().cast(pl.Int64))
        .sort("bin")
    )


def _evidence(aggregates: Aggregates, pseudonymiser: Pseudonymiser | None) -> pl.DataFrame:
    """Select the most severe, most confident findings of each clause.

    Three streaming passes, so that neither all the findings nor the text of more than the
    chosen rows is ever held (a ``top_k_by`` in a group-by holds every row of its groups):

    1. count the findings per clause, severity and confidence (a few dozen rows) and find,
       per clause, the lowest (severity, confidence) that the best
       :data:`EVIDENCE_PER_CLAUSE` findings reach;
    2. keep the findings at or above it (ranking columns only) and rank those: severity,
       confidence, row within the input file, and among findings equal in all three (several
       in one post) the first in the scan output;
    3. read the chosen rows' text.
    """
    findings = aggregates.violations.with_row_index("finding")
    # One UInt64 ranking key (severity, then confidence, then the row) is far cheaper for
    # top_k_by than several sort columns; ``level`` is its (severity, confidence) part.
    rank = (pl.col("severity_rank").fill_null(-1).cast(pl.Int64) + 1).cast(pl.UInt64)
    confidence = (pl.col("confidence").cast(pl.Float64).clip(0.0, 1.0) * 1e6).round()
    level = rank * (1 << 20) + confidence.cast(pl.UInt64)
    key = level * (1 << 40) + pl.col("post_key") % (1 << 40)
    levels = (
        findings.group_by("clause_id", level.alias("level"))
        .agg(n=pl.len())
        .collect(engine="streaming")
        .sort(["clause_id", "level"], descending=[False, True], nulls_last=True)
    )
    floors = (
        levels.with_columns(above=pl.col("n").cum_sum().over("clause_id") - pl.col("n"))
        .filter(pl.col("above") < EVIDENCE_PER_CLAUSE)
        .group_by("clause_id")
        .agg(floor=pl.col("level").min(), unranked=pl.col("level").is_null().any())
    )
    reaches: pl.Expr = pl.lit(False)
    for clause_id, floor, unranked in floors.iter_rows():
        same = pl.col("clause_id") == clause_id
        if clause_id is None:
            same = pl.col("clause_id").is_null()
        if floor is not None:
            reaches = reaches | (same & (level >= floor))
        if unranked:  # a finding without a confidence ranks last; the clause has few others
            reaches = reaches | (same & level.is_null())
    chosen = (
        findings.filter(reaches)
        .select("clause_id", "finding", key.alias("key"))
        .collect(engine="streaming")
        .group_by("clause_id", maintain_order=True)
        # Equal keys (two findings of one post, say): the first findings of the scan output.
        .agg(
            pl.col("finding").top_k_by(
                ["key", "finding"], k=EVIDENCE_PER_CLAUSE, reverse=[False, True]
            )
        )
        .explode("finding")
        .select("finding")
        .to_series()
        .drop_nulls()
    )
    evidence = (
        findings.filter(pl.col("finding").is_in(chosen.implode()))
        .select(*EVIDENCE_COLUMNS, "severity_rank")
        .collect(engine="streaming")
        .sort(
            ["clause_id", "severity_rank", "confidence", "account_id"],
            descending=[False, True, True, False],
            nulls_last=True,
        )
        .drop("severity_rank")
    )
    if pseudonymiser is not None:
        evidence = evidence.with_columns(
            pseudonymiser.expr("account_id", "account"),
            pseudonymiser.expr("post_id", "post"),
            matched=pl.lit(None, dtype=pl.String),
            context=pl.lit(None, dtype=pl.String),
            context_start=pl.lit(None, dtype=pl.Int32),
        )
    return evidence.select(EVIDENCE_COLUMNS)
