"""Name syllables (`[[compound]]` with `names = true`): a title-case match inside a sentence is
part of a proper name; lower case, shouting and the start of a sentence are still matched."""

from __future__ import annotations

from pathlib import Path

import pytest

from conduct_scan._core import Ruleset, Scanner

SOURCE = Path(__file__).resolve().parents[1] / "rulesets" / "vn-social-code-2021"

RULES = """
[ruleset]
id = "names-test"
version = "1"
title = "names"

[[clause]]
id = "4.6b"
title = "No insults"
check = ["text"]
severity = "medium"

[[rule]]
id = "t.stupid"
clause = "4.6b"
terms = ["ngu", "lũ"]
"""


def _flagged(toml: str, text: str) -> list[str]:
    table = Scanner(Ruleset.from_toml(toml), threads=1).scan([text])
    return [str(m) for m in table.column("matched").to_pylist()]


@pytest.mark.parametrize(
    ("text", "names", "expected"),
    [
        ("các nhà thư pháp Âu Dương Tuân và Ngu Thế Nam", True, []),
        ("các nhà thư pháp Âu Dương Tuân và Ngu Thế Nam", False, ["Ngu"]),
        ('ông gọi "Ngu thư" là', True, []),
        ("đồ ngu thế", True, ["ngu"]),
        ("đồ NGU thế", True, ["NGU"]),
        ("Ngu thì chết", True, ["Ngu"]),
        ("Hết rồi. Ngu thì chết", True, ["Ngu"]),
        ("Hết rồi\nNgu thì chết", True, ["Ngu"]),
        # Only the term that is a name syllable is excused: lũ has no `names` here.
        ("ở xã Kim Lũ và Ngu Giang", True, ["Lũ"]),
    ],
)
def test_title_case_inside_a_sentence_is_a_name(
    text: str, names: bool, expected: list[str]
) -> None:
    compound = '[[compound]]\nterm = "ngu"\nnames = true\n' if names else ""
    assert _flagged(RULES + compound, text) == expected


def test_names_and_compounds_of_one_term_combine() -> None:
    toml = RULES + '[[compound]]\nterm = "NGU"\ncompounds = ["ngu dân"]\nnames = true\n'
    assert _flagged(toml, "chính sách ngu dân của ông Ngu Tư") == []
    assert _flagged(toml, "đồ ngu") == ["ngu"]


def test_explain_names_the_outcome() -> None:
    scanner = Scanner(Ruleset.load(SOURCE), threads=1)
    candidates = scanner.explain("các nhà thư pháp Âu Dương Tuân và Ngu Thế Nam thời Đường")
    outcomes = {(c["rule_id"], c["outcome"]) for c in candidates}
    assert ("vi.insult.stupid", "in_name") in outcomes
    assert all(c["outcome"] != "kept" for c in candidates)


@pytest.mark.parametrize(
    "text",
    [
        "Triệu Nhữ Ngu nhậm chức tể tướng",  # Ngu
        "Đến xã Kim Lũ, huyện Sóc Sơn",  # Lũ
        "2006: Terence Tao (Đào Triết Hiên)",  # Tao
        "hai sông hợp lưu là sông Tân Điếm và sông Cơ Long",  # Điếm
        "Năm 2012, Duma Quốc gia Nga thông qua luật",  # Duma
        "Hồ Chí Minh được cử ra Bắc Kỳ",  # Bắc Kỳ (a region name, also a collocation)
        "Thời Hán, Lưu Hâm so sánh các bản",  # Hâm
    ],
)
def test_bundled_name_syllables_in_names_are_not_flagged(text: str) -> None:
    table = Scanner(Ruleset.load(SOURCE), threads=1).scan([text])
    assert table.num_rows == 0, table.to_pylist()


@pytest.mark.parametrize(
    "text",
    ["đồ ngu", "Ngu thì chết", "Bắc Kỳ chó", "đúng là dân BẮC KỲ", "thằng điên", "Tao nói rồi"],
)
def test_bundled_insults_still_fire(text: str) -> None:
    assert Scanner(Ruleset.load(SOURCE), threads=1).scan([text]).num_rows > 0
