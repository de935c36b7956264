"""Linting a ruleset (``conduct-scan rules check``).

Lints are problems the loader accepts but a reviewer would not.

The Rust loader already rejects what cannot work (unknown keys and clauses, duplicate ids, empty
terms, every pattern Hyperscan refuses); :func:`check` loads the ruleset and compiles it, so
those surface first as :class:`~conduct_scan.RulesetError`. The lints here look at a ruleset
that loads:

========================  =======  ==========================================================
code                      level    what
========================  =======  ==========================================================
counter-example-matches   error    a rule flags one of its own counter-examples
duplicate-term            warning  two rules match the same term in the same view (each post
                                   gets two findings for one word)
shadowed-term             warning  a term can only match where a shorter term of the same rule
                                   already matches, so it never adds a finding
skeleton-collapse         warning  a skeleton-view term whose doubled letters collapse
                                   (``ass`` is stored as ``as``, ``coon`` as ``con``)
no-examples               warning  a rule without examples or without counter-examples
rules-on-unassessed       warning  a rule signals a clause marked not assessable (``check = []``)
========================  =======  ==========================================================
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal, cast

from conduct_scan._core import Ruleset, Scanner, normalise

ERROR = "error"
WARNING = "warning"

View = Literal["exact", "casefold", "fold", "skeleton"]


def view_text(view: str, text: str) -> str:
    """Normalise ``text`` through the view named ``view`` (a name read from ruleset JSON)."""
    return normalise(cast(View, view), text)


@dataclass(frozen=True)
class LintIssue:
    """One lint finding, located by file and rule."""

    level: str
    code: str
    file: str
    item: str
    message: str

    def describe(self) -> str:
        """One line: ``file: item: level[code]: message``."""
        return f"{self.file}: {self.item}: {self.level}[{self.code}]: {self.message}"


def _words(text: str) -> list[str]:
    return text.split()


def _contains_words(longer: str, shorter: str) -> bool:
    """Whether ``shorter`` occurs in ``longer`` as a run of whole words."""
    big, small = _words(longer), _words(shorter)
    if not small or len(small) >= len(big):
        return False
    return any(big[i : i + len(small)] == small for i in range(len(big) - len(small) + 1))


def _duplicate_terms(rules: list[dict[str, Any]]) -> list[LintIssue]:
    seen: dict[tuple[str, str], tuple[str, str]] = {}
    issues: list[LintIssue] = []
    for rule in rules:
        reported: set[str] = set()
        for term in rule.get("terms", []):
            for view in rule.get("views", []):
                key = (view, view_text(view, term))
                first = seen.get(key)
                if first is None:
                    seen[key] = (rule["id"], term)
                    continue
                if first[0] == rule["id"] or term in reported:
                    continue
                reported.add(term)
                issues.append(
                    LintIssue(
                        WARNING,
                        "duplicate-term",
                        rule.get("file", ""),
                        f"rule {rule['id']}",
                        f"term {term!r} is also matched by rule {first[0]} (as {first[1]!r}) in "
                        f"view {view}",
                    )
                )
    return issues


def _shadowed_terms(rule: dict[str, Any]) -> list[LintIssue]:
    views: list[str] = rule.get("views", [])
    terms: list[str] = rule.get("terms", [])
    allow: list[str] = rule.get("allow", {}).get("terms", [])
    substring = rule.get("match") == "substring"

    def inside(longer: str, shorter: str, view: str) -> bool:
        big, small = view_text(view, longer), view_text(view, shorter)
        found = small in big if substring else _contains_words(big, small)
        # An allow term that drops the shorter match but not the longer one: not shadowed.
        excused = any(
            small in (a := view_text(view, allowed)) and a in big and a != big for allowed in allow
        )
        return found and not excused and small != big

    issues: list[LintIssue] = []
    for term in terms:
        for other in terms:
            if other == term:
                continue
            # Shadowed only if the shorter term is inside the longer one in every view.
            if all(inside(term, other, v) for v in views):
                issues.append(
                    LintIssue(
                        WARNING,
                        "shadowed-term",
                        rule.get("file", ""),
                        f"rule {rule['id']}",
                        f"term {term!r} never adds a finding: {other!r} of the same rule "
                        "matches inside it",
                    )
                )
                break
    return issues


def _skeleton_collapses(rule: dict[str, Any]) -> list[LintIssue]:
    """Skeleton terms in which a word collapses to three letters or fewer.

    Short words are where collapsing runs collides with innocent words (``ass`` -> ``as``,
    ``coon`` -> ``con``, ``cc`` -> ``c``); longer collapsed words (``pusy``) rarely do.
    """
    if "skeleton" not in rule.get("views", []):
        return []
    issues: list[LintIssue] = []
    for term in rule.get("terms", []):
        folded = view_text("fold", term).split()
        skeleton = view_text("skeleton", term).split()
        if len(folded) != len(skeleton):
            continue  # separators joined: the skeleton is meant to differ
        short = [(f, s) for f, s in zip(folded, skeleton, strict=True) if f != s and len(s) <= 3]
        if short and all(f.isalpha() for f, _ in short):
            shown = ", ".join(f"{f!r} -> {s!r}" for f, s in short)
            issues.append(
                LintIssue(
                    WARNING,
                    "skeleton-collapse",
                    rule.get("file", ""),
                    f"rule {rule['id']}",
                    f"term {term!r} collapses in the skeleton view ({shown}); a short "
                    "collapsed word matches innocent words: match it in casefold only",
                )
            )
    return issues


def _counter_examples(ruleset: Ruleset, rules: list[dict[str, Any]]) -> list[LintIssue]:
    cases = [(rule, text) for rule in rules for text in rule.get("counter_examples", [])]
    if not cases:
        return []
    table = Scanner(ruleset).scan([text for _, text in cases])
    hits: dict[tuple[int, str], tuple[str, str]] = {}
    for f in table.select(["row", "rule_id", "view", "matched"]).to_pylist():
        hits.setdefault((f["row"], f["rule_id"]), (f["view"], f["matched"]))
    issues: list[LintIssue] = []
    for row, (rule, text) in enumerate(cases):
        hit = hits.get((row, rule["id"]))
        if hit is not None:
            view, matched = hit
            issues.append(
                LintIssue(
                    ERROR,
                    "counter-example-matches",
                    rule.get("file", ""),
                    f"rule {rule['id']}",
                    f"counter-example {text!r} is flagged ({matched!r} in view {view})",
                )
            )
    return issues


def lint(ruleset: Ruleset) -> list[LintIssue]:
    """Every lint issue of a ruleset that loads, errors first.

    Parameters
    ----------
    ruleset
        A loaded ruleset. Rules inherited through ``extends`` are linted too.

    Returns
    -------
    list of LintIssue
        Sorted by level (errors first), then file and rule.
    """
    data = json.loads(ruleset.to_json())
    rules: list[dict[str, Any]] = data["rules"]
    unassessed = {c["id"] for c in data["clauses"] if not c.get("check")}
    issues: list[LintIssue] = []
    issues += _counter_examples(ruleset, rules)
    issues += _duplicate_terms(rules)
    for rule in rules:
        where = (rule.get("file", ""), f"rule {rule['id']}")
        issues += _shadowed_terms(rule)
        issues += _skeleton_collapses(rule)
        if not rule.get("examples") or not rule.get("counter_examples"):
            missing = "examples" if not rule.get("examples") else "counter_examples"
            issues.append(LintIssue(WARNING, "no-examples", *where, f"no {missing}"))
        if rule["clause"] in unassessed:
            issues.append(
                LintIssue(
                    WARNING,
                    "rules-on-unassessed",
                    *where,
                    f"clause {rule['clause']} is marked not assessable (check = [])",
                )
            )
    order = {ERROR: 0, WARNING: 1}
    return sorted(issues, key=lambda i: (order[i.level], i.file, i.item, i.code))
