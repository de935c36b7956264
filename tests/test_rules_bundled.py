"""The bundled Code-of-Conduct ruleset: clauses, laws, rules and their examples."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conduct_scan import Ruleset, Scanner
from conduct_scan.rules.lint import lint
from conduct_scan.rules.selftest import run_examples

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "rulesets" / "vn-social-code-2021"

# Clause ids of shared/DOMAIN.md (4.5 split into 4.5a and 4.5b), and the groups they bind.
EXPECTED_CLAUSES = {
    "3.1", "3.2", "3.3", "3.4", "4.1", "4.2", "4.3", "4.4", "4.5a", "4.5b", "4.6a", "4.6b",
    "4.6c", "4.6d", "4.6e", "4.7", "4.8", "5.1", "5.2", "6.1", "6.2", "6.3",
    "7.1", "7.2", "7.3", "7.4", "7.5",
}  # fmt: skip
TEXT_CLAUSES = {"3.2", "4.4", "4.5a", "4.5b", "4.6a", "4.6b", "4.6c", "4.6d", "4.6e"}


@pytest.fixture(scope="module")
def ruleset() -> Ruleset:
    return Ruleset.load(SOURCE)


@pytest.fixture(scope="module")
def scanner(ruleset: Ruleset) -> Scanner:
    return Scanner(ruleset, threads=1)


@pytest.fixture(scope="module")
def data(ruleset: Ruleset) -> dict[str, Any]:
    return json.loads(ruleset.to_json())  # type: ignore[no-any-return]


def test_every_clause_is_listed_with_titles_groups_and_check(data: dict[str, Any]) -> None:
    clauses = {c["id"]: c for c in data["clauses"]}
    assert set(clauses) == EXPECTED_CLAUSES
    for clause in clauses.values():
        assert clause["title"] and clause["title_vi"], clause["id"]
        assert clause["binds"], clause["id"]
        assert "reconstructed" in (clause["notes"] or ""), clause["id"]
        assert clause["dsa_category"].startswith("STATEMENT_CATEGORY_"), clause["id"]
        assert any(r["law"] == "decision-874-2021" for r in clause["references"]), clause["id"]
    assert {c for c, v in clauses.items() if "text" in v["check"]} >= TEXT_CLAUSES
    assert clauses["4.8"]["check"] == [] and clauses["7.2"]["check"] == []
    assert clauses["4.2"]["check"] == ["metadata"]
    assert {g for c in clauses.values() for g in c["binds"]} == {
        "users",
        "officials",
        "agencies",
        "providers",
    }


def test_laws_have_dates_and_successors(data: dict[str, Any]) -> None:
    laws = {law["id"]: law for law in data["laws"]}
    assert laws["decree-72-2013"]["until"] == "2024-12-25"
    assert laws["decree-72-2013"]["superseded_by"] == "decree-147-2024"
    assert laws["decree-147-2024"]["effective"] == "2024-12-25"
    assert laws["cybersecurity-law-2018"]["until"] == "2026-07-01"
    assert laws["cybersecurity-law-2018"]["superseded_by"] == "cybersecurity-law-2025"
    assert laws["cybersecurity-law-2025"]["effective"] == "2026-07-01"
    assert laws["decree-15-2020"]["effective"] == "2020-04-15"
    for law in laws.values():
        assert law["effective"], law["id"]


def test_text_clauses_have_rules_and_rules_have_examples(data: dict[str, Any]) -> None:
    with_rules = {r["clause"] for r in data["rules"]}
    assert with_rules >= TEXT_CLAUSES
    for rule in data["rules"]:
        assert rule["examples"] and rule["counter_examples"], rule["id"]
        assert rule["lang"] in ("vi", "en"), rule["id"]


def test_vietnamese_rules_come_first_and_english_second(data: dict[str, Any]) -> None:
    langs = {r["lang"] for r in data["rules"]}
    assert langs == {"vi", "en"}
    vi = sum(1 for r in data["rules"] if r["lang"] == "vi")
    assert vi > len(data["rules"]) / 2


def test_notes_credit_the_word_lists(data: dict[str, Any]) -> None:
    ruleset_notes = Ruleset.load(SOURCE)
    assert ruleset_notes.id == "vn-social-code-2021"
    notes = (SOURCE / "ruleset.toml").read_text(encoding="utf-8")
    for source in ("vn-badwords", "LDNOOBW", "better-profanity", "surge-ai", "dsojevic"):
        assert source in notes, source


def test_examples_and_counter_examples_pass(ruleset: Ruleset) -> None:
    report = run_examples(ruleset)
    assert report.ok, "\n".join(f.describe() for f in report.failures)
    assert report.examples >= 100 and report.counter_examples >= 100


def test_ruleset_is_lint_clean(ruleset: Ruleset) -> None:
    issues = lint(ruleset)
    assert not issues, "\n".join(i.describe() for i in issues)


def test_compiled_in_copy_matches_the_sources() -> None:
    """The extension embeds rulesets/ at build time: after editing, run `make build`."""
    assert Ruleset.load().sha256 == Ruleset.load(SOURCE).sha256, "run `make build`"


@pytest.mark.parametrize(
    ("text", "rule_id"),
    [
        ("Đ.ị.t mẹ mày", "vi.vulgar.teencode"),  # dotted, no diacritics after skeleton
        ("đ\u200bé\u200bo hiểu", "vi.vulgar.core"),  # zero-width characters
        ("ĐÉO BIẾT", "vi.vulgar.core"),  # upper case
        ("loooz", "vi.vulgar.teencode"),  # repeated letters
        ("xao lon vua thoi", "vi.vulgar.no-diacritics-word"),  # typed without diacritics
        ("xao lol vua thoi", "vi.vulgar.no-diacritics"),
        ("sh1t", "en.vulgar.core"),  # leetspeak
        ("fu\u0441k off", "en.vulgar.core"),  # Cyrillic es
        ("ｆｕｃｋ", "en.vulgar.core"),  # fullwidth
    ],
)
def test_evasions_are_caught(scanner: Scanner, text: str, rule_id: str) -> None:
    found = scanner.scan([text]).column("rule_id").to_pylist()
    assert rule_id in found


@pytest.mark.parametrize(
    "text",
    [
        "mua hai lon bia về nhậu",  # lon = a can
        "má ơi con về rồi",  # má = mum
        "ngồi chơi giết thời gian",  # kill time
        "cười chết mất",  # laugh to death
        "con chó nhà tôi rất khôn",  # a real dog
        "các bạn đi học chưa",  # các folds to cac
        "buổi sáng đeo khẩu trang",  # buổi, đeo fold to buoi, deo
        "em đi ngủ đây",  # ngủ
        "Đảng Cộng sản Việt Nam",
        "As long as the class starts on time",  # ass, coon collapse to as, con
        "còn nhiều lắm",
    ],
)
def test_innocent_look_alikes_are_not_flagged(scanner: Scanner, text: str) -> None:
    table = scanner.scan([text])
    assert table.num_rows == 0, table.to_pylist()


@pytest.mark.parametrize(
    "text",
    [
        # Contact details are not premium-rate numbers nor advertising (issue 11).
        "Cần bán xe Wave đời 2015, giá 8 triệu, LH 0912345678",
        "Đường dây nóng của bệnh viện: 0912 345 678, liên hệ 24/7",
        "Nhận dạy kèm toán lớp 9, liên hệ zalo 0987654321",
        "Cho thuê phòng trọ gần trường, sđt 0912345678",
        # Age limits and ratings.
        "Phim được dán nhãn 18+ do có cảnh bạo lực",
        "The film is rated 18+ in the UK",
        # Single syllables inside innocent compounds (compounds.toml).
        "Biên độ lũ trên sông Hồng lên cao, mùa lũ năm nay đến sớm",
        "thóc lúa rơi vãi khắp sân",
        "anh ấy nhẫn nhục chịu đựng",
        "mặt mày hớn hở",
        "ông ấy nổi điên lên",
        "Bóng đá xâm nhập Bắc Kỳ khoảng năm 1906-1907.",
    ],
)
def test_everyday_vietnamese_is_not_flagged(scanner: Scanner, text: str) -> None:
    table = scanner.scan([text])
    assert table.num_rows == 0, table.to_pylist()


@pytest.mark.parametrize(
    ("text", "rule_id"),
    [
        ("Call 09061701461 to claim your prize", "en.ads.premium-rate"),
        ("Txt WIN to 87066 now. 18+only", "en.ads.premium-rate"),
        ("Giảm giá 30% hôm nay, ib shop nhé", "vi.ads.promotion-contact"),
        ("mày biết gì mà nói", "vi.disrespect.address"),  # the address, not the eyebrow
        ("lũ chó các người", "vi.insult.animal"),
    ],
)
def test_offers_and_insults_are_still_caught(scanner: Scanner, text: str, rule_id: str) -> None:
    assert rule_id in scanner.scan([text]).column("rule_id").to_pylist()


def test_compounds_are_compiled_into_every_rule_with_the_term(data: dict[str, Any]) -> None:
    rules = {r["id"]: r for r in data["rules"]}
    address = rules["vi.disrespect.address"]
    excused = {address["terms"][c["term"]]: set() for c in address["compounds"]}
    for c in address["compounds"]:
        excused[address["terms"][c["term"]]].add(c["text"])
    assert "mặt mày" in excused["mày"]
    assert not any("chúng mày" in v for v in excused.values()), "reviewed out: offensive"


def test_the_warning_veto_is_one_shared_list(data: dict[str, Any]) -> None:
    users = [r["id"] for r in data["rules"] if "news-law-warning" in r["unless"]["lists"]]
    assert len(users) == 8, users
    shared = next(lst for lst in data["lists"] if lst["id"] == "news-law-warning")
    for rule in data["rules"]:
        if rule["id"] in users:
            assert set(shared["terms"]) <= set(rule["unless"]["terms"]), rule["id"]


def test_english_rules_stay_silent_on_vietnamese_posts(scanner: Scanner) -> None:
    from conduct_scan._core import guess_language

    text = "Ông Dick là người Anh, sang Việt Nam làm việc từ năm ngoái"
    assert guess_language(text) == "vi"
    assert scanner.scan([text]).num_rows == 0
    explained = scanner.explain(text)
    assert any(e["outcome"] == "other_language" for e in explained), explained
