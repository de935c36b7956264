"""`conduct-scan rules eval`: the scoring, and the bundled ruleset's quality on the labelled data.

The data (../shared/data, or $CONDUCT_SCAN_DATA) is not part of the repository: tests that need
it skip with a reason when it is absent.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from conduct_scan import Ruleset
from conduct_scan.cli import main
from conduct_scan.rules.evaluate import (
    TARGETS,
    Score,
    _marked_spans,
    default_data_dir,
    evaluate,
    in_holdout,
    load_datasets,
)

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "rulesets" / "vn-social-code-2021"
DATA = default_data_dir()
HAVE_DATA = bool(load_datasets(DATA, ["vihos-dev"])) if DATA.is_dir() else False
needs_data = pytest.mark.skipif(
    not HAVE_DATA, reason=f"labelled data not found under {DATA} (set $CONDUCT_SCAN_DATA)"
)


def test_score_figures() -> None:
    score = Score(tp=8, fp=2, fn=8, tn=82)
    assert score.precision == pytest.approx(0.8)
    assert score.recall == pytest.approx(0.5)
    assert score.f1 == pytest.approx(2 * 0.8 * 0.5 / 1.3)
    assert score.negative_flag_rate == pytest.approx(2 / 84)
    assert Score(0, 0, 5, 5).precision == 1.0 and Score(0, 0, 5, 5).f1 == 0.0


def test_marked_spans_are_runs_of_indices() -> None:
    assert _marked_spans("Bấp bênh vl thế", [9, 10]) == ("vl",)
    assert _marked_spans("ab cd ef", [0, 1, 6, 7]) == ("ab", "ef")
    assert _marked_spans("abc", []) == ()


def test_holdout_is_deterministic_and_about_thirty_percent() -> None:
    texts = [f"post {i}" for i in range(5000)]
    share = sum(in_holdout(t) for t in texts) / len(texts)
    assert 0.27 < share < 0.33
    assert [in_holdout(t) for t in texts[:50]] == [in_holdout(t) for t in texts[:50]]


def test_missing_data_gives_no_results(tmp_path: Path) -> None:
    assert evaluate(Ruleset.load(SOURCE), tmp_path) == []


@needs_data
@pytest.mark.slow
def test_bundled_ruleset_meets_its_targets() -> None:
    results = {r.name: r for r in evaluate(Ruleset.load(SOURCE), DATA)}
    for name, target in TARGETS.items():
        assert name in results, name
        misses = target.misses(results[name].score)
        assert not misses, f"{name}: {misses}"


@needs_data
@pytest.mark.slow
def test_eval_command_prints_figures_and_confusion(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        [
            "rules",
            "eval",
            "-r",
            str(SOURCE),
            "--dataset",
            "vihos-dev",
            "--worst",
            "2",
            "--check-targets",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "vihos-dev" in result.output and "met" in result.output
    assert "missed marked spans:" in result.output
    assert "  FN " in result.output
