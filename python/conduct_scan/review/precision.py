"""Measured precision per rule and per clause, from the decisions stored in OUT/reviews/.

Each finding of the scan output that has decisions gets one verdict: ``violation`` or
``not_violation`` when its reviewers agree (``unsure`` decisions are left out), ``disputed``
when they disagree (left out, counted). Within a rule (a stratum of the sample) the precision is
the share of its decided findings that are violations, with a Wilson 95% score interval. A
clause's precision weights each reviewed rule's precision by the rule's findings in the scan
output (the population of its stratum, counted now, so a later night's scan weighs as it
should); its interval is Wilson's at the effective sample size of the weighted estimate (Kish:
``(sum N_h)^2 / sum(N_h^2 / n_h)``), which equals ``n`` for a single stratum. Rules of the clause
without any decided finding are outside the estimate; ``coverage`` is the share of the clause's
findings in reviewed rules.

Agreement: over the findings decided by two or more reviewers (``unsure`` included as a
category), the share on which every pair agrees, and Cohen's kappa over all pairs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any

import polars as pl

from conduct_scan.report.scan_output import open_scan_output
from conduct_scan.review.decisions import load_reviews
from conduct_scan.review.ids import DECISIONS, KEY_COLUMNS

Z95 = 1.959963984540054
"""The standard normal quantile of a two-sided 95% interval."""


def wilson(successes: float, n: float, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval of a proportion ``successes / n`` (``n`` may be fractional)."""
    if n <= 0:
        return (0.0, 1.0)
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    # The interval always holds p; rounding would otherwise leave 0 just outside it at p = 0.
    return (max(0.0, min(p, centre - half)), min(1.0, max(p, centre + half)))


@dataclass(frozen=True)
class Stratum:
    """One stratum: ``population`` findings, ``decided`` of them reviewed, ``violations``."""

    population: int
    decided: int
    violations: int


@dataclass(frozen=True)
class Estimate:
    """A precision estimate: the point, its 95% interval and what it rests on."""

    precision: float | None
    low: float | None
    high: float | None
    decided: int
    violations: int
    effective_n: float

    def as_dict(self) -> dict[str, Any]:
        """The estimate as JSON-ready values."""
        return {
            "precision": self.precision,
            "ci95": [self.low, self.high] if self.precision is not None else None,
            "decided": self.decided,
            "violations": self.violations,
            "effective_n": round(self.effective_n, 3),
        }


def estimate(strata: Sequence[Stratum]) -> Estimate:
    """Precision over ``strata``, weighted by population, with a Wilson interval at Kish's
    effective sample size. Strata without decided findings are left out.
    """
    used = [s for s in strata if s.decided > 0 and s.population > 0]
    decided = sum(s.decided for s in used)
    violations = sum(s.violations for s in used)
    if not used:
        return Estimate(None, None, None, decided, violations, 0.0)
    total = sum(s.population for s in used)
    p = min(1.0, sum(s.population * s.violations / s.decided for s in used) / total)
    n_eff = total * total / sum(s.population * s.population / s.decided for s in used)
    low, high = wilson(p * n_eff, n_eff)
    return Estimate(p, low, high, decided, violations, n_eff)


@dataclass(frozen=True)
class Agreement:
    """Reviewer agreement over findings decided by two or more reviewers."""

    findings: int
    agreed: int
    pairs: int
    kappa: float | None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready values."""
        share = self.agreed / self.findings if self.findings else None
        return {"findings": self.findings, "agreed": self.agreed, "share": share,
                "pairs": self.pairs, "kappa": self.kappa}  # fmt: skip


@dataclass(frozen=True)
class Precision:
    """Measured precision of a scan output: per rule, per clause, agreement."""

    by_rule: pl.DataFrame
    by_clause: pl.DataFrame
    agreement: Agreement
    reviews: int
    reviewers: tuple[str, ...] = field(default=())

    def clause(self, clause_id: str) -> dict[str, Any] | None:
        """The row of ``clause_id`` in :attr:`by_clause`, if it was reviewed."""
        rows = self.by_clause.filter(pl.col("clause_id") == clause_id).to_dicts()
        return rows[0] if rows else None

    def as_dict(self) -> dict[str, Any]:
        """For ``summary.json``."""
        return {
            "method": "share of reviewed findings that are violations; Wilson 95% interval; "
            "clauses weight each rule by its findings in the scan (Kish effective n)",
            "reviews": self.reviews,
            "reviewers": list(self.reviewers),
            "rules": self.by_rule.to_dicts(),
            "clauses": self.by_clause.to_dicts(),
            "agreement": self.agreement.as_dict(),
        }


def verdicts(reviews: pl.DataFrame) -> pl.DataFrame:
    """One row per reviewed finding: its key, ``verdict`` and how many reviewers decided it."""
    decided = reviews.filter(pl.col("decision") != "unsure")
    return (
        reviews.group_by(KEY_COLUMNS)
        .agg(reviewers=pl.col("reviewer").n_unique())
        .join(
            decided.group_by(KEY_COLUMNS).agg(
                yes=(pl.col("decision") == "violation").sum(),
                no=(pl.col("decision") == "not_violation").sum(),
            ),
            on=KEY_COLUMNS,
            how="left",
            nulls_equal=True,
        )
        .with_columns(
            verdict=pl.when(pl.col("yes").fill_null(0) + pl.col("no").fill_null(0) == 0)
            .then(pl.lit("unsure"))
            .when(pl.col("no").fill_null(0) == 0)
            .then(pl.lit("violation"))
            .when(pl.col("yes").fill_null(0) == 0)
            .then(pl.lit("not_violation"))
            .otherwise(pl.lit("disputed"))
        )
        .drop("yes", "no")
    )


def agreement(reviews: pl.DataFrame) -> Agreement:
    """Agreement and Cohen's kappa over the findings two or more reviewers decided."""
    by_finding: dict[tuple[Any, ...], dict[str, str]] = {}
    for r in reviews.iter_rows(named=True):
        by_finding.setdefault(tuple(r[c] for c in KEY_COLUMNS), {})[r["reviewer"]] = r["decision"]
    pairs: list[tuple[str, str]] = []
    findings = agreed = 0
    for decisions in by_finding.values():
        if len(decisions) < 2:
            continue
        findings += 1
        values = list(decisions.values())
        agreed += len(set(values)) == 1
        pairs.extend(combinations(values, 2))
    if not pairs:
        return Agreement(findings, agreed, 0, None)
    observed = sum(a == b for a, b in pairs) / len(pairs)
    share = {d: sum((a == d) + (b == d) for a, b in pairs) / (2 * len(pairs)) for d in DECISIONS}
    expected = sum(v * v for v in share.values())
    kappa = 1.0 if expected >= 1 else (observed - expected) / (1 - expected)
    return Agreement(findings, agreed, len(pairs), kappa)


def _row(key: dict[str, Any], strata: list[Stratum], extra: dict[str, Any]) -> dict[str, Any]:
    e = estimate(strata)
    return {**key, "findings": sum(s.population for s in strata), **extra,
            "decided": e.decided, "violations": e.violations, "precision": e.precision,
            "ci95_low": e.low, "ci95_high": e.high, "effective_n": e.effective_n}  # fmt: skip


def measure(out: str | Path, violations: pl.LazyFrame | None = None) -> Precision | None:
    """Measured precision of the scan output ``out``; None when it has no stored decisions."""
    reviews = load_reviews(out)
    if reviews.is_empty():
        return None
    if violations is None:
        violations = open_scan_output(out).violations
    populations = (
        violations.group_by("rule_id", "clause_id")
        .agg(findings=pl.len().cast(pl.Int64))
        .collect(engine="streaming")
    )
    current = (
        violations.select(*KEY_COLUMNS)
        .join(reviews.select(KEY_COLUMNS).unique().lazy(), on=KEY_COLUMNS, nulls_equal=True)
        .unique()
        .collect(engine="streaming")
    )
    # Decisions on findings that a later scan no longer has do not count.
    present = reviews.join(current, on=KEY_COLUMNS, nulls_equal=True)
    verdict = verdicts(present)
    per_rule = verdict.group_by("rule_id").agg(
        reviewed=pl.len(),
        violation=(pl.col("verdict") == "violation").sum(),
        not_violation=(pl.col("verdict") == "not_violation").sum(),
        unsure=(pl.col("verdict") == "unsure").sum(),
        disputed=(pl.col("verdict") == "disputed").sum(),
    )
    table = populations.join(per_rule, on="rule_id", how="left").fill_null(0).sort("rule_id")
    rules: list[dict[str, Any]] = []
    clauses: dict[str, list[tuple[Stratum, int]]] = {}
    for r in table.iter_rows(named=True):
        stratum = Stratum(r["findings"], r["violation"] + r["not_violation"], r["violation"])
        clauses.setdefault(r["clause_id"], []).append((stratum, r["reviewed"]))
        if r["reviewed"]:
            rules.append(_row({"rule_id": r["rule_id"], "clause_id": r["clause_id"]}, [stratum],
                              {k: r[k] for k in ("reviewed", "unsure", "disputed")}))  # fmt: skip
    clause_rows = []
    for clause_id, items in sorted(clauses.items(), key=lambda kv: str(kv[0])):
        reviewed = [s for s, n in items if n]
        if not reviewed:
            continue
        total = sum(s.population for s, _ in items)
        row = _row({"clause_id": clause_id}, reviewed,
                   {"reviewed": sum(n for _, n in items), "rules_reviewed": len(reviewed),
                    "rules": len(items)})  # fmt: skip
        row["coverage"] = sum(s.population for s in reviewed) / total if total else None
        row["findings"] = total
        clause_rows.append(row)
    return Precision(
        by_rule=pl.DataFrame(rules, infer_schema_length=None),
        by_clause=pl.DataFrame(clause_rows, infer_schema_length=None),
        agreement=agreement(present),
        reviews=present.height,
        reviewers=tuple(sorted(present.get_column("reviewer").unique().to_list())),
    )
