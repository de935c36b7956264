"""Evasions that Unicode's own data covers (NFKC_Casefold, UTS #39 confusables, character
names), scanned with the bundled ruleset: each disguised word is found and its offsets slice the
original text to the disguise."""

from __future__ import annotations

from pathlib import Path

import pytest

from conduct_scan import Ruleset, Scanner, normalise
from tests import reference

UCD = Path("/usr/share/unicode")

EVASIONS = [
    ("🄵🅄🄲🄺 you", "🄵🅄🄲🄺", "casefold"),  # squared letters: NFKC
    ("𝐟𝐮𝐜𝐤 you", "𝐟𝐮𝐜𝐤", "casefold"),  # mathematical bold: NFKC
    ("ｆｕｃｋ you", "ｆｕｃｋ", "casefold"),  # fullwidth: NFKC
    ("🅵🆄🅲🅺 you", "🅵🆄🅲🅺", "skeleton"),  # negative squared letters: names
    ("ꜰᴜᴄᴋ you", "ꜰᴜᴄᴋ", "skeleton"),  # small capitals: names
    ("fսck you", "fսck", "skeleton"),  # Armenian seh: UTS #39
    ("ʙɪᴛᴄʜ", "ʙɪᴛᴄʜ", "skeleton"),
]


@pytest.fixture(scope="module")
def scanner() -> Scanner:
    return Scanner(Ruleset.load())


@pytest.mark.parametrize(("text", "evidence", "view"), EVASIONS)
def test_disguised_words_are_found(scanner: Scanner, text: str, evidence: str, view: str) -> None:
    findings = scanner.scan([text]).to_pylist()
    hits = [f for f in findings if f["matched"] == evidence]
    assert hits, findings
    assert {f["view"] for f in hits} == {view}
    for f in hits:
        assert text[f["start"] : f["end"]] == evidence


def test_cherokee_and_small_capitals_view() -> None:
    assert normalise("skeleton", "ꮯꭺꭲ ᏟᎪᎢ") == "cat cat"
    assert normalise("skeleton", "ᴅɪᴛ ᴍᴇ") == "dit me"


def test_ascii_is_not_remapped(scanner: Scanner) -> None:
    """UTS #39 maps m → rn and 1 → l; the skeleton does not, so these stay innocent."""
    for text in ["corn on the cob", "com", "rn", "0 1 l I"]:
        assert normalise("skeleton", text) == reference.skeleton(text)
    assert normalise("skeleton", "corn") == "corn"
    assert normalise("skeleton", "0 1") == "0 1"


@pytest.mark.skipif(
    not (UCD / "DerivedCoreProperties.txt").is_file(),
    reason="no UCD files in /usr/share/unicode (apt-get install unicode-data)",
)
def test_reference_ignorables_are_unicode_s() -> None:
    expected: set[int] = set()
    for line in (UCD / "DerivedCoreProperties.txt").read_text(encoding="utf-8").splitlines():
        data = line.split("#")[0].split(";")
        if len(data) != 2 or data[1].strip() != "Default_Ignorable_Code_Point":
            continue
        lo, _, hi = data[0].strip().partition("..")
        expected.update(range(int(lo, 16), int(hi or lo, 16) + 1))
    got = {u for u in range(0x110000) if reference.is_ignorable(chr(u))}
    assert got == expected
