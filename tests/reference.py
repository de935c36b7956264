"""A plain-Python reference of the scanner's matching semantics, for differential tests.

Written from the README's definitions with ``unicodedata``, ``str.find`` and ``re`` only, on
whole strings (the Rust core works segment by segment with offset maps). It is slow and simple
on purpose: where it and the core disagree, one of them does not do what the README says.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

_IGNORABLE = [
    (0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160), (0x17B4, 0x17B5),
    (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x206F), (0x3164, 0x3164),
    (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF),
]  # fmt: skip


def is_ignorable(c: str) -> bool:
    return any(lo <= ord(c) <= hi for lo, hi in _IGNORABLE)


def is_word_char(c: str) -> bool:
    return unicodedata.category(c)[0] in "LMN"


def is_letter(c: str) -> bool:
    return unicodedata.category(c)[0] == "L"


def _visible(s: str) -> str:
    return "".join(c for c in s if not is_ignorable(c))


def exact(s: str) -> str:
    return unicodedata.normalize("NFC", s)


def _nfkc_casefold_char(c: str) -> str:
    """NFKC_Casefold of one character (DerivedNormalizationProps.txt): NFKC, case folding and
    default ignorables removed, until nothing changes."""
    t = c
    while True:
        n = _visible(
            unicodedata.normalize("NFKC", _visible(unicodedata.normalize("NFKC", t)).casefold())
        )
        if n == t:
            return t
        t = n


def casefold(s: str) -> str:
    """toNFKC_Casefold (UAX #44): every character mapped, then NFC."""
    return unicodedata.normalize("NFC", "".join(_nfkc_casefold_char(c) for c in s))


def fold(s: str) -> str:
    t = unicodedata.normalize("NFD", casefold(s))
    t = "".join("d" if c == "đ" else c for c in t if unicodedata.category(c)[0] != "M")
    return unicodedata.normalize("NFC", t)


def _homoglyphs() -> dict[str, str]:
    """The skeleton's character map, from the engine's generated data file (UTS #39
    confusables and Unicode names; see homoglyphs.rs)."""
    path = Path(__file__).parent.parent / "rust/core/src/normalise/homoglyphs.tsv"
    table = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        source, target = line.split("\t")[:2]
        table[chr(int(source, 16))] = "".join(chr(int(h, 16)) for h in target.split(" "))
    return table


HOMOGLYPHS = _homoglyphs()
LEET = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i"}
SEPARATORS = set(" \t.-_*/\\|+~^·•")


def _is_unit(c: str) -> bool:
    return is_letter(c) or c in LEET


def _spaced_out_separators(units: list[str]) -> list[bool]:
    """Which characters are separators inside a spaced-out word (README, skeleton view)."""
    n = len(units)
    drop = [False] * n

    def single(i: int) -> bool:
        return (
            _is_unit(units[i])
            and not (i > 0 and _is_unit(units[i - 1]))
            and not (i + 1 < n and _is_unit(units[i + 1]))
        )

    i = 0
    while i < n:
        if not single(i):
            i += 1
            continue
        first = last = i
        letters = int(is_letter(units[i]))
        separator: str | None = None
        while True:
            k = last + 1
            while k < n and k - last - 1 < 3 and units[k] in SEPARATORS:
                k += 1
            between = "".join(units[last + 1 : k])
            if not between or k >= n or not single(k):
                break
            if separator is not None and between != separator:
                break
            separator = between
            letters += int(is_letter(units[k]))
            last = k
        needed = 3 if separator is not None and separator[0].isspace() else 2
        if last > first and letters >= needed:
            for j in range(first, last + 1):
                drop[j] = not _is_unit(units[j])
            i = last + 1
        else:
            i = first + 1
    return drop


def skeleton(s: str) -> str:
    units = [u for c in fold(s) for u in HOMOGLYPHS.get(c, c)]
    drop = _spaced_out_separators(units)
    kept = [u for u, d in zip(units, drop, strict=True) if not d]
    out: list[str] = []
    for p, c in enumerate(kept):
        if c in LEET:
            prev = kept[p - 1] if p > 0 else None
            nxt = kept[p + 1] if p + 1 < len(kept) else None
            letter_beside = (prev is not None and is_letter(prev)) or (
                nxt is not None and is_letter(nxt)
            )
            inside = prev is not None and _is_unit(prev) and nxt is not None and _is_unit(nxt)
            if letter_beside and (c.isdigit() or inside):
                c = LEET[c]
        if is_letter(c) and out and out[-1] == c:
            continue
        out.append(c)
    return "".join(out)


VIEWS = {"exact": exact, "casefold": casefold, "fold": fold, "skeleton": skeleton}


def word_bounded(text: str, start: int, end: int) -> bool:
    if start >= end:
        return False
    if is_word_char(text[start]) and start > 0 and is_word_char(text[start - 1]):
        return False
    return not (is_word_char(text[end - 1]) and end < len(text) and is_word_char(text[end]))


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans, key=lambda s: (s[0], -s[1])):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


@dataclass(frozen=True)
class RefRule:
    """A rule with one view: a literal term or a fixed-length regex."""

    id: str
    view: str
    term: str | None = None
    pattern: str | None = None
    word: bool = True


def matches(rule: RefRule, text: str) -> list[tuple[int, int]]:
    """Spans (in the view text) of every match of the rule, overlaps merged."""
    view = VIEWS[rule.view](text)
    spans = []
    if rule.term is not None:
        needle = VIEWS[rule.view](rule.term)
        at = view.find(needle)
        while at != -1 and needle:
            spans.append((at, at + len(needle)))
            at = view.find(needle, at + 1)
    if rule.pattern is not None:
        # Literal characters are normalised through the view (these patterns have no escapes).
        normalise = VIEWS[rule.view]
        pattern = "".join(c if c in "[]" else normalise(c) for c in rule.pattern)
        flags = 0 if rule.view == "exact" else re.IGNORECASE
        rx = re.compile(pattern, flags)
        for at in range(len(view)):
            m = rx.match(view, at)
            if m and m.end() > at:
                spans.append((at, m.end()))
    if rule.word:
        spans = [s for s in spans if word_bounded(view, *s)]
    return _merge(spans)
