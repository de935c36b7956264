"""Wording and number formats shared by the Markdown and HTML documents.

Both documents say the same things in the same words: what the Code is (and that it is not
binding), what a finding means, how the score is computed, and how each legal cross-reference
reads with its dates. Values are plain text here; each renderer escapes them for its format.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from conduct_scan.report.aggregate import SCORE_FORMULA

TITLE = "Code of Conduct audit report"

NON_BINDING = (
    "Vietnam's Code of Conduct on Social Networks (Decision 874/QĐ-BTTTT of 17 June 2021, "
    "Bộ Quy tắc ứng xử trên mạng xã hội) is non-binding: it recommends conduct to users, to "
    "officials and state agencies, and to providers. Violations are sanctioned under other "
    "laws, which each clause lists below as cross-references with the dates they apply."
)

SIGNALS = (
    "Every finding is a signal under a clause of the Code, produced by automated text "
    "matching; it is not a legal determination and needs human review before any action. "
    "Clauses that scanning cannot assess are listed as not assessed: no finding there means "
    "nothing was measured, not that the clause was respected."
)

NUMBERING = (
    "Clause numbers follow the ruleset, which reconstructs the Code's numbering from secondary "
    "sources where no official full text was available."
)

GROUPS = (
    "The Code binds state officials (Article 5) and state agencies (Article 6) separately from "
    "other users, so accounts whose account type marks them as officials or agencies are "
    "reported as their own groups."
)

DEFINITIONS = (
    "A post is one row of an input file. A flagged post has at least one finding. The flag "
    "rate is flagged posts over scanned posts. " + SCORE_FORMULA.capitalize() + "."
)

REDACTED = (
    "This report is redacted: account and post ids are keyed pseudonyms (HMAC-SHA256, stable "
    "across nights for the same key), and matched text and context are left out."
)


def count(value: Any) -> str:
    """Format a count as ``1,234``; an em dash for a missing value."""
    return "—" if value is None else f"{int(value):,}"


def percent(value: Any, digits: int = 2) -> str:
    """Format a fraction as ``12.34 %``; an em dash for a missing value."""
    return "—" if value is None else f"{100 * float(value):.{digits}f} %"


def number(value: Any, digits: int = 1) -> str:
    """Format a number as ``1,234.5``; an em dash for a missing value."""
    return "—" if value is None else f"{float(value):,.{digits}f}"


def timestamp(value: dt.datetime | dt.date | None) -> str:
    """Format a time as ``2024-12-25 07:11 UTC`` (a date as ``2024-12-25``); em dash if None."""
    if value is None:
        return "—"
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.timezone.utc)
        return value.strftime("%Y-%m-%d %H:%M UTC")
    return value.isoformat()


def law_dates(reference: dict[str, Any], today: dt.date) -> str:
    """Describe when a referenced law applies.

    For example ``in force since 2020-04-15``, ``2013-09-01 to 2024-12-25, superseded by
    decree-147-2024`` or ``in force from 2026-07-01``.
    """
    effective = reference.get("effective")
    until = reference.get("until")
    superseded = reference.get("superseded_by")
    if reference.get("law_title") is None:
        return "law not described in the ruleset"
    if until:
        text = f"{effective or '?'} to {until}"
        if until <= today.isoformat():
            text += ", no longer in force"
    elif effective and effective > today.isoformat():
        text = f"in force from {effective}"
    elif effective:
        text = f"in force since {effective}"
    else:
        text = "dates not given"
    if superseded:
        text += f", superseded by {superseded}"
    return text


def reference_title(reference: dict[str, Any]) -> str:
    """Title a reference: ``Decree 15/2020/ND-CP ..., Art. 101(1)`` (law id if unknown)."""
    title = reference.get("law_title") or reference.get("law") or "?"
    article = reference.get("article")
    return f"{title}, {article}" if article else str(title)


def safe_url(url: Any) -> str | None:
    """Return ``url`` when it is an http(s) address, else None (no ``javascript:`` links)."""
    if isinstance(url, str) and url.lower().startswith(("https://", "http://")):
        return url
    return None


def inputs_summary(manifest: dict[str, Any]) -> tuple[dict[str, int], list[dict[str, Any]]]:
    """Count the manifest's inputs per status and list those that did not complete."""
    inputs = manifest.get("inputs") if isinstance(manifest, dict) else None
    statuses: dict[str, int] = {}
    problems: list[dict[str, Any]] = []
    for item in inputs if isinstance(inputs, list) else []:
        if not isinstance(item, dict):
            continue
        status = str(item.get("status") or "unknown")
        statuses[status] = statuses.get(status, 0) + 1
        if status not in ("ok", "done", "scanned", "completed"):
            problems.append(item)
    return statuses, problems


def input_name(item: dict[str, Any]) -> str:
    """Return the path or name of a manifest input."""
    for key in ("path", "file", "source", "name", "uri"):
        if item.get(key):
            return str(item[key])
    return "?"


_GROUP_COLUMNS: tuple[tuple[str, str, Callable[[Any], str]], ...] = (
    ("accounts", "accounts", count),
    ("accounts flagged", "accounts_flagged", count),
    ("repeat offenders", "repeat_offenders", count),
    ("posts scanned", "posts_scanned", count),
    ("posts flagged", "posts_flagged", count),
    ("flag rate", "flag_rate", percent),
    ("findings", "findings", count),
    ("score", "score", number),
)


def group_table(
    rows: list[dict[str, Any]], text: Callable[[Any], str]
) -> tuple[list[str], list[list[str]]]:
    """The table of users, officials and agencies, the same in both documents: its headers and
    its formatted cells (the group's name passed through ``text``, the renderer's escaping);
    every column after the first is numeric.
    """
    headers = ["group", *(header for header, _, _ in _GROUP_COLUMNS)]
    cells = [[text(r["group"]), *(shown(r[key]) for _, key, shown in _GROUP_COLUMNS)] for r in rows]
    return headers, cells
