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
    in_second_half,
    load_datasets,
    render_results,
    score_dataset,
    wiki_sentences,
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


def test_wiki_articles_are_cut_into_sentences_without_headings() -> None:
    article = (
        "Hà Nội là thủ đô của Việt Nam. Thành phố có nhiều hồ đẹp!\n\n"
        "== Xem thêm ==\nDanh sách hồ\nSông Hồng chảy qua thành phố này."
    )
    assert wiki_sentences(article) == [
        "Hà Nội là thủ đô của Việt Nam.",
        "Thành phố có nhiều hồ đẹp!",
        "Sông Hồng chảy qua thành phố này.",
    ]


def test_clean_halves_are_deterministic_and_even() -> None:
    texts = [f"câu số {i} trong bài" for i in range(4000)]
    share = sum(in_second_half(t) for t in texts) / len(texts)
    assert 0.46 < share < 0.54
    assert [in_second_half(t) for t in texts[:50]] == [in_second_half(t) for t in texts[:50]]


def test_clean_sets_report_the_share_flagged_per_clause() -> None:
    from conduct_scan import Scanner
    from conduct_scan.rules.evaluate import CLEAN_TEXT_CLAUSES, Labelled

    texts = ["Trời hôm nay đẹp quá.", "mày biết gì mà nói", "Mùa lũ năm nay đến sớm.", "đồ ngu"]
    data = Labelled("clean", "four sentences", CLEAN_TEXT_CLAUSES, texts, [False] * 4)
    result = score_dataset(Scanner(Ruleset.load(SOURCE), threads=1), data)
    assert result.score.fp == 2 and result.score.tn == 2
    assert result.negatives_by_clause["3.2"] == 1 and result.negatives_by_clause["4.6b"] == 1
    assert "clean posts flagged by clause: 3.2 25.000% (1), 4.6b 25.000% (1)" in render_results(
        [result]
    )
    shares = result.as_dict()["negatives_flagged_by_clause"]
    assert shares == {"3.2": {"posts": 1, "share": 0.25}, "4.6b": {"posts": 1, "share": 0.25}}


def test_missing_data_gives_no_results(tmp_path: Path) -> None:
    assert evaluate(Ruleset.load(SOURCE), tmp_path) == []


def _present(name: str) -> bool:
    return DATA.is_dir() and bool(load_datasets(DATA, [name]))


@needs_data
@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(TARGETS))
def test_bundled_ruleset_meets_its_targets(name: str) -> None:
    if not _present(name):
        pytest.skip(f"dataset {name} not found under {DATA}")
    (result,) = evaluate(Ruleset.load(SOURCE), DATA, [name])
    misses = TARGETS[name].misses(result.score)
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
