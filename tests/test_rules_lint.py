"""`conduct-scan rules check`: every lint case on a small inline ruleset."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from conduct_scan import Ruleset
from conduct_scan.cli import main
from conduct_scan.rules.lint import ERROR, WARNING, lint

HEAD = """
[ruleset]
id = "t"
version = "1"

[[clause]]
id = "c"
title = "C"

[[clause]]
id = "n"
title = "Not assessable"
check = []
"""


def ruleset_dir(tmp_path: Path, rules: str) -> Path:
    directory = tmp_path / "rules"
    directory.mkdir()
    (directory / "ruleset.toml").write_text(HEAD + rules, encoding="utf-8")
    return directory


def codes(rules: str, tmp_path: Path) -> dict[str, str]:
    issues = lint(Ruleset.load(ruleset_dir(tmp_path, rules)))
    return {i.code: i.level for i in issues}


CLEAN_RULE = """
[[rule]]
id = "r"
clause = "c"
terms = ["badword"]
examples = ["a badword here"]
counter_examples = ["a good word"]
"""


def test_clean_ruleset_has_no_issues(tmp_path: Path) -> None:
    assert codes(CLEAN_RULE, tmp_path) == {}


def test_counter_example_that_matches_is_an_error(tmp_path: Path) -> None:
    rules = CLEAN_RULE.replace('["a good word"]', '["a badword too"]')
    assert codes(rules, tmp_path) == {"counter-example-matches": ERROR}


def test_duplicate_term_across_rules(tmp_path: Path) -> None:
    rules = CLEAN_RULE + CLEAN_RULE.replace('id = "r"', 'id = "r2"').replace(
        '"badword"]', '"BadWord"]'
    )
    assert codes(rules, tmp_path) == {"duplicate-term": WARNING}


def test_term_shadowed_by_another_in_the_same_rule(tmp_path: Path) -> None:
    rules = CLEAN_RULE.replace('["badword"]', '["badword", "very badword"]')
    assert codes(rules, tmp_path) == {"shadowed-term": WARNING}


def test_allow_term_keeps_a_longer_term_useful(tmp_path: Path) -> None:
    # "vãi" alone is dropped inside "vãi lúa"; "vãi lúa giống" is still shadowed, but a term
    # that contains the allowed phrase is not.
    rules = """
[[rule]]
id = "r"
clause = "c"
terms = ["vãi", "bà vãi lúa"]
allow = ["vãi lúa"]
examples = ["vãi thật"]
counter_examples = ["đi vãi lúa"]
"""
    assert codes(rules, tmp_path) == {}


def test_short_skeleton_collapse(tmp_path: Path) -> None:
    rules = CLEAN_RULE.replace('terms = ["badword"]', 'terms = ["badword", "ass"]').replace(
        'clause = "c"', 'clause = "c"\nviews = ["casefold", "skeleton"]'
    )
    assert codes(rules, tmp_path) == {"skeleton-collapse": WARNING}


def test_rule_without_counter_examples(tmp_path: Path) -> None:
    rules = CLEAN_RULE.replace('counter_examples = ["a good word"]\n', "")
    assert codes(rules, tmp_path) == {"no-examples": WARNING}


def test_rule_on_a_clause_marked_not_assessable(tmp_path: Path) -> None:
    rules = CLEAN_RULE.replace('clause = "c"', 'clause = "n"')
    assert codes(rules, tmp_path) == {"rules-on-unassessed": WARNING}


def test_check_command_exit_codes(tmp_path: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(main, ["rules", "check", str(ruleset_dir(tmp_path, CLEAN_RULE))])
    assert ok.exit_code == 0, ok.output
    assert "1 rules, 0 errors, 0 warnings" in ok.output

    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "r.toml").write_text(
        HEAD + CLEAN_RULE.replace('["a good word"]', '["a badword too"]'), encoding="utf-8"
    )
    failed = runner.invoke(main, ["rules", "check", str(bad)])
    assert failed.exit_code == 1
    assert "error[counter-example-matches]" in failed.output
    assert "rule r" in failed.output


def test_check_strict_fails_on_warnings(tmp_path: Path) -> None:
    rules = CLEAN_RULE.replace('["badword"]', '["badword", "very badword"]')
    result = CliRunner().invoke(
        main, ["rules", "check", "--strict", str(ruleset_dir(tmp_path, rules))]
    )
    assert result.exit_code == 1
    assert "warning[shadowed-term]" in result.output


def test_patterns_hyperscan_rejects_are_each_reported(tmp_path: Path) -> None:
    rules = CLEAN_RULE.replace('terms = ["badword"]', "patterns = ['(a', 'ok', 'b)', 'x\\by']")
    result = CliRunner().invoke(main, ["rules", "check", str(ruleset_dir(tmp_path, rules))])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if "rejected by Hyperscan" in line]
    assert len(lines) == 3, result.output
    assert all(line.startswith("conduct-scan: ruleset error: ") for line in lines)


@pytest.mark.parametrize(
    ("rules", "reason"),
    [
        ('[[rule]]\nid = "r"\nclause = "zz"\nterms = ["x"]\n', "unknown clause `zz`"),
        ('[[rule]]\nid = "r"\nclause = "c"\ntermz = ["x"]\n', "unknown field `termz`"),
    ],
)
def test_schema_problems_are_one_line_each(tmp_path: Path, rules: str, reason: str) -> None:
    result = CliRunner().invoke(main, ["rules", "check", str(ruleset_dir(tmp_path, rules))])
    assert result.exit_code == 2
    assert reason in result.output
    assert "Traceback" not in result.output
