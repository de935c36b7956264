"""A provider's ruleset that extends the bundled one: extra rules, disabled rules, allow-list."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from conduct_scan import Ruleset, RulesetError, Scanner
from conduct_scan.cli import main

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "rulesets" / "examples" / "provider-extension"
SOURCE = ROOT / "rulesets" / "vn-social-code-2021"


@pytest.fixture(scope="module")
def provider() -> Ruleset:
    return Ruleset.load(EXAMPLE)


def rule_ids(ruleset: Ruleset) -> set[str]:
    return {r["id"] for r in json.loads(ruleset.to_json())["rules"]}


def test_extension_keeps_bundled_rules_and_adds_its_own(provider: Ruleset) -> None:
    ids = rule_ids(provider)
    bundled = rule_ids(Ruleset.load())
    disabled = {"vi.disrespect.address", "vi.disrespect.address-teencode", "vi.ads.promotion"}
    assert ids == (bundled - disabled) | {"acme.scam.crypto-giveaway", "acme.vi.fake-support"}
    data = json.loads(provider.to_json())
    assert data["extends"].startswith("vn-social-code-2021 ")
    assert set(data["disabled"]) == disabled
    assert {c["id"] for c in data["clauses"]} >= {"4.6c", "7.5"}


def test_disabled_rules_no_longer_fire(provider: Ruleset) -> None:
    text = "mày biết gì mà nói"
    assert (
        "vi.disrespect.address"
        in Scanner(Ruleset.load()).scan([text]).column("rule_id").to_pylist()
    )
    assert Scanner(provider).scan([text]).num_rows == 0


def test_allow_list_drops_findings_inside_allowed_terms(provider: Ruleset) -> None:
    text = "Cho tôi một bát phở ở quán Phở Bò Đỏ"
    bundled = Scanner(Ruleset.load(SOURCE)).scan([text]).column("rule_id").to_pylist()
    assert "vi.insult.animal" in bundled  # "bò đỏ" is a political slur
    assert Scanner(provider).scan([text]).num_rows == 0


def test_provider_rules_run_with_their_examples(provider: Ruleset) -> None:
    result = CliRunner().invoke(main, ["rules", "test", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    found = Scanner(provider).scan(["ACME airdrop! Send 1 ETH and get 2 back"])
    assert set(found.column("rule_id").to_pylist()) == {"acme.scam.crypto-giveaway"}


def test_extends_a_path_and_rejects_unknown_disabled_ids(tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "ruleset.toml").write_text(
        f'[ruleset]\nid = "mine"\nversion = "1"\nextends = "{SOURCE}"\n'
        'disable = ["vi.vulgar.core", "no.such.rule"]\n',
        encoding="utf-8",
    )
    with pytest.raises(RulesetError) as error:
        Ruleset.load(mine)
    assert any("no.such.rule" in reason for _, _, reason in error.value.problems)
    (mine / "ruleset.toml").write_text(
        f'[ruleset]\nid = "mine"\nversion = "1"\nextends = "{SOURCE}"\n'
        'disable = ["vi.vulgar.core"]\n',
        encoding="utf-8",
    )
    assert "vi.vulgar.core" not in rule_ids(Ruleset.load(mine))


def test_provider_directory_passes_check(provider: Ruleset) -> None:
    result = CliRunner().invoke(main, ["rules", "check", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    assert "0 errors" in result.output
