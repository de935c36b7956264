"""Aggregate the violations per account, per clause and per day (Polars, lazily).

Everything here returns ``pl.LazyFrame`` plans over ``OUT/violations`` and ``OUT/accounts``;
nothing is loaded until a caller collects or sinks. The only eager work is reading the distinct
(source file, clause id) pairs (two small columns), which fix the schema of ``by_account`` (one
``findings_<clause>`` column per clause) and the post key.

The aggregates are joins of small intermediate frames (:class:`Parts`): posts per account and
type, posts per day, findings per account, per clause, per clause and day. ``write_report``
computes those first, one bounded query at a time, into its temporary directory
(:func:`materialise_parts`), because a single streaming plan over a large scan holds far more:
Polars' streaming group-by keeps every row whose key it has not pre-aggregated (most rows, with
hundreds of thousands of accounts) until the end, and the branches of one plan run at once.
Scores are summed as integers (millionths of a point), so they are exact and the same on every
run whatever order Polars adds the rows in.

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
from conduct_scan.severity import SEVERITIES

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


def aggregate_scan_output(
    scan: ScanOutput, *, thresholds: Thresholds | None = None, work_dir: Path | None = None
) -> Aggregates:
    """:func:`aggregate` over an already opened :class:`ScanOutput`.

    Parameters
    ----------
    scan
        The opened scan output.
    thresholds
        Repeat-offender thresholds (default :class:`Thresholds()`).
    work_dir
        When given, the intermediate aggregates (see :class:`Parts`) are computed now, each by
        its own bounded query, and written to Parquet files in this directory, which must exist
        and be kept until the returned frames are no longer used (``write_report`` uses its
        temporary report directory). The aggregates then read those small files, so peak memory
        follows the number of accounts and findings per pass rather than the size of
        ``accounts/``. Without it, every aggregate is one lazy plan over the scan output.
    """
    thresholds = thresholds or Thresholds()
    # One small query: (source file, clause) pairs. collect_all over two selects of the same
    # scan would cache the shared scan in memory.
    pairs = (
        scan.violations.group_by("source_file", "clause_id")
        .agg(pl.len())
        .collect(engine="streaming")
    )
    clauses_seen = pairs.select(pl.col("clause_id").unique().drop_nulls().sort())["clause_id"]
    files = pairs["source_file"].unique().to_list()
    known = [clause.id for clause in scan.ruleset.clauses if clause.assessable]
    extra = [c for c in clauses_seen.to_list() if c not in known]
    clause_ids = tuple(known + extra)

    violations = enrich(scan.violations, files)
    if work_dir is None:
        parts = lazy_parts(violations, scan.accounts, clause_ids)
    else:
        parts = materialise_parts(
            violations, scan.accounts, clause_ids, work_dir, findings=int(pairs["len"].sum())
        )
    by_account = sort_accounts(_by_account(parts, clause_ids, thresholds))
    return Aggregates(
        by_account=by_account,
        by_clause=_by_clause(parts, scan.ruleset, clauses_seen),
        by_day=_by_day(parts),
        by_group=group_totals(by_account),
        repeat_offenders=repeat_offenders(by_account),
        by_severity=parts.by_severity,
        violations=violations,
        accounts=scan.accounts,
        ruleset=scan.ruleset,
        manifest=scan.manifest,
        thresholds=thresholds,
        clause_ids=clause_ids,
    )


@dataclass(frozen=True)
class Parts:
    """Intermediate aggregates, each far smaller than the data it summarises.

    The report's aggregates are joins of these. :func:`lazy_parts` gives them as lazy plans over
    the scan output; :func:`materialise_parts` computes each one with bounded memory and
    writes it to Parquet. Scores are summed as integers (``score_micro``: millionths of a
    point; a finding's weight is a multiple of 10**-6), so they are exact and do not depend on
    the order in which Polars adds them up.

    Attributes
    ----------
    account_posts
        ``account_id``, ``account_type``, ``posts``: posts scanned per account and type.
    day_posts
        ``day``, ``posts``: posts scanned per day.
    account_findings
        Per account with findings: the ``v_<group>`` type columns, ``posts_flagged``,
        ``findings``, ``score_micro``, ``max_rank``, ``first_flagged_at``,
        ``last_flagged_at``, ``findings_<clause>`` and ``top_rule``.
    clause_findings
        Per clause: ``posts_flagged``, ``findings``, ``score_micro``, ``max_rank``.
    clause_accounts
        Per clause: ``accounts`` (distinct accounts with a finding).
    day_findings
        Per clause and day: ``findings``, ``posts_flagged``, ``score_micro``.
    day_accounts
        Per clause and day: ``accounts``.
    top_rules, top_terms
        Per clause: the :data:`TOP_N` most frequent rules and terms.
    by_severity
        Findings and flagged posts per severity (the final aggregate).
    """

    account_posts: pl.LazyFrame
    day_posts: pl.LazyFrame
    account_findings: pl.LazyFrame
    clause_findings: pl.LazyFrame
    clause_accounts: pl.LazyFrame
    day_findings: pl.LazyFrame
    day_accounts: pl.LazyFrame
    top_rules: pl.LazyFrame
    top_terms: pl.LazyFrame
    by_severity: pl.LazyFrame


ACCOUNT_ROWS_PER_PASS = 16_000_000
"""``accounts/`` rows grouped per pass of :func:`materialise_parts` (at most; more rows are
split by a hash of the account id into several passes)."""

FINDINGS_PER_PASS = 2_000_000
"""Findings held in memory per pass of :func:`materialise_parts` (likewise split by account)."""

_SCORE_SCALE = 1_000_000  # confidences are rounded to 6 decimals: weights are exact millionths
_PASS_SEED = 874  # hash seed of the account id when splitting into passes


def _score_micro() -> pl.Expr:
    """The finding's weight in millionths of a point, as an exact integer."""
    return (pl.col("weight") * _SCORE_SCALE).round().cast(pl.Int64)


def _score(column: str = "score_micro") -> pl.Expr:
    """Millionths of a point back to points: the Float64 closest to the exact sum.

    Whole points and the fraction separately: Polars divides by a constant as a multiplication
    by its reciprocal, which can land one step below (5324.849999999999 for 5324.85).
    """
    micro = pl.col(column)
    whole = micro // _SCORE_SCALE
    fraction = (micro - whole * _SCORE_SCALE).cast(pl.Float64) / _SCORE_SCALE
    return (whole.cast(pl.Float64) + fraction).alias("score")


def _account_posts(accounts: pl.LazyFrame) -> pl.LazyFrame:
    return accounts.group_by("account_id", "account_type").agg(
        posts=pl.col("posts").sum().cast(pl.Int64)
    )


def _day_posts(accounts: pl.LazyFrame) -> pl.LazyFrame:
    return accounts.group_by("day").agg(posts=pl.col("posts").sum().cast(pl.Int64))


def lazy_parts(
    violations: pl.LazyFrame, accounts: pl.LazyFrame, clause_ids: tuple[str, ...]
) -> Parts:
    """Return the :class:`Parts` as lazy plans over the (enriched) violations and accounts."""
    account_findings = _account_findings(violations, clause_ids)
    return Parts(
        account_posts=_account_posts(accounts),
        day_posts=_day_posts(accounts),
        account_findings=account_findings,
        clause_findings=_clause_findings(violations),
        clause_accounts=_clause_accounts(account_findings, clause_ids),
        day_findings=_day_findings(violations),
        day_accounts=_distinct_accounts(violations, "clause_id", "day"),
        top_rules=_top(violations, "rule_id", "top_rules"),
        top_terms=_top(violations, "term", "top_terms"),
        by_severity=_by_severity(violations),
    )


def materialise_parts(
    violations: pl.LazyFrame,
    accounts: pl.LazyFrame,
    clause_ids: tuple[str, ...],
    directory: Path,
    *,
    findings: int | None = None,
) -> Parts:
    """Compute the :class:`Parts` one query at a time and write them to ``directory``.

    Polars' streaming group-by keeps the rows of keys it has not pre-aggregated until the end,
    so a group-by over the 50 million rows of a month's ``accounts/`` (half a million
    accounts) holds gigabytes. Here every query that groups by account reads one slice of the
    accounts at a time, chosen by a hash of the account id (:data:`ACCOUNT_ROWS_PER_PASS`,
    :data:`FINDINGS_PER_PASS`): the slices share no account, so their results are simply
    concatenated (and distinct accounts per clause and day added up). Queries with few groups
    (clauses, days, severities) stream over all findings.

    Parameters
    ----------
    violations
        The enriched violations (:func:`enrich`).
    accounts
        ``accounts/`` as read.
    clause_ids
        The ``findings_<clause>`` columns of ``account_findings``.
    directory
        An existing directory for the Parquet files.
    findings
        The number of findings, when known (else counted).

    Returns
    -------
    Parts
        Lazy frames reading the files written.
    """

    def write(frame: pl.LazyFrame | pl.DataFrame, name: str) -> Path:
        path = directory / f"{name}.parquet"
        if isinstance(frame, pl.DataFrame):
            frame.write_parquet(path)
        else:
            frame.sink_parquet(path)
        return path

    def read(paths: list[Path]) -> pl.LazyFrame:
        return pl.scan_parquet(paths, hive_partitioning=False)

    # accounts/: the largest input by far; one streaming group-by per slice of accounts.
    rows = accounts.select(pl.len()).collect().item()
    passes = _passes(rows, ACCOUNT_ROWS_PER_PASS)
    account_posts = read(
        [
            write(_account_posts(_slice(accounts, i, passes)), f"account_posts-{i}")
            for i in range(passes)
        ]
    )
    day_posts = read([write(_day_posts(accounts), "day_posts")])

    # Per account (and distinct accounts per clause and day): one slice of the findings at a
    # time, held in memory (only the columns these aggregates use).
    if findings is None:
        findings = violations.select(pl.len()).collect(engine="streaming").item()
    passes = _passes(findings, FINDINGS_PER_PASS)
    columns = [
        "account_id",
        "account_type",
        "rule_id",
        "clause_id",
        "post_key",
        "severity_rank",
        "weight",
        "created_at",
        "day",
    ]
    account_files, day_account_frames = [], []
    for i in range(passes):
        chunk = _slice(violations, i, passes).select(columns).collect(engine="streaming").lazy()
        account_files.append(write(_account_findings(chunk, clause_ids), f"account_findings-{i}"))
        day_account_frames.append(
            _distinct_accounts(chunk, "clause_id", "day").collect(engine="streaming")
        )
        del chunk
    account_findings = read(account_files)
    # The slices share no account: distinct accounts per clause and day add up.
    day_accounts = (
        pl.concat(day_account_frames)
        .group_by("clause_id", "day")
        .agg(accounts=pl.col("accounts").sum().cast(pl.Int64))
    )

    return Parts(
        account_posts=account_posts,
        day_posts=day_posts,
        account_findings=account_findings,
        clause_findings=read([write(_clause_findings(violations), "clause_findings")]),
        clause_accounts=read(
            [write(_clause_accounts(account_findings, clause_ids), "clause_accounts")]
        ),
        day_findings=read([write(_day_findings(violations), "day_findings")]),
        day_accounts=read([write(day_accounts, "day_accounts")]),
        top_rules=read([write(_top(violations, "rule_id", "top_rules"), "top_rules")]),
        top_terms=read([write(_top(violations, "term", "top_terms"), "top_terms")]),
        by_severity=read([write(_by_severity(violations), "by_severity")]),
    )


def _passes(rows: int, per_pass: int) -> int:
    return max(1, -(-rows // per_pass))


def _slice(frame: pl.LazyFrame, index: int, passes: int) -> pl.LazyFrame:
    """The rows of ``frame`` whose account falls in slice ``index`` of ``passes``."""
    if passes == 1:
        return frame
    return frame.filter(pl.col("account_id").hash(_PASS_SEED) % passes == index)


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


def _account_findings(violations: pl.LazyFrame, clause_ids: tuple[str, ...]) -> pl.LazyFrame:
    """Per account with findings: types, counts, score, severity, times, top rule."""
    flagged = violations.group_by("account_id").agg(
        *_type_columns("v"),
        pl.col("post_key").n_unique().cast(pl.Int64).alias("posts_flagged"),
        pl.len().cast(pl.Int64).alias("findings"),
        _score_micro().sum().alias("score_micro"),
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
    return flagged.join(top_rule, on="account_id", how="left", nulls_equal=True)


def _clause_accounts(account_findings: pl.LazyFrame, clause_ids: tuple[str, ...]) -> pl.LazyFrame:
    """Distinct accounts per clause: the accounts with a finding of it.

    Counted from the per-account frame, which has a ``findings_<clause>`` column for every
    clause id of the violations: no pass over the findings.
    """
    if not clause_ids:
        return pl.LazyFrame(schema={"clause_id": pl.String(), "accounts": pl.Int64()})
    return account_findings.select(
        *[(pl.col(f"findings_{c}") > 0).sum().cast(pl.Int64).alias(c) for c in clause_ids]
    ).unpivot(variable_name="clause_id", value_name="accounts")


def _by_account(parts: Parts, clause_ids: tuple[str, ...], thresholds: Thresholds) -> pl.LazyFrame:
    # Types per account from (account, type) totals: the smallest type of each group is the
    # same as over the raw rows, at a hundredth of the work.
    scanned = parts.account_posts.group_by("account_id").agg(
        pl.col("posts").sum().cast(pl.Int64).alias("posts_scanned"), *_type_columns("a")
    )
    counts = ["posts_flagged", "findings", *[f"findings_{c}" for c in clause_ids]]
    return (
        scanned.join(
            parts.account_findings,
            on="account_id",
            how="full",
            coalesce=True,
            nulls_equal=True,
        )
        .with_columns(
            *_account_group(),
            pl.col("posts_scanned").fill_null(0),
            *[pl.col(c).fill_null(0) for c in counts],
            _score().fill_null(0.0),
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
    )


def sort_accounts(by_account: pl.LazyFrame) -> pl.LazyFrame:
    """Sort ``by_account`` rows: highest score first, then most flagged posts, then by id."""
    return by_account.sort(
        ["score", "posts_flagged", "account_id"], descending=[True, True, False], nulls_last=True
    )


def repeat_offenders(by_account: pl.LazyFrame) -> pl.LazyFrame:
    """Select the repeat offenders of a ``by_account`` frame, highest score first."""
    return sort_accounts(by_account.filter(pl.col("repeat_offender")))


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
        score_micro=exact_sum("score"),
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
            _score().fill_null(0.0),
            pl.col("order").fill_null(len(GROUPS)),
        )
        .with_columns(
            flag_rate=pl.when(pl.col("posts_scanned") > 0).then(
                pl.col("posts_flagged") / pl.col("posts_scanned")
            )
        )
        .sort(["order", "group"])
        .select(
            "group",
            "accounts",
            "accounts_flagged",
            "repeat_offenders",
            "posts_scanned",
            "posts_flagged",
            "findings",
            "score",
            "flag_rate",
        )
    )


def exact_sum(column: str) -> pl.Expr:
    """Sum a column of scores exactly, in millionths of a point (an Int64).

    Every score is a whole number of millionths, so the sum does not depend on the order in
    which the rows are added (float sums do, in their last bits, from run to run).
    """
    return (pl.col(column) * _SCORE_SCALE).round().cast(pl.Int64).sum()


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


def _clause_findings(violations: pl.LazyFrame) -> pl.LazyFrame:
    return violations.group_by("clause_id").agg(
        posts_flagged=pl.col("post_key").n_unique().cast(pl.Int64),
        findings=pl.len().cast(pl.Int64),
        score_micro=_score_micro().sum(),
        max_rank=pl.col("severity_rank").max(),
    )


def _by_clause(parts: Parts, ruleset: RulesetInfo, seen: pl.Series) -> pl.LazyFrame:
    counts = parts.clause_findings.join(
        parts.clause_accounts, on="clause_id", how="left", nulls_equal=True
    ).with_columns(_score())
    total = parts.day_posts.select(posts_scanned_total=pl.col("posts").sum().cast(pl.Int64))
    measured = ["posts_flagged", "accounts", "findings"]
    # Findings prove a clause was assessed, whatever the ruleset says.
    found = pl.col("findings").fill_null(0) > 0
    not_assessed = (pl.col("status") == "not assessed") & ~found
    return (
        _clause_table(ruleset, seen)
        .join(counts, on="clause_id", how="left")
        .join(parts.top_rules, on="clause_id", how="left")
        .join(parts.top_terms, on="clause_id", how="left")
        .join(total, how="cross")
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


def _day_findings(violations: pl.LazyFrame) -> pl.LazyFrame:
    return violations.group_by("clause_id", "day").agg(
        findings=pl.len().cast(pl.Int64),
        posts_flagged=pl.col("post_key").n_unique().cast(pl.Int64),
        score_micro=_score_micro().sum(),
    )


def _by_day(parts: Parts) -> pl.LazyFrame:
    daily = parts.day_posts.rename({"posts": "posts_scanned"})
    return (
        parts.day_findings.with_columns(_score())
        .join(parts.day_accounts, on=["clause_id", "day"], how="left", nulls_equal=True)
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
