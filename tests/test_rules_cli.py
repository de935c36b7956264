"""`conduct-scan rules list|test|explain|eval` through click's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from conduct_scan.cli import main

ROOT = Path(__file__).resolve().parents[1]
SOURCE = str(ROOT / "rulesets" / "vn-social-code-2021")

SMALL = """
[ruleset]
id = "small"
version = "1"

[[clause]]
id = "4.6c"
title = "Vulgar"

[[rule]]
id = "vi.kill"
clause = "4.6c"
terms = ["giết"]
unless = ["giết thời gian"]
views = ["casefold", "fold"]
view_confidence = { fold = 0.5 }
examples = ["giết nó đi"]
counter_examples = ["ngồi giết thời gian"]
"""


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def small(tmp_path: Path) -> str:
    path = tmp_path / "small.toml"
    path.write_text(SMALL, encoding="utf-8")
    return str(path)


def test_list_prints_a_row_per_rule(runner: CliRunner) -> None:
    result = runner.invoke(main, ["rules", "list", "-r", SOURCE])
    assert result.exit_code == 0, result.output
    assert "vi.vulgar.core" in result.output
    assert "casefold+skeleton" in result.output
    assert result.output.strip().endswith("rules")


def test_list_json_has_the_rule_keys(runner: CliRunner) -> None:
    result = runner.invoke(main, ["rules", "list", "--json", "-r", SOURCE, "--clause", "4.6c"])
    assert result.exit_code == 0, result.output
    rules = json.loads(result.output)
    assert rules and all(r["clause"] == "4.6c" for r in rules)
    for key in ("id", "clause", "terms", "patterns", "views", "match", "severity"):
        assert key in rules[0]


def test_list_of_a_missing_ruleset_is_one_line_and_exit_2(runner: CliRunner) -> None:
    result = runner.invoke(main, ["rules", "list", "-r", "/no/such/dir"])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1
    assert "cannot read" in result.output


def test_test_passes_on_the_bundled_sources(runner: CliRunner) -> None:
    result = runner.invoke(main, ["rules", "test", SOURCE])
    assert result.exit_code == 0, result.output
    assert "0 failures" in result.output


def test_test_reports_rule_text_and_view_of_each_failure(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "failing.toml"
    path.write_text(
        SMALL.replace('examples = ["giết nó đi"]', 'examples = ["giết nó đi", "đánh nó"]').replace(
            '["ngồi giết thời gian"]', '["ngồi giết thời gian", "giết gà"]'
        ),
        encoding="utf-8",
    )
    result = runner.invoke(main, ["rules", "test", str(path)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    missed = next(line for line in lines if "example not flagged" in line)
    assert "rule vi.kill" in missed and "'đánh nó'" in missed and "(casefold+fold)" in missed
    flagged = next(line for line in lines if "counter-example flagged" in line)
    assert "'giết gà'" in flagged and "(casefold)" in flagged
    assert "2 failures" in result.output


def test_explain_shows_views_and_vetoes(runner: CliRunner, small: str) -> None:
    result = runner.invoke(main, ["rules", "explain", "-r", small, "giet no di, giết thời gian"])
    assert result.exit_code == 0, result.output
    assert "vetoed" in result.output
    assert "'giết thời gian'" in result.output
    assert "fold:" in result.output


def test_explain_highlights_kept_spans(runner: CliRunner, small: str) -> None:
    result = runner.invoke(main, ["rules", "explain", "-r", small, "giet no di"])
    assert result.exit_code == 0, result.output
    assert "text: [[giet]] no di" in result.output
    assert "kept" in result.output and "in fold" in result.output


def test_explain_json(runner: CliRunner, small: str) -> None:
    result = runner.invoke(main, ["rules", "explain", "--json", "-r", small, "giết nó"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [f["rule_id"] for f in data["findings"]] == ["vi.kill"]
    finding = data["findings"][0]
    assert finding["view"] == "casefold" and finding["matched"] == "giết"
    assert finding["confidence"] == 1.0


def test_explain_reads_stdin(runner: CliRunner, small: str) -> None:
    result = runner.invoke(main, ["rules", "explain", "-r", small, "-"], input="giết nó\n")
    assert result.exit_code == 0, result.output
    assert "[[giết]]" in result.output


def test_explain_with_rich_in_a_terminal(small: str) -> None:
    from rich.console import Console

    from conduct_scan import Ruleset, Scanner
    from conduct_scan.rules.explain import explain, render_rich

    result = explain(Scanner(Ruleset.load(small), threads=1), "giết nó, giết thời gian")
    console = Console(record=True, force_terminal=True, width=200)
    render_rich(result, console)
    html = console.export_text()
    assert "vetoed" in html and "vi.kill" in html


def test_eval_skips_cleanly_without_data(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(
        main, ["rules", "eval", "-r", SOURCE], env={"CONDUCT_SCAN_DATA": str(tmp_path)}
    )
    assert result.exit_code == 0
    assert "skipped" in result.output


def test_eval_rejects_a_missing_data_directory(runner: CliRunner) -> None:
    result = runner.invoke(main, ["rules", "eval", "--data", "/no/such/dir"])
    assert result.exit_code == 2
    assert "not a directory" in result.output
