"""The register condition (`informal`): a rule whose words are contemptuous only in informal
writing does not fire on a post that reads as edited prose and has none of its informal cues."""

from __future__ import annotations

from pathlib import Path

import pytest

from conduct_scan._core import Ruleset, RulesetError, Scanner

SOURCE = Path(__file__).resolve().parents[1] / "rulesets" / "vn-social-code-2021"

HEAD = """
[ruleset]
id = "register-test"
version = "1"
title = "register"

[[clause]]
id = "3.2"
title = "Wholesome conduct"
check = ["text"]
severity = "low"

[[list]]
id = "cues"
terms = ["nó", "nhé"]
patterns = ['[!?]']
"""

RULE = """
[[rule]]
id = "t.classifier"
clause = "3.2"
terms = ["bọn"]
"""

PROSE = "Sau lưng nàng là bọn thuộc hạ dữ tợn của Ruber, đang đuổi theo rất gần."


def _flagged(toml: str, text: str) -> list[str]:
    table = Scanner(Ruleset.from_toml(toml), threads=1).scan([text])
    return [str(m) for m in table.column("matched").to_pylist()]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (PROSE, []),
        # A cue of informal writing anywhere in the post: a term, a pattern.
        ("Sau lưng nàng là bọn thuộc hạ dữ tợn của nó, đang đuổi theo rất gần.", ["bọn"]),
        ("Sau lưng nàng là bọn thuộc hạ dữ tợn của Ruber, đang đuổi theo rất gần!", ["bọn"]),
        # Not the shape of prose: short, lower-case start, no final stop, a sentence begun in
        # lower case, a shouted word, an emoji, a drawn-out letter.
        ("Bọn thuộc hạ dữ tợn.", ["Bọn"]),
        ("sau lưng nàng là bọn thuộc hạ dữ tợn của Ruber, đang đuổi theo rất gần.", ["bọn"]),
        ("Sau lưng nàng là bọn thuộc hạ dữ tợn của Ruber, đang đuổi theo rất gần", ["bọn"]),
        ("Sau lưng nàng là bọn thuộc hạ dữ tợn. của Ruber, đang đuổi theo rất gần.", ["bọn"]),
        ("Sau lưng nàng là BỌN thuộc hạ dữ tợn của Ruber, đang đuổi theo rất gần.", ["BỌN"]),
        ("Sau lưng nàng là bọn thuộc hạ dữ tợn của Ruber, đang đuổi theo 😡 rất gần.", ["bọn"]),
        ("Sau lưng nàng là bọn thuộc hạ dữ tợn của Ruber, đang đuổi theo rất gầnnn.", ["bọn"]),
    ],
)
def test_edited_prose_without_a_cue_is_excused(text: str, expected: list[str]) -> None:
    informal = RULE + 'informal = { lists = ["cues"] }\n'
    assert _flagged(HEAD + informal, text) == expected


def test_a_rule_without_the_condition_fires_in_prose() -> None:
    assert _flagged(HEAD + RULE, PROSE) == ["bọn"]


def test_the_condition_may_have_no_cues() -> None:
    assert _flagged(HEAD + RULE + "informal = {}\n", PROSE) == []
    assert _flagged(HEAD + RULE + "informal = {}\n", "bọn này") == ["bọn"]


def test_an_unknown_cue_list_is_an_error() -> None:
    with pytest.raises(RulesetError, match="informal: unknown list `nope`"):
        Ruleset.from_toml(HEAD + RULE + 'informal = { lists = ["nope"] }\n')


def test_explain_names_the_outcome() -> None:
    scanner = Scanner(Ruleset.load(SOURCE), threads=1)
    outcomes = {(c["rule_id"], c["outcome"]) for c in scanner.explain(PROSE)}
    assert ("vi.disrespect.classifier", "edited_prose") in outcomes


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        (
            "Bọn này vô học, lại thích khoe khoang để lấy thành tích, viết câu tối nghĩa.",
            "vi.disrespect.classifier",
        ),
        (
            "Bọn tham quan ấy, chúng ăn của dân bao nhiêu năm nay mà không biết nhục.",
            "vi.insult.character",
        ),
        (
            "Tổ sư nhà nó, lừa được cả làng này mà không ai biết, đúng là quá đáng lắm.",
            "vi.vulgar.literary",
        ),
        # Obscenities and slurs have no register condition.
        (
            "Sau lưng nàng là lũ tàu khựa dữ tợn của Ruber, đang đuổi theo rất gần.",
            "vi.hate.foreign",
        ),
        (
            "Ông gọi cuộc thảm sát là phán xét xứng đáng của Chúa cho lũ lồn bẩn thỉu ấy.",
            "vi.vulgar.core",
        ),
    ],
)
def test_bundled_informal_cues_and_strong_words_still_fire(text: str, rule: str) -> None:
    table = Scanner(Ruleset.load(SOURCE), threads=1).scan([text])
    assert rule in table.column("rule_id").to_pylist()
