"""The native scanner against the plain-Python reference (``tests/reference.py``).

Thousands of generated posts: upper-case Vietnamese, decomposed (NFD) input, emoji, zero-width
characters, homoglyphs (Cyrillic, Greek, Armenian, Cherokee, small capitals, squared and
circled letters, mathematical alphanumerics), leetspeak, spaced-out letters, empty strings and
nulls. For every view:
the view text equals the reference's, every rule finds as many matches as the reference, and
every finding's offsets slice the original text to the evidence.
"""

from __future__ import annotations

import json
import os
import unicodedata

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import conduct_scan
from conduct_scan import Ruleset, Scanner
from tests import reference

VIETNAMESE = (
    "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵ"
)
ALPHABET = (
    VIETNAMESE
    + VIETNAMESE.upper()
    + "ABCDEFGHIJKLMNOPQRSTUVWXYZfjwz0123456789"
    + "  .-_*@$!,?\n"
    + "\u0300\u0301\u0303\u0309\u0323\u0302\u0306\u031b"  # combining marks (NFD input)
    + "\u200b\u200c\u200d\ufeff\u00ad"  # invisible
    + "😀🔥❤\ufe0f"
    + "асеорхΑΟοιν"  # Cyrillic and Greek look-alikes
    + "ｆｕｃｋＦ"  # fullwidth
    + "ßς"
    + "🄵🅄🅵🆄ꜰᴜᴄᴋսօ𝐟𝓾\u0345"  # squared, negative squared, small capitals, Armenian, mathematical
)

_LOWER = "abcdefghijklmnopqrstuvwxyz"
#: Look-alikes of ASCII letters that users type to get past filters, one family each.
LOOK_ALIKES: dict[str, dict[str, str]] = {
    "squared": {c: chr(0x1F130 + i) for i, c in enumerate(_LOWER)},
    "negative squared": {c: chr(0x1F170 + i) for i, c in enumerate(_LOWER)},
    "negative circled": {c: chr(0x1F150 + i) for i, c in enumerate(_LOWER)},
    "circled": {c: chr(0x24D0 + i) for i, c in enumerate(_LOWER)},
    "mathematical bold": {c: chr(0x1D41A + i) for i, c in enumerate(_LOWER)},
    "mathematical script bold": {c: chr(0x1D4EA + i) for i, c in enumerate(_LOWER)},
    "fullwidth": {c: chr(0xFF41 + i) for i, c in enumerate(_LOWER)},
    "small capitals": dict(
        zip("abcdefghijklmnopqrstuvwyz", "ᴀʙᴄᴅᴇꜰɢʜɪᴊᴋʟᴍɴᴏᴘꞯʀꜱᴛᴜᴠᴡʏᴢ", strict=True)
    ),
    "Armenian": dict(zip("fghijnoqsuw", "քցհւյոօզտսա", strict=True)),
    "Cherokee": dict(zip("abcdeghijkmoprstvwz", "ᎪᏴᏟᎠᎬᏀᎻᎥᎫᏦᎷᎾᏢᎡᏚᎢᏙᎳᏃ", strict=True)),
    "Greek": dict(zip("aeiknoptuvxy", "αει\u03baηορτυνχγ", strict=True)),
    "Cyrillic": dict(zip("abcehijkmopstxy", "авсеһіјкмор\u0455тху", strict=True)),
}
TERMS = [
    "ngu", "đồ ngu", "địt", "lồn", "chó", "óc chó", "vãi", "đm", "con mẹ mày",
    "fuck", "shit", "ass", "bitch", "Straße", "dit me", "sh1t", "f u c k", "NGU",
]  # fmt: skip
PATTERNS = ["ng[uư]", "đ[iị]t m[eẹ]", "f[uư]ck", "[lL][oồ]n"]
VIEWS = ["exact", "casefold", "fold", "skeleton"]


def _rules() -> list[reference.RefRule]:
    rules = []
    for i, term in enumerate(TERMS):
        for view in VIEWS:
            word = i % 3 != 0
            rules.append(reference.RefRule(f"t{i}.{view}", view, term=term, word=word))
    for i, pattern in enumerate(PATTERNS):
        for view in VIEWS:
            if view == "skeleton":
                continue  # literal letters of patterns are not leet/spacing-normalised there
            rules.append(reference.RefRule(f"p{i}.{view}", view, pattern=pattern))
    return rules


RULES = _rules()


def _toml(rules: list[reference.RefRule]) -> str:
    parts = ['[ruleset]\nid = "diff"\nversion = "1"\n[[clause]]\nid = "c"\ntitle = "c"\n']
    for r in rules:
        body = (
            f"terms = [{json.dumps(r.term, ensure_ascii=False)}]"
            if r.term is not None
            else f"patterns = [{json.dumps(r.pattern, ensure_ascii=False)}]"
        )
        match = "word" if r.word else "substring"
        parts.append(
            f'[[rule]]\nid = "{r.id}"\nclause = "c"\nviews = ["{r.view}"]\n'
            f'match = "{match}"\n{body}\n'
        )
    return "\n".join(parts)


@pytest.fixture(scope="module", params=["hyperscan", "aho-corasick"])
def scanner(request: pytest.FixtureRequest) -> Scanner:
    ruleset = Ruleset.from_toml(_toml(RULES), "diff.toml")
    return Scanner(ruleset, threads=2, literal_backend=request.param)


def _disguise(term: str, how: int, family: str = "squared") -> str:
    """A term as users write it to get past filters."""
    if how == 0:
        return term.upper()
    if how == 1:
        return unicodedata.normalize("NFD", term)
    if how == 2:
        return "\u200b".join(term)
    if how == 3:
        return ".".join(term)
    if how == 4:
        return "".join(c + c for c in term)
    if how == 5:
        return reference.fold(term)
    if how == 6:
        return term.replace("o", "0").replace("i", "1").replace("c", "с")
    if how == 7:
        return _look_alike(term, family)
    return term


def _look_alike(term: str, family: str) -> str:
    """Every ASCII letter of `term` that the family has, written as its look-alike."""
    forms = LOOK_ALIKES[family]
    return "".join(forms.get(c, c) for c in reference.fold(term))


token = st.one_of(
    st.text(alphabet=ALPHABET, min_size=1, max_size=8),
    st.builds(
        _disguise, st.sampled_from(TERMS), st.integers(0, 8), st.sampled_from(sorted(LOOK_ALIKES))
    ),
)
post = st.lists(token, max_size=10).map(" ".join)
posts = st.lists(st.one_of(post, st.just(""), st.none()), min_size=1, max_size=40)

SETTINGS = settings(
    max_examples=int(os.environ.get("CONDUCT_SCAN_EXAMPLES", "300")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@SETTINGS
@given(st.lists(post, min_size=1, max_size=20))
def test_views_equal_the_reference(texts: list[str]) -> None:
    for text in texts:
        for view in VIEWS:
            assert conduct_scan.normalise(view, text) == reference.VIEWS[view](text), (view, text)


@SETTINGS
@given(posts)
def test_findings_equal_the_reference(scanner: Scanner, texts: list[str | None]) -> None:
    table = scanner.scan(pa.array(texts, type=pa.string())).to_pylist()
    got: dict[tuple[int, str], int] = {}
    for f in table:
        got[(f["row"], f["rule_id"])] = got.get((f["row"], f["rule_id"]), 0) + 1
        text = texts[f["row"]]
        assert text is not None
        assert text[f["start"] : f["end"]] == f["matched"]
        assert f["start"] < f["end"]
    expected: dict[tuple[int, str], int] = {}
    for row, text in enumerate(texts):
        if not text:
            continue
        for rule in RULES:
            n = len(reference.matches(rule, text))
            if n:
                expected[(row, rule.id)] = n
    assert got == expected


@SETTINGS
@given(posts)
def test_evidence_normalises_to_the_term(scanner: Scanner, texts: list[str | None]) -> None:
    """Slicing the original text at a finding's offsets gives text that, in the finding's view,
    contains the term: the offset maps point at the evidence."""
    by_id = {r.id: r for r in RULES}
    for f in scanner.scan(texts).to_pylist():
        rule = by_id[f["rule_id"]]
        if rule.term is None or rule.view == "skeleton":
            continue  # skeleton depends on neighbouring characters; counted above
        view = reference.VIEWS[rule.view]
        assert view(rule.term) in view(f["matched"]), (f, rule)


def test_list_and_arrow_inputs_agree(scanner: Scanner) -> None:
    texts = ["Đồ NGU!", None, "", "đ\u200bị\u200bt", "LỒN", "sh1t", "f.u.c.k"] * 50
    from_list = scanner.scan(texts)
    for array in (
        pa.array(texts, type=pa.string()),
        pa.array(texts, type=pa.large_string()),
        pa.array(texts, type=pa.string_view()),
        pa.chunked_array([texts[:100], texts[100:]], type=pa.string()),
    ):
        assert scanner.scan(array).equals(from_list)
