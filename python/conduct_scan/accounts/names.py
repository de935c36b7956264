"""Is a display name a plausible personal name? (clause 4.2, the ``real_name`` check).

A Vietnamese name is a family name (``data/vi_family_names.txt``, compound ones included) and
1–4 more syllables, each a well-formed Vietnamese syllable (``data/vi_syllables.json``: onset,
rhyme, the spelling rules of k/c, g/gh, ng/ngh, and the stop-coda tone rule). Names typed
without diacritics or in upper case are checked on their folded form. A name of 2–4
capitalised words of one script that is not Vietnamese is a foreign personal name: reported as
such, not flagged unless a rule asks. Anything else (emoji, digits, symbols, shop or nickname
words, a single word, mixed scripts, hidden characters) is a signal with a confidence that says
how sure it is: a nickname is a signal, not a violation.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Final

_DATA_DIR: Final = Path(__file__).resolve().parent.parent / "data"


def _read_list(name: str) -> tuple[str, ...]:
    lines = (_DATA_DIR / name).read_text(encoding="utf-8").splitlines()
    return tuple(
        unicodedata.normalize("NFC", ln.strip()) for ln in lines if ln.strip() and ln[0] != "#"
    )


_SYL: Final[dict[str, Any]] = json.loads(
    (_DATA_DIR / "vi_syllables.json").read_text(encoding="utf-8")
)
_WORDS: Final[dict[str, Any]] = json.loads(
    (_DATA_DIR / "account_words.json").read_text(encoding="utf-8")
)
_TONES: Final[dict[str, str]] = _SYL["tone_marks"]
_ONSETS: Final[tuple[str, ...]] = tuple(sorted(_SYL["onsets"], key=len, reverse=True))
_CODAS: Final[tuple[str, ...]] = tuple(sorted(_SYL["codas"], key=len, reverse=True))


@lru_cache(maxsize=1 << 16)
def fold(text: str) -> str:
    """Lower case, diacritics dropped, đ → d (how names are typed without diacritics)."""
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d").replace("Đ", "d"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _fold_all(words: list[str]) -> frozenset[str]:
    return frozenset(fold(w) for w in words)


_OPEN: Final = frozenset(_SYL["open_rhymes"])
_CLOSED: Final = frozenset(_SYL["closed_nuclei"])
_OPEN_FOLDED: Final = _fold_all(_SYL["open_rhymes"])
_CLOSED_FOLDED: Final = _fold_all(_SYL["closed_nuclei"])
_CODA_NUCLEI: Final[dict[str, frozenset[str]]] = {
    c: frozenset(v) for c, v in _SYL["coda_nuclei"].items()
}
_FRONT: Final = tuple(_SYL["front_vowels"])
_FAMILY: Final = _read_list("vi_family_names.txt")
_FAMILY_FOLDED: Final = frozenset(fold(f) for f in _FAMILY)
_FAMILY_LOWER: Final = frozenset(f.lower() for f in _FAMILY)
_MAX_FAMILY_WORDS: Final = max(len(f.split()) for f in _FAMILY)
_NON_NAME_ASCII: Final = frozenset(w for w in _WORDS["non_name_words"] if w.isascii())
_NON_NAME_MARKED: Final = frozenset(
    unicodedata.normalize("NFC", w) for w in _WORDS["non_name_words"] if not w.isascii()
)


@lru_cache(maxsize=1 << 16)
def syllable_problem(word: str) -> str | None:
    """Why ``word`` is not a well-formed Vietnamese syllable, or None when it is.

    With diacritics the full rules apply; a word without any is checked on its shape only
    (onset, vowel cluster, coda), as the language guess of the core does.
    """
    w = unicodedata.normalize("NFD", word.lower())
    tones = [_TONES[c] for c in w if c in _TONES]
    if len(tones) > 1:
        return "two tone marks"
    base = unicodedata.normalize("NFC", "".join(c for c in w if c not in _TONES))
    if not base.isalpha():
        return "not a word of letters"
    bare = base == fold(base)
    open_rhymes, closed = (_OPEN_FOLDED, _CLOSED_FOLDED) if bare else (_OPEN, _CLOSED)
    for onset in (*_ONSETS, ""):
        if not base.startswith(onset):
            continue
        rhyme = base[len(onset) :]
        if onset == "gi" and rhyme and rhyme[0] not in "aăâeêoôơuưy":
            rhyme = "i" + rhyme  # gìn, gịt: the i is the vowel
        if onset == "qu" and not rhyme:
            continue
        if not rhyme:
            continue
        if not _onset_fits(onset, rhyme):
            continue
        if rhyme in open_rhymes:
            return None
        for coda in _CODAS:
            nucleus = rhyme[: -len(coda)] if rhyme.endswith(coda) else None
            if not nucleus or nucleus not in closed:
                continue
            allowed = _CODA_NUCLEI.get(coda)
            if allowed is not None and not bare and nucleus not in allowed:
                continue
            if coda in _SYL["stop_codas"] and tones and tones[0] not in _SYL["stop_tones"]:
                return f"a {tones[0]} tone cannot end in -{coda}"
            return None
    return "not a Vietnamese syllable"


def _onset_fits(onset: str, rhyme: str) -> bool:
    front = rhyme.startswith(_FRONT)
    if onset in ("k", "gh", "ngh"):
        return front
    if onset in ("c", "g", "ng"):
        return not front
    return True


@dataclass(frozen=True)
class NameVerdict:
    """What the name check made of a display name."""

    kind: str
    """``vietnamese``, ``foreign``, ``nickname``, ``shop``, ``symbols``, ``single_word``,
    ``hidden_characters``, ``mixed_scripts``, ``no_family_name``, ``malformed`` or ``empty``."""
    certainty: float
    """How sure the check is that this is *not* a real personal name (0 for a plausible one)."""
    evidence: str

    @property
    def flagged(self) -> bool:
        return self.certainty > 0


_HIDDEN: Final = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e\u2061\u2062\u2063\u2064")


@lru_cache(maxsize=4096)
def _script(c: str) -> str:
    name = unicodedata.name(c, "")
    return name.split(" ", 1)[0] if name else "?"


@lru_cache(maxsize=1 << 16)
def check_name(name: str) -> NameVerdict:
    """Classify a display name (cached: names repeat)."""
    text = unicodedata.normalize("NFC", name).strip()
    if not text:
        return NameVerdict("empty", 0.3, "empty display name")
    if any(c in _HIDDEN for c in text):
        return NameVerdict("hidden_characters", 0.8, "invisible characters inside the name")
    text = " ".join(text.split())
    odd = sorted(
        {c for c in text if not (c.isalpha() or unicodedata.category(c)[0] == "M" or c in " -'.")}
    )
    if odd:
        kinds = "digits" if all(c.isdigit() for c in odd) else "emoji or symbols"
        return NameVerdict("symbols", 0.6, f"{kinds} in the name: {''.join(odd[:8])}")
    words = [w.strip(".") for w in text.replace("-", " ").split()]
    words = [w for w in words if w]
    scripts = {"LATIN"} if text.isascii() else {_script(c) for c in text if c.isalpha()}
    if len(scripts) > 1:
        for w in words:
            if len({_script(c) for c in w if c.isalpha()}) > 1:
                return NameVerdict("mixed_scripts", 0.8, f"letters of several scripts in {w!r}")
    hits = [
        i
        for i, w in enumerate(words)
        if (_NON_NAME_ASCII if w.isascii() else _NON_NAME_MARKED).__contains__(w.lower())
    ]
    if hits and not _given_name_after_family(words, hits):
        shown = " ".join(words[i] for i in hits)
        return NameVerdict("shop", 0.7, f"not a personal name: {shown!r}")
    if len(words) == 1:
        if scripts & _UNSPACED and 2 <= len(words[0]) <= 4:
            return NameVerdict(
                "foreign", 0.0, f"a personal name in {'/'.join(sorted(scripts))} script"
            )
        return NameVerdict("single_word", 0.4, f"a single word: {words[0]!r}")
    family = _family_words(words)
    if scripts <= {"LATIN"}:
        given = words[family:]
        problems = [(w, p) for w in given if not _initial(w) and (p := syllable_problem(w))]
        if family and not problems and _given_count_fits(words, family):
            return NameVerdict("vietnamese", 0.0, f"family name {' '.join(words[:family])}")
        if family and problems and _looks_vietnamese(words):
            w, p = problems[0]
            return NameVerdict("malformed", 0.7, f"{w!r}: {p}")
        marked = _marked(words)
        if not family and not problems and marked:
            return NameVerdict("no_family_name", 0.5, f"no Vietnamese family name: {words[0]!r}")
    spaced = text.split()
    if 2 <= len(spaced) <= 4 and all(_capitalised(w) for w in spaced):
        return NameVerdict("foreign", 0.0, f"a personal name in {'/'.join(sorted(scripts))} script")
    if family:
        return NameVerdict("malformed", 0.5, f"{len(words) - family} words after the family name")
    return NameVerdict("nickname", 0.5, "not written as a personal name")


def _family_words(words: list[str]) -> int:
    """How many leading words are a family name (0 when none), the longest match first."""
    # A name written with diacritics must have its family name as written (Cỏ is not Cổ, and
    # "Su Su Buồn" has no family name); only a name typed entirely without them is folded.
    bare = not _marked(words)
    for k in range(min(_MAX_FAMILY_WORDS, len(words) - 1), 0, -1):
        head = unicodedata.normalize("NFC", " ".join(words[:k]).lower())
        if head in _FAMILY_LOWER or (bare and head in _FAMILY_FOLDED):
            return k
    return 0


def _given_count_fits(words: list[str], family: int) -> bool:
    """1–4 syllables after the family name; 5 when the mother's family name follows the
    father's (Bùi Lê Ngọc Mai Tuyết Trinh); at least one of them a whole syllable.
    """
    given = words[family:]
    if not any(not _initial(w) for w in given):
        return False
    if len(given) <= 4:
        return True
    # Six words are a name only when written as one, every word alike in case: "Cong an thanh
    # pho Ha Noi" is a phrase.
    cases = {"upper" if w.isupper() else "lower" if w.islower() else "title" for w in words}
    return len(given) == 5 and len(cases) == 1 and _family_words(given) == 1


def _initial(word: str) -> bool:
    """A given or middle name written as its initial (Nguyễn T. Hoa; the dot is stripped)."""
    return len(word) == 1 and word.isupper()


def _given_name_after_family(words: list[str], hits: list[int]) -> bool:
    """Whether the only nickname-like word is the given name of a full personal name.

    Xinh, Trai, Bé are given names too: "Bùi Thị Xinh" is a name, "Bé Xinh" and "Trần Bé Xinh"
    are not (two such words). The word must come last, after a family name and at least one
    middle name, and be a well-formed Vietnamese syllable (so "Lê Thị Cute" stays a nickname).
    """
    if len(hits) != 1 or hits[0] != len(words) - 1:
        return False
    family = _family_words(words)
    return bool(family) and len(words) - family >= 2 and syllable_problem(words[-1]) is None


def _marked(words: list[str]) -> bool:
    """Whether any word carries Vietnamese letters or tone marks."""
    return any(unicodedata.normalize("NFC", w.lower()) != fold(w) for w in words)


def _looks_vietnamese(words: list[str]) -> bool:
    """Vietnamese letters or tone marks, or every word of Vietnamese syllable shape."""
    return _marked(words) or all(syllable_problem(w) is None for w in words)


# Scripts whose names are written without spaces between family and given name.
_UNSPACED: Final = frozenset({"CJK", "HANGUL", "HIRAGANA", "KATAKANA", "THAI"})


def _capitalised(word: str) -> bool:
    """``Sarah``, ``SARAH``, ``O'Brien``, ``Jean-Pierre``, ``Min-jun``; not ``sarah``, ``sARAH``."""
    if word.isupper() or not any(c.isupper() or c.islower() for c in word):
        return True  # upper case, or a script without case (CJK, Thai)
    parts = [p for p in word.replace("'", "-").split("-") if p]
    if not parts or not parts[0][0].isupper():
        return False
    return all(p[1:].islower() or len(p) == 1 for p in parts[:1]) and all(
        p[1:] == p[1:].lower() for p in parts
    )
