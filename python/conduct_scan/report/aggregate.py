"""Aggregate the violations per account, per clause and per day (Polars, lazily).

Everything here returns ``pl.LazyFrame`` plans over ``OUT/violations`` and ``OUT/accounts``;
nothing is loaded until a caller collects or sinks. The only eager work is reading the distinct
clause ids and source files (two small columns), which fix the schema of ``by_account`` (one
``findings_<clause>`` column per clause) and the post key.

Definitions shared by every aggregate:

- a **post** is a row of an input file, ``(source_file, row)``: the unit ``accounts/`` counts,
  so flag rates compare like with like;
- a post is **flagged** when it has at least one finding;
- the **score** of a set of findings is ``sum(weight[severity] * confidence)`` with the weights
  in :data:`SEVERITY_WEIGHTS` (info 0, low 1, medium 2, high 4, critical 8): each step up in
  severity counts twice the one below, and a finding caught only after heavy normalisation
  (lower confidence) counts less;
- an account's **group** is ``agencies`` or ``officials`` when any of its rows carries an
  ``account_type`` in :data:`ACCOUNT_GROUPS` (the Code binds state agencies (Art. 6) and
  officials (Art. 5) separately from users), else ``users``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from conduct_scan.report.scan_output import RulesetInfo, ScanOutput, open_scan_output

SEVERITIES: tuple[str, ...] = ("info", "low", "medium", "high", "critical")
"""Severity names, lowest first."""

SEVERITY_WEIGHTS: Mapping[str, float] = {
    "info": 0.0,
    "low": 1.0,
    "medium": 2.0,
    "high": 4.0,
    "critical": 8.0,
}
"""Weight of one finding of each severity in the score (times the finding's confidence)."""

SCORE_FORMULA = "score = sum over findings of weight[severity] × confidence; " + ", ".join(
    f"{name} {weight:g}" for name, weight in SEVERITY_WEIGHTS.items()
)
"""The score formula in words, for reports."""

GROUPS: tuple[str, ...] = ("users", "officials", "agencies")
"""Account groups, as the Code names the parties it binds."""

ACCOUNT_GROUPS: Mapping[str, str] = {
    "official": "officials",
    "officials": "officials",
    "cadre": "officials",
    "civil_servant": "officials",
    "public_servant": "officials",
    "state_official": "officials",
    "state_employee": "officials",
    "agency": "agencies",
    "agencies": "agencies",
    "state_agency": "agencies",
    "government": "agencies",
    "government_agency": "agencies",
}
"""``account_type`` values (case-insensitive) that put an account in a group other than users."""

TOP_N = 5
"""How many rules and terms ``by_clause`` lists per clause."""

_POST_KEY_ROW_BITS = 40  # rows per input file below 2**40; the file index takes the high bits


@dataclass(frozen=True)
class Thresholds:
    """When an account is a repeat offender: all three conditions hold.

    Parameters
    ----------
    min_posts_flagged
        At least this many flagged posts.
    min_flag_rate
        At least this share of its scanned posts flagged (0 to 1).
    min_score
        At least this score.
    """

    min_posts_flagged: int = 3
    min_flag_rate: float = 0.05
    min_score: float = 0.0

    def as_dict(self) -> dict[str, float]:
        """Return the thresholds as a JSON-ready mapping."""
        return {
            "min_posts_flagged": self.min_posts_flagged,
            "min_flag_rate": self.min_flag_rate,
            "min_score": self.min_score,
        }

    def expr(self) -> pl.Expr:
        """Return whether a ``by_account`` row is a repeat offender, as an expression."""
        return (
            (pl.col("posts_flagged") >= self.min_posts_flagged)
            & (pl.col("flag_rate").fill_null(1.0) >= self.min_flag_rate)
            & (pl.col("score") >= self.min_score)
        )


@dataclass(frozen=True)
class Aggregates:
    """The report's aggregates as lazy frames; collect or sink the ones you need.

    Attributes
    ----------
    by_account
        One row per account seen in ``accounts/`` or ``violations/``, clean accounts included.
    by_clause
        One row per clause of the ruleset (and per clause id found only in the violations).
    by_day
        One row per clause and day with findings (day of ``created_at`` in UTC; null when the
        archive had no time column).
    by_group
        One row per account group (users, officials, agencies).
    repeat_offenders
        The ``by_account`` rows above :attr:`thresholds`, highest score first.
    by_severity
        Findings and flagged posts per severity.
    violations
        The violations with the derived columns the aggregates use: ``post_key`` (UInt64, one
        per post), ``severity_rank`` (0 info ... 4 critical), ``weight`` (score of the finding)
        and ``day``.
    accounts
        ``accounts/`` as read.
    clause_ids
        The clauses of ``by_account``'s ``findings_<clause>`` columns, in order.
    """

    by_account: pl.LazyFrame
    by_clause: pl.LazyFrame
    by_day: pl.LazyFrame
    by_group: pl.LazyFrame
    repeat_offenders: pl.LazyFrame
    by_severity: pl.LazyFrame
    violations: pl.LazyFrame
    accounts: pl.LazyFrame
    ruleset: RulesetInfo
    manifest: dict[str, Any] = field(default_factory=dict)
    thresholds: Thresholds = Thresholds()
    clause_ids: tuple[str, ...] = ()


def aggregate(out: str | Path, *, thresholds: Thresholds | None = None) -> Aggregates:
    """Build the report's aggregates over a scan output, lazily.

    Parameters
    ----------
    out
        The directory ``conduct-scan scan --out`` wrote.
    thresholds
        Repeat-offender thresholds (default :class:`Thresholds()`).

    Returns
    -------
    Aggregates
        Lazy frames; e.g. ``aggregate("out").by_clause.collect()``, or your own view over
        ``aggregate("out").violations``.

    Raises
    ------
    conduct_scan.InputError
        ``out`` is not a readable scan output.

    Examples
    --------
    >>> aggs = aggregate("out")                                        # doctest: +SKIP
    >>> aggs.by_account.filter(pl.col("group") == "officials").collect()  # doctest: +SKIP
    """
    return aggregate_scan_output(open_scan_output(out), thresholds=thresholds)


def aggregate_scan_output(scan: ScanOutput, *, thresholds: Thresholds | None = None) -> Aggregates:
    """:func:`aggregate` over an already opened :class:`ScanOutput`."""
    thresholds = thresholds or Thresholds()
    clauses_seen, files = pl.collect_all(
        [
            scan.violations.select(pl.col("clause_id").unique().drop_nulls().sort()),
            scan.violations.select(pl.col("source_file").unique().sort()),
        ]
    )
    known = [clause.id for clause in scan.ruleset.clauses if clause.assessable]
    extra = [c for c in clauses_seen["clause_id"].to_list() if c not in known]
    clause_ids = tuple(known + extra)

    violations = enrich(scan.violations, files["source_file"].to_list())
    by_account = _by_account(violations, scan.accounts, clause_ids, thresholds)
    return Aggregates(
        by_account=by_account,
        by_clause=_by_clause(violations, scan.accounts, scan.ruleset, clauses_seen["clause_id"]),
        by_day=_by_day(violations, scan.accounts),
        by_group=group_totals(by_account),
        repeat_offenders=repeat_offenders(by_account),
        by_severity=_by_severity(violations),
        violations=violations,
        accounts=scan.accounts,
        ruleset=scan.ruleset,
        manifest=scan.manifest,
        thresholds=thresholds,
        clause_ids=clause_ids,
    )


# Mappings over the violations are casts to an Enum or when/then chains, never replace_strict:
# Polars' streaming engine runs replace_strict by materialising the whole column (on 10 million
# findings: 3 GB and several seconds instead of a stream).


def _lookup(expr: pl.Expr, mapping: Mapping[Any, Any], default: Any = None) -> pl.Expr:
    """``mapping[value]`` (``default`` otherwise) as a when/then chain, for small mappings."""
    chain: Any = pl
    for key, value in mapping.items():
        chain = chain.when(expr == key).then(pl.lit(value))
    return chain.otherwise(pl.lit(default)) if mapping else pl.lit(default)


def severity_rank(column: str = "severity") -> pl.Expr:
    """Rank severities: 0 for info ... 4 for critical; null for an unknown severity."""
    return pl.col(column).cast(pl.Enum(SEVERITIES), strict=False).to_physical().cast(pl.Int8)


def severity_name(column: str) -> pl.Expr:
    """Map a rank column back to severity names (inverse of :func:`severity_rank`)."""
    return _lookup(pl.col(column), dict(enumerate(SEVERITIES))).cast(pl.String)


def enrich(violations: pl.LazyFrame, source_files: list[str | None]) -> pl.LazyFrame:
    """Add ``post_key``, ``severity_rank``, ``weight`` and ``day`` to the violations.

    ``post_key`` packs the index of the source file (in ``source_files``) and the row into one
    UInt64, so distinct posts are counted with a fast ``n_unique`` on one integer column.
    """
    files = sorted({name for name in source_files if name is not None})
    file_index = (
        pl.col("source_file")
        .cast(pl.Enum(files) if files else pl.Enum(["?"]), strict=False)
        .to_physical()
        .cast(pl.UInt64)
        .fill_null(len(files))  # a null source file: one more index
    )
    weights = _lookup(
        severity_rank(), dict(enumerate(SEVERITY_WEIGHTS[s] for s in SEVERITIES)), 0.0
    )
    return violations.with_columns(
        post_key=(file_index * (1 << _POST_KEY_ROW_BITS)) + pl.col("row").cast(pl.UInt64),
        severity_rank=severity_rank(),
        # Confidence is float32: round its float64 cast (0.9 -> 0.9, not 0.8999999762).
        weight=weights.cast(pl.Float64)
        * pl.col("confidence").cast(pl.Float64).round(6).fill_null(1.0),
        day=pl.col("created_at").dt.date(),
    )


def _type_columns(prefix: str) -> list[pl.Expr]:
    """Per account, the smallest ``account_type`` naming each group (null if none does).

    Aggregated alongside the counts, so the account type costs no extra pass over the data.
    """
    kind = pl.col("account_type").str.to_lowercase().str.strip_chars()
    columns = []
    for group in GROUPS:
        types = [t for t, g in ACCOUNT_GROUPS.items() if g == group]
        in_group = kind.is_in(types) if group != "users" else ~kind.is_in(list(ACCOUNT_GROUPS))
        columns.append(pl.col("account_type").filter(in_group).min().alias(f"{prefix}_{group}"))
    return columns


def _account_group() -> list[pl.Expr]:
    """``group`` and ``account_type`` from the per-side columns of :func:`_type_columns`.

    Agencies win over officials, officials over users: an account any row marks as a state
    agency or official is reported in that group.
    """
    group: pl.Expr = pl.lit("users")
    account_type: pl.Expr = pl.coalesce("a_users", "v_users")
    for name in ("officials", "agencies"):
        found = pl.coalesce(f"a_{name}", f"v_{name}")
        group = pl.when(found.is_not_null()).then(pl.lit(name)).otherwise(group)
        account_type = pl.when(found.is_not_null()).then(found).otherwise(account_type)
    return [group.alias("group"), account_type.alias("account_type")]


def _by_account(
    violations: pl.LazyFrame,
    accounts: pl.LazyFrame,
    clause_ids: tuple[str, ...],
    thresholds: Thresholds,
) -> pl.LazyFrame:
    scanned = accounts.group_by("account_id").agg(
        pl.col("posts").sum().cast(pl.Int64).alias("posts_scanned"), *_type_columns("a")
    )
    flagged = violations.group_by("account_id").agg(
        *_type_columns("v"),
        pl.col("post_key").n_unique().cast(pl.Int64).alias("posts_flagged"),
        pl.len().cast(pl.Int64).alias("findings"),
        pl.col("weight").sum().alias("score"),
        pl.col("severity_rank").max().alias("max_rank"),
        pl.col("created_at").min().alias("first_flagged_at"),
        pl.col("created_at").max().alias("last_flagged_at"),
        *[
            (pl.col("clause_id") == clause).sum().cast(pl.Int64).alias(f"findings_{clause}")
            for clause in clause_ids
        ],
    )
    top_rule = (
        violations.group_by("account_id", "rule_id")
        .agg(n=pl.len())
        .group_by("account_id")
        .agg(
            top_rule=pl.col("rule_id")
            .sort_by([pl.col("n"), pl.col("rule_id")], descending=[True, False])
            .first()
        )
    )
    counts = ["posts_flagged", "findings", *[f"findings_{c}" for c in clause_ids]]
    return (
        scanned.join(flagged, on="account_id", how="full", coalesce=True, nulls_equal=True)
        .join(top_rule, on="account_id", how="left", nulls_equal=True)
        .with_columns(
            *_account_group(),
            pl.col("posts_scanned").fill_null(0),
            *[pl.col(c).fill_null(0) for c in counts],
            pl.col("score").fill_null(0.0),
        )
        .with_columns(
            flag_rate=pl.when(pl.col("posts_scanned") > 0).then(
                pl.col("posts_flagged") / pl.col("posts_scanned")
            ),
            max_severity=severity_name("max_rank"),
        )
        .with_columns(repeat_offender=thresholds.expr())
        .select(
            "account_id",
            "account_type",
            "group",
            "posts_scanned",
            "posts_flagged",
            "flag_rate",
            "findings",
            "score",
            "max_severity",
            "first_flagged_at",
            "last_flagged_at",
            "top_rule",
            "repeat_offender",
            *[f"findings_{c}" for c in clause_ids],
        )
        .sort(
            ["score", "posts_flagged", "account_id"],
            descending=[True, True, False],
            nulls_last=True,
        )
    )


def repeat_offenders(by_account: pl.LazyFrame) -> pl.LazyFrame:
    """Select the repeat offenders of a ``by_account`` frame, highest score first."""
    return by_account.filter(pl.col("repeat_offender")).sort(
        ["score", "posts_flagged", "account_id"], descending=[True, True, False], nulls_last=True
    )


def group_totals(by_account: pl.LazyFrame) -> pl.LazyFrame:
    """Total a ``by_account`` frame per account group (every group, even empty)."""
    groups = pl.LazyFrame({"group": list(GROUPS), "order": list(range(len(GROUPS)))})
    totals = by_account.group_by("group").agg(
        accounts=pl.len().cast(pl.Int64),
        accounts_flagged=(pl.col("posts_flagged") > 0).sum().cast(pl.Int64),
        repeat_offenders=pl.col("repeat_offender").sum().cast(pl.Int64),
        posts_scanned=pl.col("posts_scanned").sum().cast(pl.Int64),
        posts_flagged=pl.col("posts_flagged").sum().cast(pl.Int64),
        findings=pl.col("findings").sum().cast(pl.Int64),
        score=pl.col("score").sum(),
    )
    counts = [
        "accounts",
        "accounts_flagged",
        "repeat_offenders",
        "posts_scanned",
        "posts_flagged",
        "findings",
    ]
    return (
        groups.join(totals, on="group", how="full", coalesce=True)
        .with_columns(
            *[pl.col(c).fill_null(0) for c in counts],
            pl.col("score").fill_null(0.0),
            pl.col("order").fill_null(len(GROUPS)),
        )
        .with_columns(
            flag_rate=pl.when(pl.col("posts_scanned") > 0).then(
                pl.col("posts_flagged") / pl.col("posts_scanned")
            )
        )
        .sort(["order", "group"])
        .drop("order")
    )


def _distinct_accounts(violations: pl.LazyFrame, *keys: str) -> pl.LazyFrame:
    """Distinct accounts per ``keys``.

    ``unique`` then ``len`` rather than ``n_unique`` in the group: with few groups (clauses,
    days) Polars hashes each group's strings on one thread; a streaming ``unique`` uses them all.
    """
    return (
        violations.select(*keys, "account_id")
        .unique()
        .group_by(*keys)
        .agg(accounts=pl.len().cast(pl.Int64))
    )


def _total_posts(accounts: pl.LazyFrame) -> pl.LazyFrame:
    return accounts.select(posts_scanned_total=pl.col("posts").sum().cast(pl.Int64))


def _top(violations: pl.LazyFrame, key: str, name: str, n: int = TOP_N) -> pl.LazyFrame:
    """List, per clause, the ``n`` most frequent values of ``key`` (a list of structs)."""
    return (
        violations.group_by("clause_id", key)
        .agg(findings=pl.len().cast(pl.Int64))
        .group_by("clause_id")
        .agg(
            pl.struct(pl.col(key), pl.col("findings"))
            .sort_by([pl.col("findings"), pl.col(key)], descending=[True, False])
            .head(n)
            .alias(name)
        )
    )


NOT_ASSESSABLE = "cannot be assessed by scanning"
NEEDS_METADATA = "needs account metadata, which the scan does not check"
NO_RULES = "no rule of the ruleset targets it"


def _status(check: tuple[str, ...], has_rules: bool) -> tuple[str, str | None]:
    """``("assessed", None)`` or ``("not assessed", why)`` for a clause of the ruleset."""
    if not check:
        return "not assessed", NOT_ASSESSABLE
    if "text" not in check:
        return "not assessed", NEEDS_METADATA
    if not has_rules:
        return "not assessed", NO_RULES
    return "assessed", None


def _clause_table(ruleset: RulesetInfo, seen: pl.Series) -> pl.LazyFrame:
    """List the ruleset's clauses (in order), then clause ids found only in violations."""
    reference = pl.Struct(
        {
            "law": pl.String,
            "article": pl.String,
            "note": pl.String,
            "law_title": pl.String,
            "law_title_vi": pl.String,
            "effective": pl.String,
            "until": pl.String,
            "superseded_by": pl.String,
            "url": pl.String,
        }
    )
    targeted = {rule.clause for rule in ruleset.rules}
    rows: list[dict[str, Any]] = []
    for order, clause in enumerate(ruleset.clauses):
        status, reason = _status(clause.check, clause.id in targeted or not ruleset.rules)
        rows.append(
            {
                "clause_id": clause.id,
                "order": order,
                "title": clause.title,
                "title_vi": clause.title_vi,
                "binds": list(clause.binds),
                "check": list(clause.check),
                "status": status,
                "status_reason": reason,
                "default_severity": clause.severity,
                "dsa_category": clause.dsa_category,
                "references": [
                    {
                        "law": ref.law_id,
                        "article": ref.article,
                        "note": ref.note,
                        "law_title": ref.law.title if ref.law else None,
                        "law_title_vi": ref.law.title_vi if ref.law else None,
                        "effective": ref.law.effective if ref.law else None,
                        "until": ref.law.until if ref.law else None,
                        "superseded_by": ref.law.superseded_by if ref.law else None,
                        "url": ref.law.url if ref.law else None,
                    }
                    for ref in clause.references
                ],
            }
        )
    known = {clause.id for clause in ruleset.clauses}
    for offset, clause_id in enumerate(c for c in seen.to_list() if c not in known):
        rows.append(
            {
                "clause_id": clause_id,
                "order": len(ruleset.clauses) + offset,
                "title": None,
                "title_vi": None,
                "binds": [],
                "check": ["text"],
                "status": "assessed",
                "status_reason": None,
                "default_severity": None,
                "dsa_category": None,
                "references": [],
            }
        )
    schema: dict[str, pl.DataType] = {
        "clause_id": pl.String(),
        "order": pl.Int64(),
        "title": pl.String(),
        "title_vi": pl.String(),
        "binds": pl.List(pl.String),
        "check": pl.List(pl.String),
        "status": pl.String(),
        "status_reason": pl.String(),
        "default_severity": pl.String(),
        "dsa_category": pl.String(),
        "references": pl.List(reference),
    }
    return pl.LazyFrame(rows, schema=schema)


def _by_clause(
    violations: pl.LazyFrame, accounts: pl.LazyFrame, ruleset: RulesetInfo, seen: pl.Series
) -> pl.LazyFrame:
    counts = (
        violations.group_by("clause_id")
        .agg(
            posts_flagged=pl.col("post_key").n_unique().cast(pl.Int64),
            findings=pl.len().cast(pl.Int64),
            score=pl.col("weight").sum(),
            max_rank=pl.col("severity_rank").max(),
        )
        .join(
            _distinct_accounts(violations, "clause_id"),
            on="clause_id",
            how="left",
            nulls_equal=True,
        )
    )
    measured = ["posts_flagged", "accounts", "findings"]
    # Findings prove a clause was assessed, whatever the ruleset says.
    found = pl.col("findings").fill_null(0) > 0
    not_assessed = (pl.col("status") == "not assessed") & ~found
    return (
        _clause_table(ruleset, seen)
        .join(counts, on="clause_id", how="left")
        .join(_top(violations, "rule_id", "top_rules"), on="clause_id", how="left")
        .join(_top(violations, "term", "top_terms"), on="clause_id", how="left")
        .join(_total_posts(accounts), how="cross")
        .with_columns(
            *[pl.col(c).fill_null(0) for c in measured],
            pl.col("score").fill_null(0.0),
            status=pl.when(found).then(pl.lit("assessed")).otherwise(pl.col("status")),
            status_reason=pl.when(found).then(None).otherwise(pl.col("status_reason")),
        )
        # A clause scanning cannot assess has no measurement, not a measurement of zero.
        .with_columns(
            *[pl.when(not_assessed).then(None).otherwise(pl.col(c)).alias(c) for c in measured],
            pl.when(not_assessed).then(None).otherwise(pl.col("score")).alias("score"),
        )
        .with_columns(
            share_of_posts=pl.when(pl.col("posts_scanned_total") > 0).then(
                pl.col("posts_flagged") / pl.col("posts_scanned_total")
            ),
            max_severity=severity_name("max_rank"),
        )
        .sort("order")
        .select(
            "clause_id",
            "title",
            "title_vi",
            "status",
            "status_reason",
            "binds",
            "check",
            "default_severity",
            "posts_flagged",
            "accounts",
            "findings",
            "share_of_posts",
            "score",
            "max_severity",
            "top_rules",
            "top_terms",
            "dsa_category",
            "references",
        )
    )


def _by_day(violations: pl.LazyFrame, accounts: pl.LazyFrame) -> pl.LazyFrame:
    daily = accounts.group_by("day").agg(posts_scanned=pl.col("posts").sum().cast(pl.Int64))
    return (
        violations.group_by("clause_id", "day")
        .agg(
            findings=pl.len().cast(pl.Int64),
            posts_flagged=pl.col("post_key").n_unique().cast(pl.Int64),
            score=pl.col("weight").sum(),
        )
        .join(
            _distinct_accounts(violations, "clause_id", "day"),
            on=["clause_id", "day"],
            how="left",
            nulls_equal=True,
        )
        .join(daily, on="day", how="left")
        .with_columns(
            share_of_posts=pl.when(pl.col("posts_scanned") > 0).then(
                pl.col("posts_flagged") / pl.col("posts_scanned")
            )
        )
        .select(
            "day",
            "clause_id",
            "findings",
            "posts_flagged",
            "accounts",
            "score",
            "posts_scanned",
            "share_of_posts",
        )
        .sort(["day", "clause_id"], nulls_last=True)
    )


def _by_severity(violations: pl.LazyFrame) -> pl.LazyFrame:
    return (
        violations.group_by("severity", "severity_rank")
        .agg(
            findings=pl.len().cast(pl.Int64),
            posts_flagged=pl.col("post_key").n_unique().cast(pl.Int64),
        )
        .sort("severity_rank", descending=True, nulls_last=True)
        .drop("severity_rank")
    )
