"""``conduct-scan rules eval --reviews OUT``: measured precision per rule from reviewers'
decisions, and, with ``--ruleset``, what that ruleset would do to the reviewed findings.

With a ruleset (a suggestions file, say), the reviewed contexts are scanned with the bundled
ruleset and with it: a reviewed finding the bundled ruleset finds in its context and the other
does not is *removed*. Per rule this gives the rejected findings removed, the confirmed ones
lost (the recall cost: lost over confirmed), and the precision after, estimated from the
reviewed findings that are kept, with the rule's population scaled by the share kept.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from conduct_scan import Ruleset
from conduct_scan.review.precision import Stratum, estimate, measure
from conduct_scan.review.suggest import removed


def evaluate_reviews(out: str | Path, ruleset: Ruleset | None = None) -> pl.DataFrame | None:
    """One row per reviewed rule: precision before and, with ``ruleset``, after."""
    precision = measure(out)
    if precision is None:
        return None
    table = precision.by_rule.select(
        "rule_id", "clause_id", "findings", "reviewed", "decided", "violations",
        "precision", "ci95_low", "ci95_high",
    )  # fmt: skip
    if ruleset is None:
        return table
    frame, gone = removed(out, Ruleset.load(), ruleset)
    frame = frame.with_columns(gone=pl.Series(gone, dtype=pl.Boolean))
    after = frame.group_by("rule_id").agg(
        rejected_removed=(pl.col("gone") & (pl.col("verdict") == "not_violation")).sum(),
        confirmed_lost=(pl.col("gone") & (pl.col("verdict") == "violation")).sum(),
        kept=(~pl.col("gone")).sum(),
        kept_violations=(~pl.col("gone") & (pl.col("verdict") == "violation")).sum(),
    )
    joined = ["rejected_removed", "confirmed_lost", "kept", "kept_violations"]
    table = table.join(after, on="rule_id", how="left").with_columns(pl.col(joined).fill_null(0))
    rows: list[dict[str, Any]] = []
    for r in table.iter_rows(named=True):
        kept_share = r["kept"] / r["decided"] if r["decided"] else 1.0
        e = estimate([Stratum(round(r["findings"] * kept_share), r["kept"], r["kept_violations"])])
        lost_share = r["confirmed_lost"] / r["violations"] if r["violations"] else 0.0
        rows.append({**r, "precision_after": e.precision, "ci95_low_after": e.low,
                     "ci95_high_after": e.high, "recall_cost": lost_share})  # fmt: skip
    return pl.DataFrame(rows, infer_schema_length=None)


def render(table: pl.DataFrame) -> str:
    """A plain-text table (one line per rule)."""

    def pct(v: Any) -> str:
        return "—" if v is None else f"{100 * v:5.1f}%"

    after = "precision_after" in table.columns
    head = f"{'rule':32} {'clause':6} {'findings':>8} {'decided':>7} {'precision (95% CI)':>22}"
    if after:
        head += f" {'removed':>7} {'lost':>4} {'after (95% CI)':>22} {'recall cost':>11}"
    lines = [head]
    for r in table.sort("rule_id").iter_rows(named=True):
        ci = f"{pct(r['precision'])} ({pct(r['ci95_low'])}–{pct(r['ci95_high'])})"
        line = (
            f"{r['rule_id']:32} {r['clause_id']:6} {r['findings']:>8,} {r['decided']:>7,} {ci:>22}"
        )
        if after:
            low, high = pct(r["ci95_low_after"]), pct(r["ci95_high_after"])
            ci2 = f"{pct(r['precision_after'])} ({low}–{high})"
            line += (
                f" {r['rejected_removed']:>7} {r['confirmed_lost']:>4} {ci2:>22} "
                f"{pct(r['recall_cost']):>11}"
            )
        lines.append(line)
    return "\n".join(lines)
