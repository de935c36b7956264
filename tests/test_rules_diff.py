"""`conduct-scan rules diff`: two rulesets over one archive, the findings only one has."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from conduct_scan import Ruleset
from conduct_scan.cli import main
from conduct_scan.demo import generate_archive
from conduct_scan.rules.diff import diff_rulesets

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "rulesets" / "vn-social-code-2021"


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("diff") / "archive"
    generate_archive(path, posts=3000, days=2, accounts=300, seed=7)
    return path


@pytest.fixture(scope="module")
def without_vulgar(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A ruleset that extends the bundled one and switches one rule off."""
    directory = tmp_path_factory.mktemp("rules")
    (directory / "ruleset.toml").write_text(
        f'[ruleset]\nid = "shadow"\nversion = "2"\nextends = "{SOURCE}"\n'
        'disable = ["vi.vulgar.core"]\n',
        encoding="utf-8",
    )
    return directory


def test_same_ruleset_has_no_differences(archive: Path) -> None:
    result = diff_rulesets(Ruleset.load(SOURCE), Ruleset.load(SOURCE), [str(archive)])
    assert result.only_old.height == 0 and result.only_new.height == 0
    assert result.common > 0 and result.posts == 3000
    assert result.posts_unflagged == 0 and result.posts_newly_flagged == 0


def test_a_disabled_rule_shows_as_only_old(archive: Path, without_vulgar: Path) -> None:
    old = Ruleset.load(SOURCE)
    result = diff_rulesets(old, Ruleset.load(without_vulgar), [str(archive)])
    assert result.only_new.height == 0
    assert set(result.only_old["rule_id"]) == {"vi.vulgar.core"}
    # Every finding of the rule in a plain scan of the same archive, and nothing else.
    reverse = diff_rulesets(Ruleset.load(without_vulgar), old, [str(archive)])
    assert reverse.only_new.height == result.only_old.height > 0
    by_rule = result.by_rule().row(0, named=True)
    assert by_rule["rule_id"] == "vi.vulgar.core" and by_rule["clause_id"] == "4.6c"
    assert by_rule["only_old"] == result.only_old.height and by_rule["only_new"] == 0
    assert by_rule["change"] == -result.only_old.height
    assert result.examples("old", "vi.vulgar.core", 2)
    # Posts whose only findings were the disabled rule's are no longer flagged at all.
    posts_of_rule = result.only_old.select("source_file", "row").unique().height
    assert 0 < result.posts_unflagged <= posts_of_rule
    assert result.posts_newly_flagged == 0


def test_cli_prints_the_table_and_writes_parquet(
    archive: Path, without_vulgar: Path, tmp_path: Path
) -> None:
    out = tmp_path / "diff"
    result = CliRunner().invoke(
        main, ["rules", "diff", str(SOURCE), str(without_vulgar), str(archive), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "vi.vulgar.core" in result.output and "only old" in result.output
    only_old = pl.read_parquet(out / "only_old.parquet")
    assert only_old.height > 0 and set(only_old["rule_id"]) == {"vi.vulgar.core"}
    assert pl.read_parquet(out / "only_new.parquet").height == 0
    assert pl.read_parquet(out / "by_rule.parquet")["rule_id"].to_list() == ["vi.vulgar.core"]


def test_cli_accepts_bundled_and_names_a_bad_source(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["rules", "diff", "bundled", "bundled", str(tmp_path)])
    assert result.exit_code == 2
    assert "no Parquet files found" in result.output
