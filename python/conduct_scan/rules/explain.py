"""Explaining what a ruleset does with one text (``conduct-scan rules explain``).

Which rules fire, in which view, on which characters; and for every candidate that did not
become a finding, why: vetoed by an ``unless`` term, inside an ``allow`` term, no ``near`` term
close enough, fewer matches than ``min_count``, a duplicate of a match already reported, inside an
innocent compound of the term (the compound is named), a name syllable written as part of a
name, or a rule of another language than the
post's guessed one (the guess is shown). In a
terminal the evidence is highlighted with rich; otherwise (pipes, tests) the same content is
printed as plain text with the spans in ``[[double brackets]]``.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from conduct_scan._core import ClaimIndex, Scanner, guess_language
from conduct_scan.rules.lint import view_text

#: Styles of candidate outcomes in the terminal.
STYLES = {
    "kept": "bold white on red",
    "vetoed": "black on yellow",
    "allowed": "black on green",
    "not_near": "underline yellow",
    "below_min_count": "underline yellow",
    "duplicate": "dim",
    "in_compound": "black on green",
    "in_name": "black on green",
    "edited_prose": "black on green",
    "other_language": "dim yellow",
}


@dataclass(frozen=True)
class Candidate:
    """A match of a rule's term or pattern, and what verification made of it."""

    rule_id: str
    clause_id: str
    severity: str
    confidence: float
    view: str
    term: str
    start: int
    end: int
    matched: str
    outcome: str
    because: str | None


@dataclass(frozen=True)
class Explanation:
    """Everything ``explain`` shows about one text."""

    text: str
    candidates: list[Candidate]
    #: The normalised text of each view a candidate was found in (exact and casefold left out
    #: when equal to the text).
    views: dict[str, str]
    #: The post's guessed language (``vi``, ``en`` or ``unknown``), which rules' ``lang`` is
    #: checked against.
    language: str = "unknown"
    #: The known claim closest to the text (``ClaimIndex.best``: claim id, similarity, span,
    #: whether it reaches the threshold), or None when no claim shares a word pair with it.
    claim: dict[str, Any] | None = None

    @property
    def kept(self) -> list[Candidate]:
        """The candidates reported as findings."""
        return [c for c in self.candidates if c.outcome == "kept"]

    def as_dict(self) -> dict[str, Any]:
        """Plain data, for ``--json``."""
        return {
            "text": self.text,
            "findings": [asdict(c) for c in self.kept],
            "candidates": [asdict(c) for c in self.candidates],
            "views": self.views,
            "language": self.language,
            "claim": self.claim,
        }


def explain(scanner: Scanner, text: str, claims: ClaimIndex | None = None) -> Explanation:
    """Run ``text`` through ``scanner`` and collect every candidate with its outcome.

    Parameters
    ----------
    scanner
        A scanner compiled from the ruleset to explain.
    text
        The post.
    claims
        Known claims to compare the text with (the best one is shown, whatever its score).
    """
    rules = {r["id"]: r for r in json.loads(scanner.ruleset.to_json())["rules"]}
    candidates = []
    for entry in scanner.explain(text):
        rule = rules[entry["rule_id"]]
        view = entry["view"]
        confidence = rule.get("view_confidence", {}).get(view, rule.get("confidence", 1.0))
        candidates.append(
            Candidate(
                rule_id=entry["rule_id"],
                clause_id=entry["clause_id"],
                severity=rule.get("severity") or "medium",
                confidence=round(float(confidence), 3),
                view=view,
                term=entry["term"],
                start=entry["start"],
                end=entry["end"],
                matched=text[entry["start"] : entry["end"]],
                outcome=entry["outcome"],
                because=entry.get("because"),
            )
        )
    candidates.sort(key=lambda c: (c.outcome != "kept", c.start, c.rule_id))
    views = {}
    for view in dict.fromkeys(c.view for c in candidates):
        shown = view_text(view, text)
        if view in ("fold", "skeleton") or shown != text:
            views[view] = shown
    best = claims.best(text) if claims is not None else None
    return Explanation(text=text, candidates=candidates, views=views,
                       language=guess_language(text), claim=best)  # fmt: skip


def _claim_line(claim: dict[str, Any] | None) -> str | None:
    if claim is None:
        return None
    verdict = "restates" if claim["matches"] else "below the threshold of"
    return (f"best claim: {claim['claim_id']} ({claim['clause_id']}, {claim['verdict']}) "
            f"similarity {claim['similarity']:.3f}, {verdict} {claim['threshold']:g}, "
            f"on {claim['matched']!r}")  # fmt: skip


def _why(candidate: Candidate) -> str:
    reasons = {
        "kept": "reported",
        "vetoed": "vetoed by unless",
        "allowed": "inside allow",
        "not_near": "no near term within range",
        "below_min_count": "fewer matches than min_count",
        "duplicate": "overlaps a match already reported",
        "in_compound": "inside the innocent compound",
        "in_name": "written as part of a name (title case inside a sentence)",
        "edited_prose": "an informal-only rule, and the post reads as edited prose",
        "other_language": "another language than the rule's: the post is guessed",
    }
    why = reasons.get(candidate.outcome, candidate.outcome)
    return f"{why} {candidate.because!r}" if candidate.because else why


def _marked(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with the (merged) spans wrapped in ``[[...]]``."""
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out, at = [], 0
    for start, end in merged:
        out += [text[at:start], "[[", text[start:end], "]]"]
        at = end
    return "".join([*out, text[at:]])


def render_plain(explanation: Explanation) -> str:
    """Format the explanation as plain text (no colours), one candidate per line."""
    lines = [f"text: {_marked(explanation.text, [(c.start, c.end) for c in explanation.kept])}"]
    for view, shown in explanation.views.items():
        lines.append(f"{view}: {shown}")
    lines.append(f"language: {explanation.language} (guessed)")
    claim_line = _claim_line(explanation.claim)
    if claim_line:
        lines.append(claim_line)
    if not explanation.candidates:
        lines.append("no rule matched")
        return "\n".join(lines)
    lines.append(f"{len(explanation.kept)} finding(s), {len(explanation.candidates)} candidate(s):")
    for c in explanation.candidates:
        lines.append(
            f"  {c.outcome:<15} {c.rule_id} ({c.clause_id}, {c.severity}, {c.confidence:g}) "
            f"in {c.view}: {c.matched!r} by {c.term!r}: {_why(c)}"
        )
    return "\n".join(lines)


# Narrower terminals get one block per candidate instead of the table.
TABLE_WIDTH = 100


def render_rich(explanation: Explanation, console: Console) -> None:
    """Print the explanation with the evidence highlighted in the original text."""
    text = Text(explanation.text)
    # Weaker outcomes first so that kept spans are drawn on top.
    for c in sorted(explanation.candidates, key=lambda c: c.outcome == "kept"):
        text.stylize(STYLES.get(c.outcome, ""), c.start, c.end)
    console.print(Text("text: ", style="bold") + text)
    for view, shown in explanation.views.items():
        console.print(Text(f"{view}: ", style="bold dim") + Text(shown, style="dim"))
    console.print(Text("language: ", style="bold dim") + Text(f"{explanation.language} (guessed)"))
    claim_line = _claim_line(explanation.claim)
    if claim_line:
        style = "bold red" if explanation.claim and explanation.claim["matches"] else "dim"
        console.print(Text(claim_line, style=style), highlight=False)
    if not explanation.candidates:
        console.print("no rule matched", style="green")
        return
    if console.width < TABLE_WIDTH:
        # A table of eight columns would cut every cell to a few letters: one block each.
        for c in explanation.candidates:
            head = Text(c.outcome, style=STYLES.get(c.outcome, ""))
            head.append(f" {c.rule_id} ({c.clause_id}, {c.severity})")
            console.print(head)
            console.print(
                Text(f"  {c.matched!r} by {c.term!r} in {c.view}: {_why(c)}"), highlight=False
            )
        return
    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    for column in ("outcome", "rule", "clause", "severity", "view", "matched", "term", "why"):
        table.add_column(column)
    for c in explanation.candidates:
        table.add_row(
            Text(c.outcome, style=STYLES.get(c.outcome, "")),
            c.rule_id,
            c.clause_id,
            c.severity,
            c.view,
            repr(c.matched),
            repr(c.term),
            _why(c),
        )
    console.print(table)
