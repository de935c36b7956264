"""The account audit in the report: clauses 4.2, 4.3 and 6.2 assessed, the "Accounts" section,
account findings joined into ``by_account``.

Reads ``OUT/account_findings/`` (written by ``scan``/``audit --accounts``): its summary says
which account rules ran (the clauses they signal are *assessed*) and which did not, and why
(a column the accounts table lacks).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

import polars as pl

from conduct_scan.accounts import FINDINGS_DIR, read_summary
from conduct_scan.report.redact import Pseudonymiser

EVIDENCE_ROWS = 25
"""Account findings listed in the documents (impersonation first)."""

_SEVERITY_RANK = {"info": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}
_CLAUSE_ORDER = {"4.3": 0, "6.2": 1, "4.2": 2}  # impersonators first


def _findings(out: Path) -> pl.LazyFrame | None:
    files = sorted((out / FINDINGS_DIR).glob("*.parquet"))
    return pl.scan_parquet(files) if files else None


def patch_by_clause(by_clause: pl.LazyFrame, out: Path) -> pl.LazyFrame:
    """Mark the clauses the account rules assessed, and add their findings and accounts."""
    summary = read_summary(out)
    if summary is None:
        return by_clause
    assessed = list(summary.get("clauses_assessed", []))
    findings = _findings(out)
    schema = by_clause.collect_schema()
    if findings is None:
        counts = pl.LazyFrame(
            {"clause_id": assessed, "_af": [0] * len(assessed), "_aa": [0] * len(assessed)},
            schema={"clause_id": pl.String, "_af": pl.Int64, "_aa": pl.Int64},
        )
    else:
        counts = findings.group_by("clause_id").agg(
            _af=pl.len().cast(pl.Int64), _aa=pl.col("account_id").n_unique().cast(pl.Int64)
        )
    is_assessed = pl.col("clause_id").is_in(assessed) | (pl.col("_af").fill_null(0) > 0)
    return (
        by_clause.join(counts, on="clause_id", how="left")
        .with_columns(
            status=pl.when(is_assessed).then(pl.lit("assessed")).otherwise(pl.col("status")),
            status_reason=pl.when(is_assessed).then(None).otherwise(pl.col("status_reason")),
            findings=pl.when(is_assessed)
            .then(pl.col("findings").fill_null(0) + pl.col("_af").fill_null(0))
            .otherwise(pl.col("findings"))
            .cast(schema["findings"]),
            accounts=pl.when(is_assessed)
            .then(pl.col("accounts").fill_null(0) + pl.col("_aa").fill_null(0))
            .otherwise(pl.col("accounts"))
            .cast(schema["accounts"]),
            posts_flagged=pl.when(is_assessed)
            .then(pl.col("posts_flagged").fill_null(0))
            .otherwise(pl.col("posts_flagged"))
            .cast(schema["posts_flagged"]),
        )
        .drop("_af", "_aa")
    )


def join_by_account(by_account: pl.LazyFrame, out: Path) -> pl.LazyFrame:
    """Add ``account_findings``, ``account_clauses`` and ``account_max_severity`` to each account
    (accounts with account findings but no posts are added, with zero posts).
    """
    findings = _findings(out)
    if findings is None:
        return by_account.with_columns(
            account_findings=pl.lit(0, pl.Int64),
            account_clauses=pl.lit(None, pl.String),
            account_max_severity=pl.lit(None, pl.String),
        )
    rank = pl.col("severity").replace_strict(_SEVERITY_RANK, default=0, return_dtype=pl.Int8)
    per_account = findings.group_by("account_id").agg(
        account_findings=pl.len().cast(pl.Int64),
        account_clauses=pl.col("clause_id").unique().sort().str.join(", "),
        _rank=rank.max(),
    )
    names = {v: k for k, v in _SEVERITY_RANK.items()}
    schema = by_account.collect_schema()
    zero = {
        c: pl.col(c).fill_null(0)
        for c in ("posts_scanned", "posts_flagged", "findings")
        if c in schema
    }
    return (
        by_account.join(per_account, on="account_id", how="full", coalesce=True)
        .with_columns(
            *zero.values(),
            pl.col("score").fill_null(0.0),
            pl.col("group").fill_null("users"),
            pl.col("repeat_offender").fill_null(False),
            pl.col("account_findings").fill_null(0),
            account_max_severity=pl.col("_rank").replace_strict(
                names, default=None, return_dtype=pl.String
            ),
        )
        .drop("_rank")
    )


@dataclass(frozen=True)
class AccountsSection:
    """What the documents show of the account audit."""

    summary: dict[str, Any]
    by_clause: list[dict[str, Any]]
    evidence: list[dict[str, Any]]
    redacted: bool
    titles: dict[str, str] = field(default_factory=dict)


def collect_section(
    out: Path, pseudonymiser: Pseudonymiser | None, titles: dict[str, str]
) -> AccountsSection | None:
    """The section's contents, or None when the scan had no ``--accounts``."""
    summary = read_summary(out)
    if summary is None:
        return None
    findings = _findings(out)
    by_clause: list[dict[str, Any]] = []
    evidence: list[dict[str, Any]] = []
    if findings is not None:
        by_clause = (
            findings.group_by("clause_id", "rule_id")
            .agg(findings=pl.len(), accounts=pl.col("account_id").n_unique())
            .sort("clause_id", "findings", descending=[False, True])
            .collect()
            .to_dicts()
        )
        order = pl.col("clause_id").replace_strict(_CLAUSE_ORDER, default=9, return_dtype=pl.Int8)
        rank = pl.col("severity").replace_strict(_SEVERITY_RANK, default=0, return_dtype=pl.Int8)
        evidence = (
            findings.with_columns(_o=order, _r=rank)
            .sort(["_o", "_r", "confidence", "account_id"], descending=[False, True, True, False])
            .head(EVIDENCE_ROWS)
            .drop("_o", "_r")
            .collect()
            .to_dicts()
        )
    if pseudonymiser is not None:
        for row in evidence:
            row["account_id"] = pseudonymiser.account(row["account_id"])
            row["matched"] = None
            row["evidence"] = None
    return AccountsSection(summary, by_clause, evidence, pseudonymiser is not None, titles)


def _intro(s: AccountsSection) -> str:
    summ = s.summary
    return (
        f"{summ.get('accounts', 0):,} accounts checked from "
        f"{', '.join(summ.get('source', [])) if not s.redacted else 'the accounts table'}: "
        f"{summ.get('findings', 0):,} findings on {summ.get('accounts_flagged', 0):,} accounts; "
        f"clauses assessed: {', '.join(summ.get('clauses_assessed', [])) or 'none'}. "
        "Findings on accounts are signals for review (a nickname is not a violation); "
        "impersonation of state bodies is listed first."
    )


def render_markdown(s: AccountsSection) -> list[str]:
    """The section as Markdown lines."""
    out = ["## Accounts: real names, impersonation, agency accounts", "", _intro(s), ""]
    if s.by_clause:
        out += ["| clause | rule | findings | accounts |", "|---|---|---:|---:|"]
        out += [
            f"| {r['clause_id']} | {r['rule_id']} | {r['findings']:,} | {r['accounts']:,} |"
            for r in s.by_clause
        ]
        out.append("")
    for rule, why in s.summary.get("rules_not_run", {}).items():
        out.append(f"- not run: `{rule}` ({why})")
    if s.summary.get("rules_not_run"):
        out.append("")
    if s.evidence:
        out += ["| clause | rule | account | field | severity | confidence | evidence |",
                "|---|---|---|---|---|---:|---|"]  # fmt: skip
        for r in s.evidence:
            ev = r["evidence"] if r["evidence"] is not None else "(redacted)"
            ev = str(ev).replace("|", "\\|")
            out.append(
                f"| {r['clause_id']} | {r['rule_id']} | {r['account_id']} | {r['field']} | "
                f"{r['severity']} | {r['confidence']:.2f} | {ev} |"
            )
        out.append("")
    return out


def render_html(s: AccountsSection) -> str:
    """The section as HTML (every value escaped)."""

    def e(v: Any) -> str:
        return "" if v is None else escape(str(v), quote=True)

    html = [
        '<section id="account-audit"><h2>Accounts: real names, impersonation, agency accounts</h2>',
        f"<p>{e(_intro(s))}</p>",
    ]
    if s.by_clause:
        html.append("<table><thead><tr><th>clause</th><th>rule</th><th class=num>findings</th>"
                    "<th class=num>accounts</th></tr></thead><tbody>")  # fmt: skip
        for r in s.by_clause:
            html.append(
                f"<tr><td>{e(r['clause_id'])}</td><td>{e(r['rule_id'])}</td>"
                f"<td class=num>{r['findings']:,}</td><td class=num>{r['accounts']:,}</td></tr>"
            )
        html.append("</tbody></table>")
    not_run = s.summary.get("rules_not_run", {})
    if not_run:
        html.append("<ul>")
        html += [f"<li>not run: <code>{e(k)}</code> ({e(v)})</li>" for k, v in not_run.items()]
        html.append("</ul>")
    if s.evidence:
        html.append("<table><thead><tr><th>clause</th><th>rule</th><th>account</th><th>field</th>"
                    "<th>severity</th><th class=num>confidence</th><th>evidence</th></tr></thead>"
                    "<tbody>")  # fmt: skip
        for r in s.evidence:
            ev = r["evidence"] if r["evidence"] is not None else "(redacted)"
            html.append(
                f"<tr><td>{e(r['clause_id'])}</td><td>{e(r['rule_id'])}</td>"
                f"<td>{e(r['account_id'])}</td><td>{e(r['field'])}</td>"
                f"<td>{e(r['severity'])}</td><td class=num>{r['confidence']:.2f}</td>"
                f"<td>{e(ev)}</td></tr>"
            )
        html.append("</tbody></table>")
    html.append("</section>")
    return "\n".join(html)
