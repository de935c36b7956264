"""The report's measured precision: a column of the clause table, a per-rule table and
reviewer agreement, from the decisions in ``OUT/reviews/`` (:mod:`conduct_scan.review`).

Shown only when the scan output has stored decisions; otherwise the clause table is as before.
"""

from __future__ import annotations

from html import escape
from typing import Any

from conduct_scan.report import prose
from conduct_scan.report.contents import ReportContents

HEADER = "precision (95% CI)"

METHOD = (
    "Measured precision: the share of reviewed findings that reviewers decided were "
    "violations (unsure and disputed findings left out), with a Wilson 95% interval. A "
    "clause weights each reviewed rule by its findings in this scan; its interval uses the "
    "effective sample size of the weighted estimate. Coverage is the share of the clause's "
    "findings in rules that were reviewed."
)


def interval(row: dict[str, Any] | None) -> str:
    """``93.5 % (82.7–97.8 %, n 60)``; an em dash without an estimate."""
    if not row or row.get("precision") is None:
        return "—"
    return (
        f"{100 * row['precision']:.1f} % ({100 * row['ci95_low']:.1f}–"
        f"{100 * row['ci95_high']:.1f} %, n {row['decided']:,})"
    )


def has_precision(c: ReportContents) -> bool:
    """Whether the report has measured precision to show."""
    return c.precision is not None


def clause_cell(c: ReportContents, clause_id: str) -> str:
    """The clause table's precision cell (plain text)."""
    return interval(c.precision.clause(clause_id) if c.precision is not None else None)


def _rule_rows(c: ReportContents) -> list[list[str]]:
    assert c.precision is not None
    return [
        [
            str(r["rule_id"]),
            str(r["clause_id"]),
            prose.count(r["findings"]),
            prose.count(r["reviewed"]),
            prose.count(r["violations"]),
            prose.count(r["unsure"]),
            prose.count(r["disputed"]),
            interval(r),
        ]
        for r in c.precision.by_rule.sort("rule_id").to_dicts()
    ]


RULE_HEADERS = ["rule", "clause", "findings", "reviewed", "violations", "unsure", "disputed",
                HEADER]  # fmt: skip


def _agreement(c: ReportContents) -> str:
    assert c.precision is not None
    a = c.precision.agreement
    if not a.findings:
        return (
            f"{c.precision.reviews:,} decisions by {len(c.precision.reviewers)} reviewer(s); "
            "no finding was decided by two reviewers, so agreement is not measured."
        )
    kappa = "—" if a.kappa is None else f"{a.kappa:.2f}"
    return (
        f"{c.precision.reviews:,} decisions by {len(c.precision.reviewers)} reviewers. "
        f"Agreement: {a.agreed:,} of {a.findings:,} findings decided by two or more reviewers "
        f"({prose.percent(a.agreed / a.findings, 1)}), Cohen's kappa {kappa} over "
        f"{a.pairs:,} pairs."
    )


def markdown_section(c: ReportContents, md: Any, table: Any) -> list[str]:
    """The Markdown section (``md`` escapes, ``table`` renders; from ``markdown.py``)."""
    if c.precision is None:
        return []
    rows = [[md(cell) for cell in row] for row in _rule_rows(c)]
    return [
        "## Measured precision",
        "",
        md(METHOD),
        "",
        md(_agreement(c)),
        "",
        table(RULE_HEADERS, rows, numeric=range(2, 7)),
        "",
    ]


def html_section(c: ReportContents, table: Any) -> str:
    """The HTML section (``table`` renders escaped cells; from ``html.py``)."""
    if c.precision is None:
        return ""
    rows = [[escape(cell, quote=True) for cell in row] for row in _rule_rows(c)]
    return str(
        '<section id="precision"><h2>Measured precision</h2>'
        f"<p>{escape(METHOD)}</p><p>{escape(_agreement(c))}</p>"
        + table(RULE_HEADERS, rows, numeric=range(2, 7))
        + "</section>"
    )
