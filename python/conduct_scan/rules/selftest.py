"""Running a ruleset's own examples and counter-examples (``conduct-scan rules test``).

Every rule carries texts it must flag (``examples``) and texts it must not flag
(``counter_examples``). They are scanned with the *whole* ruleset, as a nightly audit would scan
them, and each rule is judged only on its own findings. A failure names the rule, the text and
the view: for an example missed, the views the rule searches and, when verification dropped a
candidate, why (vetoed by an ``unless`` term, inside an ``allow`` term, no ``near`` term); for a
counter-example flagged, the view that matched and the evidence.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from conduct_scan._core import Ruleset, Scanner


@dataclass(frozen=True)
class Failure:
    """One example or counter-example that did not behave."""

    rule_id: str
    file: str
    kind: str  # "example" or "counter_example"
    text: str
    view: str
    detail: str

    def describe(self) -> str:
        """One line: where, which rule, what happened."""
        what = "example not flagged" if self.kind == "example" else "counter-example flagged"
        return (
            f"{self.file}: rule {self.rule_id}: {what} ({self.view}): {self.text!r}: {self.detail}"
        )


@dataclass(frozen=True)
class TestReport:
    """How many texts were run and which failed."""

    rules: int
    examples: int
    counter_examples: int
    failures: list[Failure]

    @property
    def ok(self) -> bool:
        """Whether every example and counter-example behaved."""
        return not self.failures


def _why_missed(scanner: Scanner, rule_id: str, text: str) -> str:
    """Describe what verification did with the rule's candidates in ``text``."""
    trace = [e for e in scanner.explain(text) if e["rule_id"] == rule_id]
    if not trace:
        return "no term or pattern of the rule matched"
    reasons = []
    for entry in trace:
        outcome = entry["outcome"]
        because = f" by {entry['because']!r}" if entry.get("because") else ""
        reasons.append(f"{entry['term']!r} in {entry['view']}: {outcome}{because}")
    return "; ".join(dict.fromkeys(reasons))


def run_examples(ruleset: Ruleset, threads: int | None = None) -> TestReport:
    """Scan every rule's examples and counter-examples and report those that misbehave.

    Parameters
    ----------
    ruleset
        The ruleset whose rules are tested (with every rule enabled in it).
    threads
        Scanner threads; all cores by default.

    Returns
    -------
    TestReport
        Counts, and one :class:`Failure` per example missed or counter-example flagged.
    """
    rules: list[dict[str, Any]] = json.loads(ruleset.to_json())["rules"]
    cases: list[tuple[dict[str, Any], str, str]] = []
    for rule in rules:
        cases += [(rule, "example", t) for t in rule.get("examples", [])]
        cases += [(rule, "counter_example", t) for t in rule.get("counter_examples", [])]
    scanner = Scanner(ruleset, threads=threads)
    table = scanner.scan([text for _, _, text in cases])
    found: dict[tuple[int, str], list[dict[str, Any]]] = {}
    for f in table.select(["row", "rule_id", "view", "matched", "term"]).to_pylist():
        found.setdefault((f["row"], f["rule_id"]), []).append(f)
    failures: list[Failure] = []
    for row, (rule, kind, text) in enumerate(cases):
        hits = found.get((row, rule["id"]), [])
        if kind == "example" and not hits:
            failures.append(
                Failure(
                    rule_id=rule["id"],
                    file=rule.get("file", ""),
                    kind=kind,
                    text=text,
                    view="+".join(rule.get("views", [])),
                    detail=_why_missed(scanner, rule["id"], text),
                )
            )
        elif kind == "counter_example" and hits:
            first = hits[0]
            evidence = ", ".join(dict.fromkeys(f"{h['matched']!r} by {h['term']!r}" for h in hits))
            failures.append(
                Failure(
                    rule_id=rule["id"],
                    file=rule.get("file", ""),
                    kind=kind,
                    text=text,
                    view=first["view"],
                    detail=f"matched {evidence}",
                )
            )
    from conduct_scan.rules.account_selftest import run_account_examples

    n_rules, n_examples, n_counter, account_failures = run_account_examples(ruleset)
    return TestReport(
        rules=len(rules) + n_rules,
        examples=sum(1 for _, kind, _ in cases if kind == "example") + n_examples,
        counter_examples=sum(1 for _, kind, _ in cases if kind == "counter_example") + n_counter,
        failures=failures + account_failures,
    )
