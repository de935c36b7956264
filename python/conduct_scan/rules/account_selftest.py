"""The examples and counter-examples of ``[[account_rule]]`` entries, for ``rules test``.

Each example is an account (a table of field values). All of a rule's examples and
counter-examples are checked together with every account rule, as an audit would check them,
with one verified agency account, ``Bộ Công an``, added so that the ``near_copy`` check has a
name to compare with; each rule is judged on its own findings only.
"""

from __future__ import annotations

import json
from typing import Any

from conduct_scan._core import Ruleset
from conduct_scan.accounts import check_accounts

REFERENCE_AGENCY = {
    "account_id": "rules-test:bocongan",
    "display_name": "Bộ Công an",
    "account_type": "agency",
    "verified": True,
}
"""The verified agency every rule test is run beside (the near-copy examples copy it)."""


def run_account_examples(ruleset: Ruleset) -> tuple[int, int, int, list[Any]]:
    """``(rules, examples, counter_examples, failures)`` of the account rules."""
    from conduct_scan.rules.selftest import Failure

    rules: list[dict[str, Any]] = json.loads(ruleset.to_json()).get("account_rules", [])
    failures: list[Failure] = []
    examples = counters = 0
    for rule in rules:
        cases = [("example", e) for e in rule["examples"]]
        cases += [("counter_example", e) for e in rule["counter_examples"]]
        if not cases:
            continue
        accounts = [
            dict(e, account_id=e.get("account_id", f"case-{i}")) for i, (_, e) in enumerate(cases)
        ]
        found = check_accounts(ruleset, accounts, targets=[REFERENCE_AGENCY])
        hits: dict[str, list[dict[str, Any]]] = {}
        for f in found.to_pylist():
            if f["rule_id"] == rule["id"]:
                hits.setdefault(f["account_id"], []).append(f)
        for (kind, case), account in zip(cases, accounts, strict=True):
            examples += kind == "example"
            counters += kind == "counter_example"
            got = hits.get(account["account_id"], [])
            shown = json.dumps({k: v for k, v in case.items()}, ensure_ascii=False)
            if kind == "example" and not got:
                failures.append(
                    Failure(
                        rule["id"],
                        rule.get("file", ""),
                        kind,
                        shown,
                        "account",
                        "no finding of the rule",
                    )
                )
            elif kind == "counter_example" and got:
                failures.append(
                    Failure(
                        rule["id"],
                        rule.get("file", ""),
                        kind,
                        shown,
                        got[0]["field"],
                        got[0]["evidence"],
                    )
                )
    return len(rules), examples, counters, failures
