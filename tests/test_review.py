"""The review loop: sampling, importing decisions, measured precision, suggestions."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from conduct_scan import Ruleset, Scanner
from conduct_scan.cli import main
from conduct_scan.demo import generate_archive
from conduct_scan.pipeline import scan_archive
from conduct_scan.review.decisions import import_decisions, load_reviews
from conduct_scan.review.precision import Stratum, estimate, measure, wilson
from conduct_scan.review.sample import draw_sample, write_sample
from conduct_scan.review.simulate import simulate_decisions
from conduct_scan.review.suggest import check, render_extension, suggest

COLUMNS = ("title", "text")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A labelled demo archive of 6,000 posts and its scan output."""
    root = tmp_path_factory.mktemp("review")
    archive = root / "archive"
    generate_archive(archive, posts=6_000, days=2, seed=17, with_labels=True)
    out = root / "audit"
    scan_archive([str(archive)], out, text_columns=COLUMNS)
    return archive, out


@pytest.fixture
def audit(demo: tuple[Path, Path], tmp_path: Path) -> Path:
    """A private copy of the scan output, without reviews."""
    copy = tmp_path / "audit"
    shutil.copytree(demo[1], copy)
    return copy


def test_sample_is_stratified_by_rule_and_records_populations(audit: Path) -> None:
    violations = pl.read_parquet(audit / "violations" / "**" / "*.parquet")
    population = dict(violations.group_by("rule_id").len().iter_rows())
    drawn = draw_sample(audit, per_rule=7, seed=3)
    counts = dict(drawn.rows.group_by("rule_id").len().iter_rows())
    assert counts == {rule: min(7, n) for rule, n in population.items()}
    recorded = dict(drawn.rows.select("rule_id", "stratum_population").unique().iter_rows())
    assert recorded == population
    assert drawn.rows["finding_id"].n_unique() == drawn.rows.height
    assert (drawn.rows["decision"] == "").all() and (drawn.rows["seed"] == 3).all()
    # the evidence is the match marked in its context
    row = drawn.rows.row(0, named=True)
    assert f"«{row['matched']}»" in row["evidence"]


def test_sample_is_reproducible_by_seed_and_per_clause_tops_up(audit: Path) -> None:
    a = draw_sample(audit, per_rule=5, seed=11).rows["finding_id"].to_list()
    b = draw_sample(audit, per_rule=5, seed=11).rows["finding_id"].to_list()
    c = draw_sample(audit, per_rule=5, seed=12).rows["finding_id"].to_list()
    assert a == b and a != c
    wide = draw_sample(audit, per_rule=1, per_clause=60, seed=11).rows
    by_clause = (
        pl.read_parquet(audit / "violations" / "**" / "*.parquet").group_by("clause_id").len()
    )
    for clause, n in by_clause.iter_rows():
        got = wide.filter(pl.col("clause_id") == clause).height
        assert got >= min(n, 60)


def test_written_sample_round_trips_through_csv(audit: Path, tmp_path: Path) -> None:
    paths = write_sample(draw_sample(audit, per_rule=3, seed=1), tmp_path / "s.csv")
    assert [p.suffix for p in paths] == [".parquet", ".csv", ".json"]
    csv = pl.read_csv(paths[1], infer_schema=False)
    parquet = pl.read_parquet(paths[0])
    assert csv["finding_id"].to_list() == parquet["finding_id"].to_list()


def test_import_rejects_bad_rows_one_line_each_and_keeps_the_good(
    audit: Path, tmp_path: Path
) -> None:
    rows = draw_sample(audit, per_rule=2, seed=5).rows.head(6)
    decisions = ["violation", "not_violation", "unsure", "maybe", "violation", ""]
    filled = rows.with_columns(decision=pl.Series(decisions))
    filled = filled.with_columns(
        finding_id=pl.when(pl.int_range(pl.len()) == 4)
        .then(pl.lit("feedfacefeedfacefeed"))
        .otherwise("finding_id")
    )
    path = tmp_path / "alice.csv"
    filled.write_csv(path)
    result = CliRunner().invoke(main, ["review", "import", str(audit), str(path)])
    assert result.exit_code == 3, result.output
    errors = [line for line in result.output.splitlines() if "input error" in line]
    assert len(errors) == 2
    assert any("line 5" in e and "'maybe'" in e for e in errors)
    assert any("line 6" in e and "unknown finding id 'feedfacefeedfacefeed'" in e for e in errors)
    stored = load_reviews(audit)
    assert sorted(stored["decision"]) == ["not_violation", "unsure", "violation"]
    assert set(stored["reviewer"]) == {"alice"}


def test_plain_precision_and_a_second_reviewer(audit: Path, tmp_path: Path) -> None:
    rows = draw_sample(audit, per_rule=4, seed=2).rows
    rule = rows["rule_id"][0]
    mine = rows.filter(pl.col("rule_id") == rule)
    n = mine.height
    decided = ["violation" if i % 2 == 0 else "not_violation" for i in range(n)]
    mine.with_columns(decision=pl.Series(decided), reviewer=pl.lit("a")).write_csv(
        tmp_path / "a.csv"
    )
    other = ["violation"] * n
    mine.with_columns(decision=pl.Series(other), reviewer=pl.lit("b")).write_csv(tmp_path / "b.csv")
    import_decisions(audit, [tmp_path / "a.csv"])
    p = measure(audit)
    assert p is not None
    row = p.by_rule.filter(pl.col("rule_id") == rule).row(0, named=True)
    k = sum(d == "violation" for d in decided)
    assert row["violations"] == k and row["decided"] == n
    assert row["precision"] == pytest.approx(k / n)
    assert (row["ci95_low"], row["ci95_high"]) == pytest.approx(wilson(k, n))
    import_decisions(audit, [tmp_path / "b.csv"])
    p = measure(audit)
    assert p is not None
    assert p.agreement.findings == n and p.agreement.agreed == k
    row = p.by_rule.filter(pl.col("rule_id") == rule).row(0, named=True)
    assert row["disputed"] == n - k and row["decided"] == k  # disagreements are left out


def _plain_wilson(k: float, n: float) -> tuple[float, float]:
    z = 1.959963984540054
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.integers(1, 50).flatmap(
            lambda n: st.tuples(st.integers(n, 5_000), st.just(n), st.integers(0, n))
        ),
        min_size=1,
        max_size=6,
    )
)
def test_weighted_estimate_matches_a_plain_computation(
    strata: list[tuple[int, int, int]],
) -> None:
    e = estimate([Stratum(N, n, k) for N, n, k in strata])
    total = sum(N for N, _, _ in strata)
    point = sum(N / total * k / n for N, n, k in strata)
    # Kish's effective n: (sum of weights)^2 / sum of squared weights, weight N/n per finding
    weights = [N / n for N, n, _ in strata for _ in range(n)]
    n_eff = sum(weights) ** 2 / sum(w * w for w in weights)
    assert e.precision == pytest.approx(point)
    assert e.effective_n == pytest.approx(n_eff)
    assert (e.low, e.high) == pytest.approx(_plain_wilson(point * n_eff, n_eff))
    assert e.low is not None and e.high is not None and e.precision is not None
    assert 0.0 <= e.low <= e.precision <= e.high <= 1.0
    if len(strata) == 1:
        _, n, k = strata[0]
        assert (e.low, e.high) == pytest.approx(_plain_wilson(k, n))


def test_decisions_carry_over_to_a_rescan_and_the_next_night(
    demo: tuple[Path, Path], audit: Path, tmp_path: Path
) -> None:
    rows = simulate_decisions(draw_sample(audit, per_rule=3, seed=9).rows)
    rows.write_csv(tmp_path / "d.csv")
    assert import_decisions(audit, [tmp_path / "d.csv"]).problems == []
    before = measure(audit)
    assert before is not None
    # a re-scan from scratch into the same output keeps reviews/ and finds the same findings
    scan_archive([str(demo[0])], audit, text_columns=COLUMNS, fresh=True)
    after = measure(audit)
    assert after is not None
    assert after.by_rule.equals(before.by_rule)
    # the next night: a new day partition is added; last night's decisions still apply
    night = tmp_path / "night"
    shutil.copytree(demo[0], night / "archive")
    generate_archive(tmp_path / "new", posts=500, days=1, seed=99,
                     start=__import__("datetime").date(2026, 12, 1))  # fmt: skip
    shutil.copytree(tmp_path / "new" / "date=2026-12-01", night / "archive" / "date=2026-12-01")
    scan_archive([str(demo[0]), str(night / "archive" / "date=2026-12-01")], audit,
                 text_columns=COLUMNS)  # fmt: skip
    nightly = measure(audit)
    assert nightly is not None
    assert nightly.reviews == before.reviews
    assert nightly.by_rule["decided"].to_list() == before.by_rule["decided"].to_list()


def test_suggestions_remove_rejected_findings_and_no_confirmed_one(
    demo: tuple[Path, Path], audit: Path, tmp_path: Path
) -> None:
    rows = simulate_decisions(draw_sample(audit, per_rule=40, seed=4).rows)
    rows.write_csv(tmp_path / "truth.csv")
    import_decisions(audit, [tmp_path / "truth.csv"])
    found = suggest(audit)
    assert any(s.entries for s in found)
    path = tmp_path / "suggested.toml"
    path.write_text(render_extension(found), encoding="utf-8")
    amended = Ruleset.load(path)
    checked = check(audit, Ruleset.load(), amended)
    assert checked.rejected_removed > 0 and checked.confirmed_lost == 0
    # Applied to the whole archive: every finding the amended ruleset drops was rejected by
    # the ground truth or never reviewed, and no reviewed confirmed violation is lost.
    texts = pl.read_parquet(demo[0] / "**" / "*.parquet", hive_partitioning=False)
    amended_ids = {s.rule_id for s in found if s.entries}
    scanner = Scanner(amended.select(sorted(amended_ids)), max_compile_seconds=None)
    kept = pl.DataFrame(scanner.scan(texts["text"])).select("row", "rule_id", "start", "end")
    confirmed = rows.filter(
        (pl.col("decision") == "violation") & pl.col("rule_id").is_in(amended_ids)
        & (pl.col("field") == "text")
    )  # fmt: skip
    post_row = {p: i for i, p in enumerate(texts["post_id"].to_list())}
    keys = {(r, rule, s, e) for r, rule, s, e in kept.iter_rows()}
    for r in confirmed.iter_rows(named=True):
        assert (post_row[r["post_id"]], r["rule_id"], r["start"], r["end"]) in keys


def test_cli_sample_and_report_show_precision(audit: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["sample", str(audit), "--per-rule", "3", "--seed", "1",
                                  "--out", str(tmp_path / "s")])  # fmt: skip
    assert result.exit_code == 0, result.output
    filled = simulate_decisions(pl.read_parquet(tmp_path / "s.parquet"))
    filled.write_csv(tmp_path / "s-filled.csv")
    result = runner.invoke(main, ["review", "import", str(audit), str(tmp_path / "s-filled.csv")])
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["report", str(audit)])
    assert result.exit_code == 0, result.output
    md = (audit / "report" / "report.md").read_text()
    assert "## Measured precision" in md and "precision (95% CI)" in md
    summary = __import__("json").loads((audit / "report" / "summary.json").read_text())
    assert summary["precision"]["reviews"] == filled.height
    result = runner.invoke(main, ["rules", "eval", "--reviews", str(audit)])
    assert result.exit_code == 0 and "precision (95% CI)" in result.output
    result = runner.invoke(main, ["rules", "suggest", str(audit), "-w", str(tmp_path / "x.toml")])
    assert result.exit_code == 0, result.output
    assert 'extends = "bundled"' in (tmp_path / "x.toml").read_text()


def test_redacted_sample_has_no_text_and_imports_with_the_key(
    audit: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = "k" * 32
    monkeypatch.setenv("CONDUCT_SCAN_REDACT_KEY", key)
    drawn = draw_sample(audit, per_rule=2, seed=1, redact_key=key.encode())
    assert drawn.rows["context"].null_count() == drawn.rows.height
    assert drawn.rows["post_id"].str.starts_with("post-").all()
    drawn.rows.with_columns(decision=pl.lit("violation")).write_csv(tmp_path / "r.csv")
    result = CliRunner().invoke(main, ["review", "import", str(audit), str(tmp_path / "r.csv")])
    assert result.exit_code == 0, result.output
    assert load_reviews(audit).height == drawn.rows.height


def test_cli_errors_are_one_line(audit: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["rules", "suggest", str(audit)])
    assert result.exit_code == 2 and "no decisions stored" in result.output
    result = runner.invoke(main, ["review", "import", str(tmp_path / "nope"), str(tmp_path)])
    assert result.exit_code == 2 and "not a directory" in result.output
    result = runner.invoke(main, ["sample", str(tmp_path)])
    assert result.exit_code == 2 and "not a scan output" in result.output
    bad = tmp_path / "bad.csv"
    bad.write_text("id,verdict\n1,violation\n")
    result = runner.invoke(main, ["review", "import", str(audit), str(bad)])
    assert result.exit_code == 3 and "no 'finding_id' or 'decision' column" in result.output
    assert "Traceback" not in result.output


def test_demo_simulates_a_review(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    args = ["demo", "--out", str(out), "--posts", "2000", "--days", "1", "--seed", "5", "-q"]
    result = CliRunner().invoke(main, [*args, "--simulate-review"])
    assert result.exit_code == 0, result.output
    decided = pl.read_csv(out / "review" / "decisions.csv", infer_schema=False)
    assert set(decided["decision"]) <= {"violation", "not_violation", "unsure"}
    assert "violation" in set(decided["decision"])
    assert load_reviews(out / "audit").height == decided.height
    assert "## Measured precision" in (out / "audit" / "report" / "report.md").read_text()
