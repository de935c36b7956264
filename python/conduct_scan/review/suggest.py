"""``conduct-scan rules suggest``: learn from rejections, as entries a rule author can review.

For each rule with findings reviewers rejected, the words around each rejected match are
candidates (reviewed verdicts from :mod:`conduct_scan.review.precision`):

- ``allow``: the match with the word before it, with the word after it, or with both (a match
  lying inside an allow term is dropped: ``lon`` inside ``lon bia``);
- ``unless``: another word of the context (it vetoes the rule for the whole post).

Each candidate is scored on the rule's reviewed findings (their contexts, the match with up to
80 characters either side): how many rejected findings it would remove and how many confirmed
violations it would lose. Candidates are chosen greedily, most new rejections removed first
(``allow`` before ``unless`` on a tie, being narrower), never losing more than ``max_lost``
confirmed findings in all and each removing at least ``min_removed`` not yet removed.

The result is an extension ruleset (``extends = "bundled"`` or the ruleset given) of
``[[amend]]`` tables, never a change to the ruleset itself. It is then checked the exact way:
the reviewed contexts are scanned with the base ruleset and with the written one, and the
findings removed and lost are counted again.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from conduct_scan import Ruleset, Scanner
from conduct_scan.report.scan_output import open_scan_output
from conduct_scan.review.decisions import load_reviews
from conduct_scan.review.ids import KEY_COLUMNS
from conduct_scan.review.precision import verdicts

_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Reviewed:
    """A reviewed finding: its context, where the match is in it, and the verdict."""

    context: str
    start: int
    end: int
    confirmed: bool


@dataclass(frozen=True)
class Entry:
    """A chosen ``allow`` or ``unless`` term, with what it does to the reviewed findings."""

    kind: str
    term: str
    removes: int
    loses: int


@dataclass
class RuleSuggestions:
    """The entries chosen for one rule, and its reviewed findings."""

    rule_id: str
    clause_id: str
    rejected: int
    confirmed: int
    entries: list[Entry] = field(default_factory=list)


@dataclass(frozen=True)
class Check:
    """The written ruleset scanned over the reviewed contexts: findings removed and lost."""

    rejected: int
    rejected_removed: int
    confirmed: int
    confirmed_lost: int


def _covers(kind: str, term: str, finding: Reviewed) -> bool:
    text, needle = finding.context.lower(), term.lower()
    if kind == "unless":
        return re.search(rf"(?<!\w){re.escape(needle)}(?!\w)", text) is not None
    at = text.find(needle)
    while at >= 0:
        if at <= finding.start and at + len(needle) >= finding.end:
            return True
        at = text.find(needle, at + 1)
    return False


def _candidates(finding: Reviewed) -> list[tuple[str, str]]:
    words = list(_WORD.finditer(finding.context))
    before = [w for w in words if w.end() <= finding.start]
    after = [w for w in words if w.start() >= finding.end]
    text = finding.context
    found: list[tuple[str, str]] = []
    left = before[-1].start() if before else None
    right = after[0].end() if after else None
    if left is not None:
        found.append(("allow", text[left : finding.end]))
    if right is not None:
        found.append(("allow", text[finding.start : right]))
    if left is not None and right is not None:
        found.append(("allow", text[left:right]))
    for w in before + after:
        if len(w.group()) >= 2 and not w.group().isdigit():
            found.append(("unless", w.group()))
    return [(kind, " ".join(term.split())) for kind, term in found]


def choose(
    findings: Sequence[Reviewed],
    *,
    max_lost: int = 0,
    min_removed: int = 2,
    top: int = 5,
    common: frozenset[str] = frozenset(),
) -> list[Entry]:
    """Choose ``allow``/``unless`` entries for one rule's reviewed ``findings``; ``common``
    words (lower case) are never ``unless`` candidates.
    """
    rejected = [f for f in findings if not f.confirmed]
    pool: dict[tuple[str, str], tuple[str, str]] = {}
    for finding in rejected:
        for kind, term in _candidates(finding):
            if kind == "unless" and term.lower() in common:
                continue
            pool.setdefault((kind, term.lower()), (kind, term))
    covers = {
        key: {i for i, f in enumerate(findings) if _covers(kind, term, f)}
        for key, (kind, term) in pool.items()
    }
    removed: set[int] = set()
    lost: set[int] = set()
    chosen: list[Entry] = []
    while len(chosen) < top:
        best: tuple[tuple[int, int, int, int], tuple[str, str]] | None = None
        for key, hits in covers.items():
            new_removed = {i for i in hits - removed if not findings[i].confirmed}
            new_lost = {i for i in hits - lost if findings[i].confirmed}
            if len(new_removed) < min_removed or len(lost) + len(new_lost) > max_lost:
                continue
            kind, term = pool[key]
            rank = (len(new_removed), -len(new_lost), kind == "allow", -len(term))
            if best is None or rank > best[0]:
                best = (rank, key)
        if best is None:
            break
        hits = covers.pop(best[1])
        kind, term = pool[best[1]]
        gained = {i for i in hits - removed if not findings[i].confirmed}
        newly_lost = {i for i in hits - lost if findings[i].confirmed}
        removed |= gained
        lost |= newly_lost
        chosen.append(Entry(kind, term, len(gained), len(newly_lost)))
    return chosen


def reviewed_findings(out: str | Path) -> pl.DataFrame:
    """The reviewed findings of ``out`` that have a verdict, with their context."""
    verdict = verdicts(load_reviews(out)).filter(
        pl.col("verdict").is_in(["violation", "not_violation"])
    )
    violations = open_scan_output(out).violations
    return (
        violations.select(*KEY_COLUMNS, "clause_id", "matched", "context", "context_start")
        .join(verdict.lazy(), on=KEY_COLUMNS, nulls_equal=True)
        .unique(KEY_COLUMNS, keep="first")
        .collect(engine="streaming")
        .sort(KEY_COLUMNS)
    )


def _as_reviewed(r: dict[str, Any]) -> Reviewed:
    context = r["context"] if r["context"] is not None else (r["matched"] or "")
    start = int(r["context_start"] or 0) if r["context"] is not None else 0
    return Reviewed(context, start, start + len(r["matched"] or ""), r["verdict"] == "violation")


CLAIM_PREFIX = "claim:"
"""Findings of known claims have ``rule_id`` ``claim:<id>``: not rules, so not amendable."""


def suggest(
    out: str | Path, *, max_lost: int = 0, min_removed: int = 2, top: int = 5
) -> list[RuleSuggestions]:
    """Suggestions per rule from the reviews stored in ``OUT/reviews/``."""
    frame = reviewed_findings(out)
    everything = [_as_reviewed(r) for r in frame.to_dicts()]
    # A word of any confirmed violation's context (of any rule) is too common to veto a rule
    # for the whole post: "you", "of", "mày" would pass on a small sample and ruin recall.
    common = frozenset(
        w.group().lower() for f in everything if f.confirmed for w in _WORD.finditer(f.context)
    )
    result = []
    for (rule_id,), group in frame.partition_by(
        "rule_id", as_dict=True, maintain_order=True
    ).items():
        if str(rule_id).startswith(CLAIM_PREFIX):
            continue  # a known claim has no allow/unless to amend; fix the claim instead
        findings = [_as_reviewed(r) for r in group.to_dicts()]
        confirmed = sum(f.confirmed for f in findings)
        if confirmed == len(findings):
            continue
        suggestions = RuleSuggestions(
            str(rule_id), str(group["clause_id"][0]), len(findings) - confirmed, confirmed
        )
        suggestions.entries = choose(
            findings, max_lost=max_lost, min_removed=min_removed, top=top, common=common
        )
        result.append(suggestions)
    return result


def _toml(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string


def render_extension(
    suggestions: Sequence[RuleSuggestions], *, extends: str = "bundled", base_id: str = "bundled",
    source: str = "",
) -> str:  # fmt: skip
    """The extension ruleset (TOML) holding one ``[[amend]]`` per rule with entries."""
    today = dt.date.today().isoformat()
    notes = f"From the decisions stored in {source}" if source else ""
    lines = [
        "# Suggested by `conduct-scan rules suggest` from reviewers' rejections: review every",
        "# entry before using it (scan with `--ruleset` pointing at this file).",
        "",
        "[ruleset]",
        f"id = {_toml(base_id + '-review-suggestions')}",
        f"version = {_toml(today)}",
        f"title = {_toml('Review suggestions for ' + base_id)}",
        f"notes = {_toml(notes)}",
        f"extends = {_toml(extends)}",
    ]
    for s in suggestions:
        if not s.entries:
            continue
        lines += ["", "[[amend]]", f"rule = {_toml(s.rule_id)}"]
        for kind in ("allow", "unless"):
            terms = [e.term for e in s.entries if e.kind == kind]
            if terms:
                lines.append(f"{kind} = [{', '.join(_toml(t) for t in terms)}]")
        why = "; ".join(
            f"{e.kind} {e.term!r}: removes {e.removes} rejected, loses {e.loses} confirmed"
            for e in s.entries
        )
        note = f"{s.rejected} rejected, {s.confirmed} confirmed reviewed findings. {why}"
        lines.append(f"notes = {_toml(note)}")
    return "\n".join(lines) + "\n"


def check(out: str | Path, base: Ruleset, amended: Ruleset) -> Check:
    """Scan the reviewed contexts with ``base`` and ``amended``: which findings go."""
    frame, gone = removed(out, base, amended)
    findings = [_as_reviewed(r) for r in frame.to_dicts()]
    return Check(
        rejected=sum(not f.confirmed for f in findings),
        rejected_removed=sum(g and not f.confirmed for g, f in zip(gone, findings, strict=True)),
        confirmed=sum(f.confirmed for f in findings),
        confirmed_lost=sum(g and f.confirmed for g, f in zip(gone, findings, strict=True)),
    )


def removed(out: str | Path, base: Ruleset, amended: Ruleset) -> tuple[pl.DataFrame, list[bool]]:
    """The reviewed findings of ``out`` and, for each, whether ``amended`` no longer finds it
    in its context where ``base`` does.
    """
    frame = reviewed_findings(out)
    findings = [_as_reviewed(r) for r in frame.to_dicts()]
    rules = frame.get_column("rule_id").to_list()
    texts = [f.context for f in findings]

    wanted = sorted({r for r in rules if not r.startswith(CLAIM_PREFIX)})

    def fires(ruleset: Ruleset) -> list[bool]:
        # Only the reviewed rules, without a compile limit: a check, not a nightly scan.
        scanner = Scanner(ruleset.select(wanted), max_compile_seconds=None)
        table = pl.DataFrame(scanner.scan(texts)).select("row", "rule_id", "start", "end")
        spans: dict[tuple[int, str], list[tuple[int, int]]] = {}
        for row, rule, start, end in table.iter_rows():
            spans.setdefault((row, rule), []).append((start, end))
        return [
            any(s < f.end and e > f.start for s, e in spans.get((i, rules[i]), []))
            for i, f in enumerate(findings)
        ]

    before, after = fires(base), fires(amended)
    return frame, [b and not a for b, a in zip(before, after, strict=True)]
