"""``report.md``: the report for terminals and tickets (GitHub-flavoured Markdown tables).

Values from the data are made inert: table cells cannot break out of their cell (``|`` and line
breaks escaped), and ``<``, ``>``, ``&`` and backticks are neutralised, so a matched text such as
``<script>`` shows as text in any Markdown renderer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from conduct_scan.report import precision_section, prose
from conduct_scan.report.contents import ReportContents

EVIDENCE_ROWS = 3
"""Evidence rows per clause in the Markdown report (the HTML report shows more)."""


def md(value: Any) -> str:
    """Escape ``value`` as inert Markdown text, safe inside a table cell."""
    if value is None:
        return ""
    text = str(value)
    for old, new in (
        ("&", "&amp;"),
        ("<", "&lt;"),
        (">", "&gt;"),
        ("\\", "\\\\"),
        ("|", "\\|"),
        ("`", "\\`"),
        ("*", "\\*"),
        ("_", "\\_"),
        ("[", "\\["),
        ("]", "\\]"),
    ):
        text = text.replace(old, new)
    return " ".join(text.split())


def _table(
    headers: Sequence[str], rows: Iterable[Sequence[str]], numeric: Iterable[int] = ()
) -> str:
    numbers = set(numeric)
    lines = [
        "| " + " | ".join(headers) + " |",
        "|" + "|".join("---:" if i in numbers else "---" for i in range(len(headers))) + "|",
    ]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def render_markdown(contents: ReportContents) -> str:
    """Render the report as Markdown.

    Parameters
    ----------
    contents
        What to show (:func:`conduct_scan.report.contents.collect_contents`).
    """
    c = contents
    t = c.totals
    ruleset = c.ruleset
    today = c.generated_at.date() if isinstance(c.generated_at, dt.datetime) else dt.date.today()
    out: list[str] = [f"# {prose.TITLE}", ""]
    out.append(
        f"Ruleset **{md(ruleset.id)} {md(ruleset.version)}**"
        + (f" (sha256 {md(ruleset.sha256[:16])}…)" if ruleset.sha256 else "")
        + f" · generated {md(prose.timestamp(c.generated_at))}"
        + (
            f" · findings dated {md(prose.timestamp(t.first_flagged_at))} to "
            f"{md(prose.timestamp(t.last_flagged_at))}"
            if t.first_flagged_at
            else ""
        )
    )
    out += [
        "",
        f"> **Not binding.** {md(prose.NON_BINDING)}",
        ">",
        f"> **Signals, not verdicts.** {md(prose.SIGNALS)}",
        "",
    ]
    if c.redacted:
        out += [f"> **Redacted.** {md(prose.REDACTED)}", ""]

    out += ["## Overview", ""]
    out.append(
        _table(
            [
                "posts scanned",
                "posts flagged",
                "flag rate",
                "findings",
                "accounts",
                "accounts flagged",
                "repeat offenders",
            ],
            [
                [
                    prose.count(t.posts_scanned),
                    prose.count(t.posts_flagged),
                    prose.percent(t.flag_rate),
                    prose.count(t.findings),
                    prose.count(t.accounts),
                    prose.count(t.accounts_flagged),
                    prose.count(t.repeat_offenders),
                ]
            ],
            numeric=range(7),
        )
    )
    statuses, problems = prose.inputs_summary(c.manifest)
    if statuses:
        listed = ", ".join(f"{n:,} {md(status)}" for status, n in sorted(statuses.items()))
        out += ["", f"Inputs: {listed}."]
    for item in problems[:20]:
        out.append(
            f"- input {md(prose.input_name(item))}: {md(item.get('status'))}"
            + (f" ({md(item.get('error'))})" if item.get("error") else "")
        )
    out.append("")

    out += ["## Clauses", "", md(prose.NUMBERING), ""]
    rows = c.by_clause.to_dicts()
    out.append(
        _table(
            [
                "clause",
                "title",
                "status",
                "findings",
                "posts flagged",
                "accounts",
                "share of posts",
                "max severity",
                "top rules",
                *([precision_section.HEADER] if c.precision is not None else []),
            ],
            [
                [
                    md(r["clause_id"]),
                    md(r["title"] or "(not in the ruleset)"),
                    md(r["status"] + (f": {r['status_reason']}" if r.get("status_reason") else "")),
                    prose.count(r["findings"]),
                    prose.count(r["posts_flagged"]),
                    prose.count(r["accounts"]),
                    prose.percent(r["share_of_posts"], 3),
                    md(r["max_severity"] or "—"),
                    md(
                        ", ".join(
                            f"{i['rule_id']} ({i['findings']:,})" for i in r["top_rules"] or []
                        )
                        or "—"
                    ),
                    *(
                        [md(precision_section.clause_cell(c, r["clause_id"]))]
                        if c.precision is not None
                        else []
                    ),
                ]
                for r in rows
            ],
            numeric=(3, 4, 5, 6),
        )
    )
    out.append("")

    out += precision_section.markdown_section(c, md, _table)
    out += ["## Users, officials and agencies", "", md(prose.GROUPS), ""]
    group_headers, group_rows = prose.group_table(c.by_group.to_dicts(), md)
    out.append(_table(group_headers, group_rows, numeric=range(1, len(group_headers))))
    out.append("")

    account_headers = [
        "account",
        "group",
        "posts flagged",
        "flag rate",
        "findings",
        "score",
        "max severity",
        "top rule",
    ]

    def account_rows(frame: Any) -> list[list[str]]:
        return [
            [
                md(r["account_id"]),
                md(r["group"]),
                prose.count(r["posts_flagged"]),
                prose.percent(r["flag_rate"]),
                prose.count(r["findings"]),
                prose.number(r["score"]),
                md(r["max_severity"] or "—"),
                md(r["top_rule"] or "—"),
            ]
            for r in frame.to_dicts()
        ]

    out += ["## Top accounts", ""]
    out.append(
        _table(account_headers, account_rows(c.top_accounts), numeric=(2, 3, 4, 5))
        if c.top_accounts.height
        else "None."
    )
    th = c.thresholds
    out += [
        "",
        "## Repeat offenders",
        "",
        f"At least {th.min_posts_flagged:,} flagged posts, a flag rate of at least "
        f"{prose.percent(th.min_flag_rate)} and a score of at least {prose.number(th.min_score)}: "
        f"{t.repeat_offenders:,} account(s).",
        "",
    ]
    if c.repeat_offenders.height:
        out.append(
            _table(account_headers, account_rows(c.repeat_offenders.head(20)), numeric=(2, 3, 4, 5))
        )
        out.append("")

    if c.accounts is not None:
        from conduct_scan.report.accounts import render_markdown as render_account_audit

        out += render_account_audit(c.accounts)
    out += ["## Evidence", ""]
    if c.redacted:
        out += ["Matched text and context are left out of this redacted report.", ""]
    evidence = c.evidence.partition_by("clause_id", as_dict=True, maintain_order=True)
    for (clause_id,), frame in evidence.items():
        out += [f"### Clause {md(clause_id)}", ""]
        for r in frame.head(EVIDENCE_ROWS).to_dicts():
            where = (
                f"{md(r['rule_id'])}, {md(r['severity'])}, view {md(r['view'])}, "
                f"field {md(r['field'])}, account {md(r['account_id'])}"
            )
            if c.redacted:
                out.append(f"- {where}")
            else:
                out.append(
                    f"- «{md(r['context'] or r['matched'])}» (match: «{md(r['matched'])}»; {where})"
                )
        out.append("")

    out += ["## Legal cross-references", ""]
    for r in rows:
        refs = r.get("references") or []
        out.append(
            f"- **{md(r['clause_id'])}** {md(r['title'] or '')}"
            + ("" if refs else ": no cross-reference in the ruleset")
        )
        for ref in refs:
            out.append(f"  - {md(prose.reference_title(ref))} ({md(prose.law_dates(ref, today))})")
    out += ["", "## Method", "", md(prose.DEFINITIONS), ""]
    if c.files:
        out += [f"- `{name}`: {md(what)}" for name, what in c.files.items()]
        out.append("")
    return "\n".join(out)
