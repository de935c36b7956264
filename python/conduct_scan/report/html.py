"""``report.html``: one self-contained page for auditors, readable offline.

No network resource of any kind: styles are inline, charts are inline SVG, there is no script,
and a Content-Security-Policy (``default-src 'none'``) makes the browser refuse anything else,
so a report opened from a mail attachment cannot fetch or run anything. Every value that comes
from the data (matched text, contexts, account ids, rule and clause text from the ruleset) is
HTML-escaped; links are only made from http(s) addresses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from html import escape
from typing import Any

import polars as pl

from conduct_scan.report import precision_section, prose
from conduct_scan.report.charts import Chart
from conduct_scan.report.contents import ReportContents

_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

_CSS = """
:root { color-scheme: light; --ink: #1b1f24; --muted: #57606a; --line: #d0d7de;
  --soft: #f6f8fa; --warn: #9a6700; --bad: #cf222e; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1180px; padding: 24px 28px 64px; color: var(--ink);
  font: 15px/1.5 system-ui, "Segoe UI", "DejaVu Sans", "Noto Sans", "Liberation Sans",
  Arial, sans-serif; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 36px 0 10px; padding-bottom: 4px;
  border-bottom: 1px solid var(--line); }
h3 { font-size: 16px; margin: 24px 0 8px; }
p, li { max-width: 78ch; }
.meta { color: var(--muted); margin: 0 0 16px; }
.notice { border-left: 4px solid var(--warn); background: #fff8c5; padding: 10px 14px;
  margin: 14px 0; }
.notice.redacted { border-color: #0969da; background: #ddf4ff; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(165px, 1fr));
  gap: 10px; margin: 16px 0; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px;
  background: var(--soft); }
.card .value { font-size: 22px; font-weight: 600; }
.card .label { color: var(--muted); font-size: 13px; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr));
  gap: 18px; align-items: start; }
figure.chart h3 { margin: 2px 0 6px; }
figure.chart { margin: 0; border: 1px solid var(--line); border-radius: 6px; padding: 10px;
  background: #fff; }
figure.chart svg { display: block; width: 100%; height: auto; }
figcaption { color: var(--muted); font-size: 13px; margin-top: 6px; }
.table-wrap { overflow-x: auto; margin: 8px 0 16px; }
table { border-collapse: collapse; font-size: 13.5px; min-width: 50%; }
th, td { border: 1px solid var(--line); padding: 5px 8px; text-align: left;
  vertical-align: top; }
th { background: var(--soft); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.id { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12.5px;
  overflow-wrap: break-word; }
.snippet { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12.5px;
  white-space: pre-wrap; word-break: break-word; max-width: 60ch; }
mark { background: #ffd8b5; padding: 0 1px; }
.sev-critical { color: #fff; background: var(--bad); }
.sev-high { color: var(--bad); font-weight: 600; }
.sev-medium { color: var(--warn); font-weight: 600; }
.pill { display: inline-block; padding: 0 6px; border-radius: 9px; font-size: 12px; }
.vi { color: var(--muted); }
.term { overflow-wrap: break-word; }
.muted { color: var(--muted); }
footer { margin-top: 40px; color: var(--muted); font-size: 13px; }
"""


def render_html(
    contents: ReportContents, charts: Sequence[Chart], extra: Sequence[str] = ()
) -> str:
    """Render the report as one HTML document.

    Parameters
    ----------
    contents
        What to show (:func:`conduct_scan.report.contents.collect_contents`).
    charts
        The charts (:func:`conduct_scan.report.charts.charts`).
    extra
        Sections rendered elsewhere (``Coordinated copies``), placed after the evidence.

    Returns
    -------
    str
        A complete, self-contained HTML5 document.
    """
    sections = [
        _header(contents),
        _overview(contents),
        _charts(charts),
        _clauses(contents),
        precision_section.html_section(contents, _table),
        _groups(contents),
        _accounts(contents),
        _account_audit(contents),
        _evidence(contents),
        *extra,
        _references(contents),
        _method(contents),
    ]
    title = f"{prose.TITLE}: {contents.ruleset.id} {contents.ruleset.version}".strip()
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="generator" content="conduct-scan">\n'
        '<link rel="icon" href="data:,">\n'
        f"<title>{escape(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        + "\n".join(sections)
        + _footer(contents)
        + "</body>\n</html>\n"
    )


def _account_audit(contents: ReportContents) -> str:
    from conduct_scan.report.accounts import render_html as render_account_audit

    return render_account_audit(contents.accounts) if contents.accounts is not None else ""


def _e(value: Any) -> str:
    return "" if value is None else escape(str(value), quote=True)


def _table(
    headers: Sequence[str],
    rows: Iterable[Sequence[str]],
    numeric: Iterable[int] = (),
    caption: str | None = None,
) -> str:
    """Render a table; headers are plain text, cells HTML already escaped by the caller."""
    numbers = set(numeric)
    head = "".join(
        f'<th scope="col"{" class=num" if i in numbers else ""}>{_e(h)}</th>'
        for i, h in enumerate(headers)
    )
    body = "".join(
        "<tr>"
        + "".join(
            f"<td{' class=num' if i in numbers else ''}>{cell}</td>" for i, cell in enumerate(row)
        )
        + "</tr>\n"
        for row in rows
    )
    cap = f"<caption class=muted>{_e(caption)}</caption>" if caption else ""
    return (
        f'<div class="table-wrap"><table>{cap}<thead><tr>{head}</tr></thead>'
        f"<tbody>\n{body}</tbody></table></div>"
    )


def _id(value: Any) -> str:
    return f'<span class="id">{_e(value)}</span>'


def _severity(value: Any) -> str:
    if value is None:
        return "—"
    return f'<span class="pill sev-{_e(value)}">{_e(value)}</span>'


def _header(c: ReportContents) -> str:
    ruleset = c.ruleset
    tool = c.manifest.get("tool") if isinstance(c.manifest.get("tool"), dict) else {}
    first, last = c.totals.first_flagged_at, c.totals.last_flagged_at
    period = (
        f"{prose.timestamp(first)} to {prose.timestamp(last)}" if first else "no dated findings"
    )
    parts = [
        f"<header><h1>{_e(prose.TITLE)}</h1>",
        f'<p class="meta">Ruleset <strong>{_e(ruleset.id)} {_e(ruleset.version)}</strong>'
        + (f" ({_e(ruleset.title)})" if ruleset.title else "")
        + (f", sha256 <code>{_e(ruleset.sha256[:16])}…</code>" if ruleset.sha256 else "")
        + (
            f" · scanned by {_e(tool.get('name', 'conduct-scan'))} {_e(tool.get('version', ''))}"
            if tool
            else ""
        )
        + f" · findings dated {_e(period)} · generated {_e(prose.timestamp(c.generated_at))}</p>",
        f'<div class="notice" role="note"><strong>Not binding.</strong> {_e(prose.NON_BINDING)}'
        f"</div>",
        f'<div class="notice" role="note"><strong>Signals, not verdicts.</strong> '
        f"{_e(prose.SIGNALS)}</div>",
    ]
    if c.redacted:
        parts.append(
            f'<div class="notice redacted" role="note"><strong>Redacted.</strong> '
            f"{_e(prose.REDACTED)}</div>"
        )
    if not ruleset.present:
        parts.append(
            '<div class="notice" role="note">The scan output has no ruleset.json: clause titles '
            "and legal references are unknown.</div>"
        )
    parts.append("</header>")
    return "\n".join(parts)


def _overview(c: ReportContents) -> str:
    t = c.totals
    cards = [
        (prose.count(t.posts_scanned), "posts scanned"),
        (prose.count(t.posts_flagged), "posts flagged"),
        (prose.percent(t.flag_rate), "flag rate"),
        (prose.count(t.findings), "findings"),
        (prose.count(t.accounts), "accounts scanned"),
        (prose.count(t.accounts_flagged), "accounts flagged"),
        (prose.count(t.repeat_offenders), "repeat offenders"),
    ]
    html = ['<section id="overview"><h2>Overview</h2><div class="cards">']
    html += [
        f'<div class="card"><div class="value">{_e(v)}</div><div class="label">{_e(label)}'
        "</div></div>"
        for v, label in cards
    ]
    html.append("</div>")
    severities = c.by_severity.to_dicts()
    if severities:
        html.append(
            _table(
                ["severity", "findings", "posts flagged"],
                [
                    (
                        _severity(r["severity"]),
                        prose.count(r["findings"]),
                        prose.count(r["posts_flagged"]),
                    )
                    for r in severities
                ],
                numeric=(1, 2),
                caption="Findings per severity",
            )
        )
    statuses, problems = prose.inputs_summary(c.manifest)
    if statuses:
        listed = ", ".join(f"{n:,} {status}" for status, n in sorted(statuses.items()))
        html.append(f"<p>Inputs: {_e(listed)}.</p>")
    if problems:
        html.append(
            _table(
                ["input", "status", "error"],
                [
                    (
                        _id(prose.input_name(p)),
                        _e(p.get("status")),
                        _e(p.get("error") or p.get("message") or ""),
                    )
                    for p in problems[:50]
                ],
                caption="Inputs that did not complete (their posts are not in this report)",
            )
        )
    html.append("</section>")
    return "\n".join(html)


def _charts(charts: Sequence[Chart]) -> str:
    figures = [
        f'<figure class="chart" id="{_e(ch.id)}-figure"><h3 id="{_e(ch.id)}-title">'
        f"{_e(ch.title)}</h3>{ch.svg}<figcaption>{_e(ch.caption)}</figcaption></figure>"
        for ch in charts
    ]
    return (
        '<section id="charts"><h2>Charts</h2><div class="charts">'
        + "".join(figures)
        + ("</div></section>")
    )


_TERM_CHARS = 40


def _terms(items: Any, key: str) -> str:
    """Terms or rules with their counts; long patterns cut, in full on hover."""
    if not items:
        return "—"
    cells = []
    for item in items:
        text = str(item[key])
        shown = _e(text if len(text) <= _TERM_CHARS else text[: _TERM_CHARS - 1] + "…")
        title = f' title="{_e(text)}"' if len(text) > _TERM_CHARS else ""
        cells.append(
            f'<span class="term"{title}>{shown}</span> '
            f"<span class=muted>({item['findings']:,})</span>"
        )
    return "<br>".join(cells)


def _clause_title(row: dict[str, Any]) -> str:
    title = _e(row.get("title") or "(not in the ruleset)")
    if row.get("title_vi"):
        title += f'<br><span class="vi" lang="vi">{_e(row["title_vi"])}</span>'
    return title


def _clauses(c: ReportContents) -> str:
    rows = c.by_clause.to_dicts()
    assessed = [r for r in rows if r["status"] == "assessed"]
    not_assessed = [r for r in rows if r["status"] != "assessed"]
    html = ['<section id="clauses"><h2>Clauses</h2>', f"<p>{_e(prose.NUMBERING)}</p>"]
    html.append(
        _table(
            [
                "clause",
                "title",
                "binds",
                "findings",
                "posts flagged",
                "accounts",
                "share of posts",
                "max severity",
                "top rules",
                "top matched terms",
                *([precision_section.HEADER] if c.precision is not None else []),
            ],
            [
                (
                    f'<a href="#clause-{_e(r["clause_id"])}">{_e(r["clause_id"])}</a>',
                    _clause_title(r),
                    _e(", ".join(r["binds"] or [])),
                    prose.count(r["findings"]),
                    prose.count(r["posts_flagged"]),
                    prose.count(r["accounts"]),
                    prose.percent(r["share_of_posts"], 3),
                    _severity(r["max_severity"]),
                    _terms(r["top_rules"], "rule_id"),
                    _terms(r["top_terms"], "term"),
                    *(
                        [_e(precision_section.clause_cell(c, r["clause_id"]))]
                        if c.precision is not None
                        else []
                    ),
                )
                for r in assessed
            ],
            numeric=(3, 4, 5, 6),
        )
    )
    if not_assessed:
        html.append('<h3 id="not-assessed">Not assessed</h3>')
        html.append(
            "<p>This scan did not assess these clauses; the report says nothing about them. "
            "Findings of officials' and agencies' accounts under Article 4 clauses are in the "
            "groups section below.</p><ul>"
            + "".join(
                f"<li><strong>{_e(r['clause_id'])}</strong> {_clause_title(r)}"
                f"<br><span class=muted>{_e(r.get('status_reason') or 'not assessed')}; binds "
                f"{_e(', '.join(r['binds'] or []) or '—')}</span></li>"
                for r in not_assessed
            )
            + "</ul>"
        )
    html.append("</section>")
    return "\n".join(html)


def _groups(c: ReportContents) -> str:
    html = [
        '<section id="groups"><h2>Users, officials and agencies</h2>',
        f"<p>{_e(prose.GROUPS)}</p>",
    ]
    headers, rows = prose.group_table(c.by_group.to_dicts(), _e)
    html.append(_table(headers, rows, numeric=range(1, len(headers))))
    if c.top_state_accounts.height:
        html.append("<h3>Flagged accounts of officials and agencies</h3>")
        html.append(_account_table(c.top_state_accounts))
    html.append("</section>")
    return "\n".join(html)


def _account_table(frame: pl.DataFrame) -> str:
    return _table(
        [
            "account",
            "group",
            "type",
            "posts scanned",
            "posts flagged",
            "flag rate",
            "findings",
            "score",
            "max severity",
            "top rule",
            "first flagged",
            "last flagged",
        ],
        [
            (
                _id(r["account_id"]),
                _e(r["group"]),
                _e(r["account_type"] or "—"),
                prose.count(r["posts_scanned"]),
                prose.count(r["posts_flagged"]),
                prose.percent(r["flag_rate"]),
                prose.count(r["findings"]),
                prose.number(r["score"]),
                _severity(r["max_severity"]),
                _e(r["top_rule"] or "—"),
                _e(prose.timestamp(r["first_flagged_at"])),
                _e(prose.timestamp(r["last_flagged_at"])),
            )
            for r in frame.to_dicts()
        ],
        numeric=(3, 4, 5, 6, 7),
    )


def _accounts(c: ReportContents) -> str:
    t = c.thresholds
    html = ['<section id="accounts"><h2>Accounts</h2>', "<h3>Top accounts by score</h3>"]
    html.append(_account_table(c.top_accounts) if c.top_accounts.height else "<p>None.</p>")
    html.append("<h3>Repeat offenders</h3>")
    html.append(
        f"<p>Accounts with at least {t.min_posts_flagged:,} flagged posts, a flag rate of at "
        f"least {_e(prose.percent(t.min_flag_rate))} and a score of at least "
        f"{_e(prose.number(t.min_score))}: {c.totals.repeat_offenders:,} account(s)"
        + (
            f"; the first {c.repeat_offenders.height:,} are listed, all are in "
            "repeat_offenders.parquet"
            if c.totals.repeat_offenders > c.repeat_offenders.height
            else ""
        )
        + ".</p>"
    )
    if c.repeat_offenders.height:
        html.append(_account_table(c.repeat_offenders))
    html.append("</section>")
    return "\n".join(html)


def snippet(context: str | None, start: int | None, matched: str | None) -> str:
    """Escape the context and mark the match: ``…before <mark>match</mark> after…``."""
    if context is None:
        return _e(matched)
    if matched is None or start is None or not 0 <= start <= len(context):
        return _e(context)
    end = min(len(context), start + len(matched))
    return f"{_e(context[:start])}<mark>{_e(context[start:end])}</mark>{_e(context[end:])}"


def _evidence(c: ReportContents) -> str:
    html = ['<section id="evidence"><h2>Evidence</h2>']
    if c.redacted:
        html.append("<p>Matched text and context are left out of this redacted report.</p>")
    else:
        html.append(
            "<p>The most severe, most confident findings of each clause: the matched text in "
            "its context, the view of the text that matched (<em>exact</em>, <em>casefold</em>, "
            "<em>fold</em>: diacritics removed, <em>skeleton</em>: evasions undone), the rule "
            "and the term.</p>"
        )
    titles = {r["clause_id"]: r for r in c.by_clause.to_dicts()}
    by_clause = c.evidence.partition_by("clause_id", as_dict=True, maintain_order=True)
    if not by_clause:
        html.append("<p>No findings.</p>")
    for (clause_id,), frame in by_clause.items():
        row = titles.get(clause_id, {"clause_id": clause_id})
        html.append(
            f'<h3 id="evidence-{_e(clause_id)}">Clause {_e(clause_id)}: {_clause_title(row)}</h3>'
        )
        headers = [
            "severity",
            "rule",
            "term",
            "view",
            "field",
            "confidence",
            "account",
            "post",
            "time",
        ]
        if not c.redacted:
            headers.insert(0, "matched in context")
        rows = []
        for r in frame.to_dicts():
            cells = [
                _severity(r["severity"]),
                _e(r["rule_id"]),
                _e(r["term"]),
                _e(r["view"]),
                _e(r["field"]),
                prose.number(r["confidence"], 2),
                _id(r["account_id"])
                + (
                    f" <span class=muted>({_e(r['account_type'])})</span>"
                    if r["account_type"]
                    else ""
                ),
                _id(r["post_id"]),
                _e(prose.timestamp(r["created_at"])),
            ]
            if not c.redacted:
                cells.insert(
                    0,
                    '<div class="snippet" lang="vi">'
                    + snippet(r["context"], r["context_start"], r["matched"])
                    + "</div>",
                )
            rows.append(cells)
        html.append(_table(headers, rows, numeric=(6,) if not c.redacted else (5,)))
    html.append("</section>")
    return "\n".join(html)


def _references(c: ReportContents) -> str:
    today = c.generated_at.date() if isinstance(c.generated_at, dt.datetime) else dt.date.today()
    html = [
        '<section id="references"><h2>Clauses and their legal cross-references</h2>',
        "<p>The Code itself carries no sanction; these are the binding laws each clause points "
        "to, with the dates they apply.</p>",
    ]
    for r in c.by_clause.to_dicts():
        html.append(
            f'<h3 id="clause-{_e(r["clause_id"])}">{_e(r["clause_id"])} {_clause_title(r)}</h3>'
        )
        status = r["status"] + (f" ({r['status_reason']})" if r.get("status_reason") else "")
        facts = [f"status: {status}", f"binds: {', '.join(r['binds'] or []) or '—'}"]
        if r.get("dsa_category"):
            facts.append(f"DSA category: {r['dsa_category']}")
        html.append(f'<p class="muted">{_e("; ".join(facts))}</p>')
        references = r.get("references") or []
        if not references:
            html.append("<p class=muted>No legal cross-reference in the ruleset.</p>")
            continue
        items = []
        for ref in references:
            url = prose.safe_url(ref.get("url"))
            title = _e(prose.reference_title(ref))
            if url:
                title = f'<a href="{_e(url)}" rel="noopener noreferrer">{title}</a>'
            vi = (
                f'<br><span class="vi" lang="vi">{_e(ref["law_title_vi"])}</span>'
                if ref.get("law_title_vi")
                else ""
            )
            note = f" — {_e(ref['note'])}" if ref.get("note") else ""
            items.append(
                f"<li>{title} <span class=muted>({_e(prose.law_dates(ref, today))})</span>"
                f"{note}{vi}</li>"
            )
        html.append("<ul>" + "".join(items) + "</ul>")
    html.append("</section>")
    return "\n".join(html)


def _method(c: ReportContents) -> str:
    files = "".join(
        f"<li><code>{_e(name)}</code>: {_e(what)}</li>" for name, what in c.files.items()
    )
    return (
        '<section id="method"><h2>Method</h2>'
        f"<p>{_e(prose.DEFINITIONS)}</p>"
        + (f"<p>{_e(c.ruleset.notes)}</p>" if c.ruleset.notes else "")
        + (f"<p>Files of this report:</p><ul>{files}</ul>" if files else "")
        + "</section>\n"
    )


def _footer(c: ReportContents) -> str:
    return (
        f"<footer>Generated by conduct-scan on {_e(prose.timestamp(c.generated_at))}. "
        "Figures are automated signals for review.</footer>\n"
    )
