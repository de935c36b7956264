"""Seeded sample archives of social-network posts, for ``conduct-scan demo`` and benchmarks.

:func:`generate_archive` writes a Parquet archive that looks like what a provider's nightly
export holds: posts from a few thousand user, official and agency accounts, Vietnamese and
English, hive-partitioned by (UTC) day. About nine posts in ten are everyday chatter (food,
traffic, weather, football, studies, shopping, family, work), written so that a naive word filter
trips on them ("lon bia", "má ơi", "đi ngủ", "Scunthorpe", "assessment"). The rest violate one
clause of the Code of Conduct (4.5, 4.6a-e, ids as in DOMAIN.md), mildly or severely, often from
a handful of repeat offenders, and part of them hide their words with the evasions users really
use: dropped diacritics, teencode, separators, repeated letters, zero-width characters,
leetspeak, Cyrillic homoglyphs and decomposed (NFD) input.

Every text is built from the templates and vocabulary in ``data/demo_posts.json`` (package data);
no external data is read.
The same seed gives byte-identical files: every random stream is derived from
``(seed, purpose, day, block)`` so the rows do not depend on ``rows_per_file`` either. Generation
is vectorised by template (numpy picks the templates and slot fillers, ``str.format`` fills them,
pyarrow builds the columns), which keeps it well above 100k posts per second.

With ``with_labels=True`` three ground-truth columns are added: ``expected_clause`` (the clause
the generator meant to violate, null for clean posts), ``evasion`` (the technique used to hide
it, null when none) and ``lang`` (``vi`` or ``en``).
"""

from __future__ import annotations

import datetime
import json
import math
import random
import re
import shutil
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from conduct_scan.demo_campaigns import plant_campaigns
from conduct_scan.errors import InputError

__all__ = [
    "CLAUSES",
    "EVASIONS",
    "ArchiveSummary",
    "archive_schema",
    "generate_archive",
]

CLAUSES: Final = ("4.5", "4.6a", "4.6b", "4.6c", "4.6d", "4.6e")
"""Clause ids the generator violates (see DOMAIN.md), in ``expected_clause``."""

EVASIONS: Final = (
    "diacritics",
    "teencode",
    "separators",
    "repeat",
    "zero_width",
    "leet",
    "homoglyph",
    "nfd",
)
"""Evasion techniques, as written in the ``evasion`` label column."""

ACCOUNT_TYPES: Final = ("user", "official", "agency")
LANGS: Final = ("vi", "en")

ObjArray = npt.NDArray[np.object_]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class ArchiveSummary:
    """What :func:`generate_archive` wrote.

    Attributes
    ----------
    path : Path
        The archive's root directory (holding the ``date=YYYY-MM-DD`` partitions).
    files : int
        Number of Parquet files written.
    posts : int
        Number of posts (rows) over all files.
    accounts : int
        Number of distinct accounts with at least one post (at most the ``accounts`` asked for:
        activity is heavy-tailed, so in small archives some accounts stay silent).
    days : int
        Number of day partitions.
    bytes_of_text : int
        UTF-8 bytes in the ``text`` column.
    violating_posts : int
        Posts written to violate a clause (``expected_clause`` not null when labelled).
    """

    path: Path
    files: int
    posts: int
    accounts: int
    days: int
    bytes_of_text: int
    violating_posts: int


def archive_schema(*, with_labels: bool = False) -> pa.Schema:
    """Return the Arrow schema of the files :func:`generate_archive` writes.

    Parameters
    ----------
    with_labels : bool
        Include the ground-truth columns ``expected_clause``, ``evasion`` and ``lang``.

    Returns
    -------
    pyarrow.Schema
        ``post_id``, ``account_id``, ``account_type``, ``created_at`` (timestamp[us, UTC]),
        ``title`` (nullable), ``text``, then the label columns when asked for.
    """
    fields = [
        pa.field("post_id", pa.string(), nullable=False),
        pa.field("account_id", pa.string(), nullable=False),
        pa.field("account_type", pa.string(), nullable=False),
        pa.field("created_at", pa.timestamp("us", tz="UTC"), nullable=False),
        pa.field("title", pa.string()),
        pa.field("text", pa.string(), nullable=False),
    ]
    if with_labels:
        fields += [
            pa.field("expected_clause", pa.string()),
            pa.field("evasion", pa.string()),
            pa.field("lang", pa.string(), nullable=False),
        ]
    return pa.schema(fields)


# --------------------------------------------------------------------------------------------
# Templates and vocabulary live in data/demo_posts.json (its "about" says the slot syntax:
# {name} a word of the vocabulary, {!name} the word a filter looks for, which evasions may
# disguise, {#lo-hi} an integer, {~n} n random letters and digits, {handle} an account).
# --------------------------------------------------------------------------------------------

_DATA: Final[dict[str, Any]] = json.loads(
    (Path(__file__).parent / "data" / "demo_posts.json").read_text(encoding="utf-8")
)


_Topic = tuple[float, tuple[str, ...], tuple[str, ...]]


def _nfc(words: Sequence[str]) -> tuple[str, ...]:
    return tuple(unicodedata.normalize("NFC", w) for w in words)


def _topics(name: str) -> dict[str, _Topic]:
    return {
        k: (float(t["weight"]), _nfc(t["bodies"]), _nfc(t["titles"]))
        for k, t in _DATA["clean_topics"][name].items()
    }


_V: Final[dict[str, tuple[str, ...]]] = {k: _nfc(v) for k, v in _DATA["vocabulary"].items()}
_TEENCODE: Final[Mapping[str, tuple[str, ...]]] = {k: _nfc(v) for k, v in _DATA["teencode"].items()}
# Clean templates: topic -> (weight, bodies, titles).
_VI_USER: Final = _topics("vi_user")
_EN_USER: Final = _topics("en_user")
_VI_AGENCY: Final = _topics("vi_agency")
_EN_AGENCY: Final = _topics("en_agency")
# Violating templates: clause -> language -> templates. Mild and severe forms are mixed; each
# template names its hidden word in a {!...} slot when it has one.
_VIOLATING: Final[Mapping[str, Mapping[str, tuple[str, ...]]]] = {
    c: {lang: _nfc(t) for lang, t in by_lang.items()} for c, by_lang in _DATA["violating"].items()
}
_VIOLATING_TITLES: Final[Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]]] = {
    c: (_nfc(t["vi"]), _nfc(t["en"])) for c, t in _DATA["violating_titles"].items()
}


# ---------------------------------------------------------------------------------------------
# Accounts.
# ---------------------------------------------------------------------------------------------

_W: Final[Mapping[str, tuple[str, ...]]] = {k: _nfc(v) for k, v in _DATA["account_words"].items()}
_FAMILY_VI: Final = _W["family_vi"]
_MIDDLE_VI: Final = _W["middle_vi"]
_GIVEN_VI: Final = _W["given_vi"]
_NICK_VI: Final = _W["nick_vi"]
_CUTE_VI: Final = _W["cute_vi"]
_CITY_TAG: Final = _W["city_tag"]
_FIRST_EN: Final = _W["first_en"]
_LAST_EN: Final = _W["last_en"]
_WORD_EN: Final = _W["word_en"]
_WARD_SLUG: Final = _W["ward_slug"]
_CITY_SLUG: Final = _W["city_slug"]
_CITY_VI_SLUG: Final = _W["city_vi_slug"]
_AGENCY_PATTERNS: Final = _W["agency_patterns"]
_OFFICIAL_SUFFIX: Final = _W["official_suffix"]
_SPAM_HANDLES: Final[Mapping[str, tuple[str, ...]]] = {
    k: _nfc(v) for k, v in _DATA["spam_handles"].items()
}

# ---------------------------------------------------------------------------------------------
# Rates and shapes. Why these numbers: about 9% violating posts overall, a third of them from
# ~1% repeat offenders; Vietnamese about 70% of posts; ~2% state accounts.
# ---------------------------------------------------------------------------------------------

_TARGET_VIOLATING: Final = 0.09
_SHARE_AGENCY: Final = 0.012
_SHARE_OFFICIAL: Final = 0.008
_SHARE_REPEAT: Final = 0.01
_SHARE_OCCASIONAL: Final = 0.12
_SHARE_VI_USERS: Final = 0.70
_FAVOURITE_CLAUSE_P: Final = 0.75
# Global clause mix of violations by users, officials and agencies (order of CLAUSES).
_CLAUSE_P: Final[Mapping[int, tuple[float, ...]]] = {
    0: (0.12, 0.11, 0.22, 0.35, 0.08, 0.12),
    1: (0.12, 0.00, 0.38, 0.35, 0.15, 0.00),
    2: (0.00, 0.00, 0.45, 0.15, 0.40, 0.00),
}
# Vocabulary of the emoji added to a violation, by clause (order of CLAUSES).
_CLAUSE_EMOJI: Final = (
    "emoji_angry", "emoji_sale", "emoji_angry", "emoji_angry", "emoji_alarm", "emoji_sale",
)  # fmt: skip
_EVADE_P: Final = (0.30, 0.45, 0.35, 0.45, 0.15, 0.40)
_EVASION_W: Final[Mapping[str, tuple[float, ...]]] = {
    # diacritics, teencode, separators, repeat, zero_width, leet, homoglyph, nfd
    "vi": (0.16, 0.28, 0.12, 0.10, 0.10, 0.08, 0.08, 0.10),
    "en": (0.00, 0.12, 0.20, 0.15, 0.15, 0.20, 0.18, 0.00),
}
_TITLE_P: Final = (0.07, 0.15, 0.55)  # by account type: group posts, pages
# Ads and hoaxes come with a headline more often than insults do.
_VIOLATING_TITLE_P: Final = (0.06, 0.25, 0.06, 0.05, 0.20, 0.25)
_NFD_CLEAN_P: Final = 0.03
_NO_DIACRITICS_USERS: Final = 0.08
_LOWERCASE_USERS: Final = 0.30
_BLOCK: Final = 32_768

# Hour-of-day weights in Vietnam's local time (UTC+7): people post at lunch and in the evening;
# state pages post in office hours.
_HOURS_USER: Final = (
    2.6, 1.5, 0.9, 0.6, 0.5, 0.8, 2.0, 3.8, 4.6, 4.4, 4.6, 5.6,
    6.4, 5.4, 4.5, 4.4, 4.7, 5.3, 6.0, 7.2, 8.3, 8.8, 7.6, 4.9,
)  # fmt: skip
_HOURS_OFFICE: Final = (
    0.1, 0.05, 0.05, 0.05, 0.05, 0.1, 0.6, 2.5, 6.0, 7.0, 7.0, 6.0,
    3.0, 2.5, 5.5, 6.5, 6.0, 4.0, 1.5, 1.0, 1.0, 0.6, 0.3, 0.2,
)  # fmt: skip
_UTC_OFFSET_HOURS: Final = 7
_WEEKDAY_W: Final = (0.97, 0.96, 0.98, 1.0, 1.04, 1.08, 1.06)
_HOUR_US: Final = 3_600_000_000
_DAY_US: Final = 24 * _HOUR_US

# Mostly ZERO WIDTH SPACE; also ZWNJ, WORD JOINER and SOFT HYPHEN, all default-ignorable.
_ZERO_WIDTH: Final = ("\u200b", "\u200b", "\u200b", "\u200b", "\u200c", "\u2060", "\u00ad")
_SEPARATORS: Final = (".", ".", ".", " ", "-", "*", "_")
_LEET: Final[Mapping[str, tuple[str, ...]]] = {
    "a": ("4", "@"),
    "e": ("3",),
    "i": ("1", "!"),
    "o": ("0",),
    "s": ("$", "5"),
    "t": ("7",),
}
# Cyrillic letters that look like Latin ones (written as escapes: they are invisible here).
_HOMOGLYPH: Final[Mapping[str, str]] = {
    "a": "\u0430", "c": "\u0441", "e": "\u0435", "o": "\u043e", "p": "\u0440", "x": "\u0445",
    "y": "\u0443", "i": "\u0456", "s": "\u0455", "j": "\u0458", "h": "\u04bb",
}  # fmt: skip
_VOWELS: Final = frozenset(
    "aeiouyăâêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
)


def _build_fold_table() -> dict[int, str]:
    """Map every precomposed Latin letter to its base letter (đ → d): Vietnamese typed bare."""
    table: dict[int, str] = {ord("đ"): "d", ord("Đ"): "D"}
    for cp in (*range(0xC0, 0x250), *range(0x1E00, 0x1F00)):
        base = "".join(
            c for c in unicodedata.normalize("NFD", chr(cp)) if not unicodedata.combining(c)
        )
        if len(base) == 1 and base.isascii() and base != chr(cp):
            table[cp] = base
    return table


_FOLD: Final = _build_fold_table()


def _fold(text: str) -> str:
    """Drop Vietnamese diacritics the way people do when typing without an IME."""
    return text.translate(_FOLD)


# --------------------------------------------------------------------------------------------
# Templates.
# --------------------------------------------------------------------------------------------

_SLOT = re.compile(r"\{(!?)([a-z_]+|#\d+-\d+|~\d+)\}")


@dataclass(frozen=True)
class _Template:
    """A text with slots, ready for ``str.format``.

    ``slots`` are vocabulary names, ``#lo-hi`` (an integer), ``~n`` (n random letters and
    digits) or ``handle`` (an account); ``term`` is the position of the evadable slot, or -1.
    """

    fmt: str
    slots: tuple[str, ...]
    term: int


def _compile(text: str) -> _Template:
    """Turn ``"Ăn {food_vi} hết {price_vi}"`` into a format string and its slots."""
    slots: list[str] = []
    term = -1

    def repl(match: re.Match[str]) -> str:
        nonlocal term
        if match.group(1) and term < 0:
            term = len(slots)
        slots.append(match.group(2))
        return "{}"

    fmt = _SLOT.sub(repl, unicodedata.normalize("NFC", text))
    return _Template(fmt, tuple(slots), term)


def _vocab_array(words: Sequence[str]) -> ObjArray:
    return np.array([unicodedata.normalize("NFC", w) for w in words], dtype=object)


# Vocabularies that themselves hold slots (hoaxes name banks and cities) are expanded lazily:
# their entries are rendered as sub-templates.
_VOCAB: Final[dict[str, ObjArray]] = {name: _vocab_array(words) for name, words in _V.items()}
_NESTED: Final[dict[str, tuple[_Template, ...]]] = {
    name: tuple(_compile(w) for w in words)
    for name, words in _V.items()
    if any(_SLOT.search(w) for w in words)
}
_ALNUM_TEXT: Final = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
_ALNUM: Final = np.array(list(_ALNUM_TEXT))


@dataclass(frozen=True)
class _TemplateSet:
    """A flat list of templates with selection probabilities and the topic of each."""

    templates: tuple[_Template, ...]
    probs: npt.NDArray[np.float64]
    topic: npt.NDArray[np.int64]
    titles: tuple[tuple[_Template, ...], ...]


def _template_set(topics: Mapping[str, _Topic]) -> _TemplateSet:
    templates: list[_Template] = []
    weights: list[float] = []
    topic_of: list[int] = []
    titles: list[tuple[_Template, ...]] = []
    for k, (weight, bodies, heads) in enumerate(topics.values()):
        for body in bodies:
            templates.append(_compile(body))
            weights.append(weight / len(bodies))
            topic_of.append(k)
        titles.append(tuple(_compile(h) for h in heads))
    probs = np.asarray(weights, dtype=np.float64)
    return _TemplateSet(
        tuple(templates), probs / probs.sum(), np.asarray(topic_of, dtype=np.int64), tuple(titles)
    )


# Index: language (0 vi, 1 en) x audience (0 people, 1 state pages).
_CLEAN_SETS: Final = (
    (_template_set(_VI_USER), _template_set(_VI_AGENCY)),
    (_template_set(_EN_USER), _template_set(_EN_AGENCY)),
)
_VIOLATING_T: Final = tuple(
    tuple(tuple(_compile(t) for t in _VIOLATING[clause][lang]) for lang in LANGS)
    for clause in CLAUSES
)
_VIOLATING_TITLES_T: Final = tuple(
    tuple(tuple(_compile(t) for t in heads) for heads in _VIOLATING_TITLES[c]) for c in CLAUSES
)


def _fill_column(
    slot: str, n: int, rng: np.random.Generator, handles: ObjArray
) -> npt.NDArray[Any]:
    """Draw ``n`` fillers for one slot, vectorised."""
    if slot[0] == "#":
        lo, hi = (int(x) for x in slot[1:].split("-"))
        return rng.integers(lo, hi + 1, size=n).astype(str)
    if slot[0] == "~":
        letters = _ALNUM[rng.integers(0, len(_ALNUM), size=(n, int(slot[1:])))]
        return np.array(["".join(row) for row in letters], dtype=object)
    if slot == "handle":
        return handles[rng.integers(0, len(handles), size=n)]
    nested = _NESTED.get(slot)
    if nested is not None:
        choice = rng.integers(0, len(nested), size=n)
        out = np.empty(n, dtype=object)
        for k, template in enumerate(nested):
            where = np.flatnonzero(choice == k)
            if len(where):
                out[where] = _render_group(template, len(where), rng, handles)
        return out
    vocab = _VOCAB[slot]
    return vocab[rng.integers(0, len(vocab), size=n)]


def _render_group(
    template: _Template, n: int, rng: np.random.Generator, handles: ObjArray
) -> list[str]:
    """Render ``n`` copies of one template with independently drawn fillers."""
    if not template.slots:
        return [template.fmt] * n
    columns = [_fill_column(slot, n, rng, handles) for slot in template.slots]
    return list(map(template.fmt.format, *columns))


def _render(
    templates: Sequence[_Template],
    choice: IntArray,
    rng: np.random.Generator,
    handles: ObjArray,
) -> ObjArray:
    """Render ``templates[choice[i]]`` for every ``i``, grouping posts by template.

    Grouping makes the per-post work one ``str.format`` call: the fillers of a template's
    slots are drawn for all its posts at once.
    """
    out = np.empty(len(choice), dtype=object)
    if len(choice) == 0:
        return out
    order = np.argsort(choice, kind="stable")
    counts = np.bincount(choice, minlength=len(templates))
    start = 0
    for k, count in enumerate(counts.tolist()):
        if count:
            where = order[start : start + count]
            out[where] = _render_group(templates[k], count, rng, handles)
            start += count
    return out


# --------------------------------------------------------------------------------------------
# Evasions of one term. Each returns None when the technique does not apply to the term.
# --------------------------------------------------------------------------------------------


# The word of a term that carries the offence; evasions disguise that one ("địt mẹ" -> "đ1t mẹ").
_CORE_WORDS: Final = frozenset(
    " ".join(
        (
            "địt đụ đéo đếch kiếp lồn lồng đái cứt cặc buồi ngu chó dạy tàn điên rác súc khốn lợn",
            "hãm dày kỳ parky khựa tàu đê giết chém đánh xử độ cược xỉu hũ cá đề xiên cỏ sa cười",
            "súng dao pháo vay nóng đen họ sinh cân trộn fuck fucking shit bullshit motherfucker",
            "idiot moron dumbass retard loser clown asshole bitch beat burn",
        )
    ).split()
)


def _key_word(words: Sequence[str]) -> int:
    """Index of the word that carries the offence: a known core word, else the longest."""
    for i, w in enumerate(words):
        if w.lower() in _CORE_WORDS:
            return i
    return max(range(len(words)), key=lambda i: len(words[i]))


def _ev_teencode(term: str, r: random.Random) -> str | None:
    forms = _TEENCODE.get(term)
    return r.choice(forms) if forms else None


def _ev_separators(term: str, r: random.Random) -> str | None:
    words = term.split(" ")
    k = _key_word(words)
    if len(words[k]) < 2 or not words[k].isalpha():
        return None
    sep = r.choice(_SEPARATORS)
    if sep == " ":
        # Spaced-out letters are only read as a word (and only undone by the skeleton view)
        # from three letters up; shorter words get dots instead.
        if len(words[k]) >= 3:
            words[k] = " ".join(words[k])
            return " ".join(words)
        sep = "."
    if r.random() < 0.5:
        return " ".join(sep.join(w) if len(w) > 1 and w.isalpha() else w for w in words)
    words[k] = sep.join(words[k])
    return " ".join(words)


def _ev_zero_width(term: str, r: random.Random) -> str | None:
    words = term.split(" ")
    k = _key_word(words)
    w = words[k]
    if len(w) < 2:
        return None
    cuts = sorted(r.sample(range(1, len(w)), min(len(w) - 1, r.choice((1, 1, 2)))))
    z = r.choice(_ZERO_WIDTH)
    words[k] = z.join(w[a:b] for a, b in zip((0, *cuts), (*cuts, len(w)), strict=True))
    return " ".join(words)


def _ev_repeat(term: str, r: random.Random) -> str | None:
    words = term.split(" ")
    k = _key_word(words)
    w = words[k]
    vowels = [i for i, c in enumerate(w) if c.lower() in _VOWELS]
    i = vowels[-1] if vowels and r.random() < 0.6 else len(w) - 1
    if not w[i].isalpha():
        return None
    words[k] = w[: i + 1] + w[i] * r.randint(2, 5) + w[i + 1 :]
    return " ".join(words)


def _ev_leet(term: str, r: random.Random) -> str | None:
    # People who write leetspeak do not type tones: the word is folded first.
    words = _fold(term).split(" ")
    k = _key_word(term.split(" "))
    chars = list(words[k])
    # Inside the word only (after a letter): "sh1t", "a$$", never a leading digit.
    spots = [i for i in range(1, len(chars)) if chars[i] in _LEET and chars[i - 1].isalpha()]
    if not spots:
        return None
    for i in sorted(r.sample(spots, min(len(spots), r.choice((1, 1, 2))))):
        original = chars[i]
        if original not in _LEET:
            continue
        chars[i] = r.choice(_LEET[original])
        if i + 1 < len(chars) and chars[i + 1] == original:
            chars[i + 1] = chars[i]
    words[k] = "".join(chars)
    return " ".join(words)


def _ev_homoglyph(term: str, r: random.Random) -> str | None:
    words = term.split(" ")
    k = _key_word(words)
    chars = list(words[k])
    spots = [i for i, c in enumerate(chars) if c in _HOMOGLYPH]
    if not spots:
        # A Vietnamese word with marks on every vowel: typed bare, then spoofed ("lon", Cyrillic o).
        chars = list(_fold(words[k]))
        spots = [i for i, c in enumerate(chars) if c in _HOMOGLYPH]
    if not spots:
        return None
    for i in r.sample(spots, min(len(spots), r.choice((1, 1, 2)))):
        chars[i] = _HOMOGLYPH[chars[i]]
    words[k] = "".join(chars)
    return " ".join(words)


def _ev_fold(term: str, r: random.Random) -> str | None:
    folded = _fold(term)
    return folded if folded != term else None


_TERM_EVASIONS: Final = {
    "diacritics": _ev_fold,
    "teencode": _ev_teencode,
    "separators": _ev_separators,
    "repeat": _ev_repeat,
    "zero_width": _ev_zero_width,
    "leet": _ev_leet,
    "homoglyph": _ev_homoglyph,
}
_EVASION_INDEX: Final = {name: i for i, name in enumerate(EVASIONS)}


# --------------------------------------------------------------------------------------------
# Accounts.
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Accounts:
    """The account table of an archive, one entry per account."""

    ids: ObjArray
    kind: npt.NDArray[np.int8]  # index into ACCOUNT_TYPES
    vi_p: npt.NDArray[np.float64]  # probability that a post is Vietnamese
    activity: npt.NDArray[np.float64]  # probability that a post is theirs
    rate: npt.NDArray[np.float64]  # probability that one of their posts violates
    favourite: npt.NDArray[np.int8]  # clause index they mostly violate, -1 for none
    no_diacritics: BoolArray
    lowercase: BoolArray


def _unique(handle: str, seen: dict[str, int]) -> str:
    """Make a handle unique the way platforms do: append a number."""
    n = seen.get(handle, 0)
    seen[handle] = n + 1
    if n == 0:
        return handle
    candidate = f"{handle}{n + 1}"
    while candidate in seen:
        n += 1
        candidate = f"{handle}{n + 1}"
    seen[candidate] = 1
    return candidate


def _vi_handle(r: random.Random) -> str:
    fam, mid, giv = r.choice(_FAMILY_VI), r.choice(_MIDDLE_VI), r.choice(_GIVEN_VI)
    year = r.choice(("85", "88", "90", "93", "95", "97", "98", "99", "2k", "2k1", "2k3", "2k5"))
    style = r.randrange(8)
    if style == 0:
        return f"{giv}.{fam}"
    if style == 1:
        return f"{fam}{mid}{giv}{year}"
    if style == 2:
        return f"{giv}_{fam}.{year}"
    if style == 3:
        return f"{r.choice(_NICK_VI)}.{giv}"
    if style == 4:
        return f"{giv}.{r.choice(_CITY_TAG)}"
    if style == 5:
        return f"{r.choice(_NICK_VI)}{r.choice(_NICK_VI)}_{r.choice(_CUTE_VI)}"
    if style == 6:
        return f"{fam}.{mid}.{giv}.{r.randint(1, 9999):04d}"
    return f"{giv}{fam}{r.randint(1, 99)}"


def _en_handle(r: random.Random) -> str:
    first, last, word = r.choice(_FIRST_EN), r.choice(_LAST_EN), r.choice(_WORD_EN)
    style = r.randrange(7)
    if style == 0:
        return f"{first}.{last}"
    if style == 1:
        return f"{first}_{last}{r.randint(1, 99)}"
    if style == 2:
        return f"{first}{last[0]}"
    if style == 3:
        return f"{first}in{r.choice(('saigon', 'hanoi', 'danang', 'london', 'nyc'))}"
    if style == 4:
        return f"{first}.{word}"
    if style == 5:
        return f"the.{word}.{first}"
    return f"{r.choice(('sleepy', 'happy', 'little', 'urban', 'lazy'))}_{word}{r.randint(1, 999)}"


def _agency_handle(r: random.Random) -> str:
    pattern = r.choice(_AGENCY_PATTERNS)
    return pattern.format(w=r.choice(_WARD_SLUG), c=r.choice(_CITY_SLUG), v=r.choice(_CITY_VI_SLUG))


def _official_handle(r: random.Random) -> str:
    fam, mid, giv = r.choice(_FAMILY_VI), r.choice(_MIDDLE_VI), r.choice(_GIVEN_VI)
    return f"{fam}.{mid}.{giv}.{r.choice(_OFFICIAL_SUFFIX)}"


def _make_accounts(n: int, seed: int) -> _Accounts:
    """Build the account table; it depends on ``seed`` and ``n`` only."""
    rng = np.random.default_rng([seed, 1])
    r = random.Random(int(rng.integers(2**62)))
    n_agency = max(1, round(n * _SHARE_AGENCY)) if n >= 3 else 0
    n_official = max(1, round(n * _SHARE_OFFICIAL)) if n >= 3 else 0
    kind = np.zeros(n, dtype=np.int8)
    state = rng.permutation(n)[: n_agency + n_official]
    kind[state[:n_agency]] = 2
    kind[state[n_agency:]] = 1
    users = np.flatnonzero(kind == 0)

    vi_speaker = rng.random(n) < _SHARE_VI_USERS
    vi_speaker[kind != 0] = rng.random(int((kind != 0).sum())) < 0.95
    vi_p = np.where(vi_speaker, 0.96, 0.08)
    vi_p[kind != 0] = np.where(vi_speaker[kind != 0], 0.97, 0.2)

    activity = rng.lognormal(0.0, 1.0, size=n)
    activity[kind == 2] *= 3.0

    # Offenders: a few prolific repeat offenders, some occasional ones, a low base rate for
    # everyone; state accounts slip rarely.
    rate = np.full(n, 0.012)
    favourite = np.full(n, -1, dtype=np.int8)
    n_repeat = max(1, round(n * _SHARE_REPEAT)) if len(users) else 0
    shuffled = rng.permutation(users)
    repeat = shuffled[:n_repeat]
    occasional = shuffled[n_repeat : n_repeat + round(n * _SHARE_OCCASIONAL)]
    rate[repeat] = rng.uniform(0.45, 0.9, size=len(repeat))
    activity[repeat] *= 4.0
    favourite[repeat] = rng.choice(
        np.arange(len(CLAUSES), dtype=np.int8),
        size=len(repeat),
        p=(0.14, 0.20, 0.18, 0.22, 0.11, 0.15),
    )
    rate[occasional] = rng.uniform(0.03, 0.15, size=len(occasional))
    favourite[occasional] = rng.choice(
        np.array([0, 2, 3], dtype=np.int8), size=len(occasional), p=(0.2, 0.35, 0.45)
    )
    rate[kind == 1] = 0.012
    rate[kind == 2] = 0.003
    activity /= activity.sum()
    # Scale the users' rates so that the archive hits the target share; state accounts keep
    # their (rare) rates. Repeat offenders saturate at the clip, hence a few rounds.
    is_user = kind == 0
    if is_user.any():
        state_share = float(activity[~is_user] @ rate[~is_user])
        for _ in range(6):
            user_share = float(activity[is_user] @ rate[is_user])
            scale = max(_TARGET_VIOLATING - state_share, 0.0) / user_share
            rate[is_user] = np.clip(rate[is_user] * scale, 0.0, 0.97)

    ids = np.empty(n, dtype=object)
    seen: dict[str, int] = {}
    spam = {int(a): int(favourite[a]) for a in repeat}
    for a in range(n):
        fav = spam.get(a, -1)
        if kind[a] == 2:
            handle = _agency_handle(r)
        elif kind[a] == 1:
            handle = _official_handle(r)
        elif fav >= 0 and CLAUSES[fav] in _SPAM_HANDLES and r.random() < 0.8:
            # Spam and hoax pages name themselves after what they sell.
            handle = f"{r.choice(_SPAM_HANDLES[CLAUSES[fav]])}{r.randint(1, 99)}"
        elif vi_speaker[a] and r.random() < 0.85:
            handle = _vi_handle(r)
        else:
            handle = _en_handle(r)
        ids[a] = _unique(handle, seen)

    # Kept off repeat offenders, whose hundreds of posts would all be labelled "diacritics".
    no_diacritics = (kind == 0) & vi_speaker & (rng.random(n) < _NO_DIACRITICS_USERS)
    no_diacritics[repeat] = False
    lowercase = (kind == 0) & (rng.random(n) < _LOWERCASE_USERS)
    return _Accounts(ids, kind, vi_p, activity, rate, favourite, no_diacritics, lowercase)


# --------------------------------------------------------------------------------------------
# Posts.
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Day:
    """Per-post arrays of one day, in time order."""

    micros: IntArray  # created_at, microseconds since the epoch
    account: IntArray
    lang: npt.NDArray[np.int8]  # 0 vi, 1 en
    clause: npt.NDArray[np.int8]  # index into CLAUSES, -1 for clean


def _hour_probs(local: Sequence[float]) -> npt.NDArray[np.float64]:
    """Hour-of-day probabilities indexed by UTC hour, from weights in local time."""
    weights = np.asarray(local, dtype=np.float64)
    utc: npt.NDArray[np.float64] = np.roll(weights, -_UTC_OFFSET_HOURS)  # utc[h] = local[h+7]
    return utc / float(utc.sum())


_HOURS_P: Final = (_hour_probs(_HOURS_USER), _hour_probs(_HOURS_OFFICE))


def _plan_day(n: int, day_start_us: int, accounts: _Accounts, rng: np.random.Generator) -> _Day:
    account = rng.choice(len(accounts.ids), size=n, p=accounts.activity)
    office = accounts.kind[account] == 2
    hours = np.where(
        office,
        rng.choice(24, size=n, p=_HOURS_P[1]),
        rng.choice(24, size=n, p=_HOURS_P[0]),
    )
    micros = day_start_us + hours * _HOUR_US + rng.integers(0, _HOUR_US, size=n)
    order = np.argsort(micros, kind="stable")
    micros, account = micros[order], account[order]

    lang = (rng.random(n) >= accounts.vi_p[account]).astype(np.int8)
    violating = rng.random(n) < accounts.rate[account]
    kind = accounts.kind[account]
    clause = np.full(n, -1, dtype=np.int8)
    for k, probs in _CLAUSE_P.items():
        rows = np.flatnonzero(violating & (kind == k))
        clause[rows] = rng.choice(len(CLAUSES), size=len(rows), p=probs)
    favourite = accounts.favourite[account]
    keep = violating & (favourite >= 0) & (rng.random(n) < _FAVOURITE_CLAUSE_P)
    clause[keep] = favourite[keep]
    return _Day(micros, account, lang, clause)


@dataclass
class _Block:
    """Texts and labels of a run of posts."""

    title: ObjArray
    text: ObjArray
    evasion: npt.NDArray[np.int8]


def _clean_posts(
    rows: IntArray,
    lang: npt.NDArray[np.int8],
    account: IntArray,
    accounts: _Accounts,
    block: _Block,
    rng: np.random.Generator,
) -> None:
    """Write the clean posts of ``rows`` into ``block``."""
    kind = accounts.kind[account[rows]]
    state_voice = np.where(kind == 2, 0.85, np.where(kind == 1, 0.3, 0.0))
    audience = (rng.random(len(rows)) < state_voice).astype(np.int8)
    titled = rng.random(len(rows)) < np.asarray(_TITLE_P)[kind]
    for lg in (0, 1):
        for au in (0, 1):
            sel = np.flatnonzero((lang[rows] == lg) & (audience == au))
            if not len(sel):
                continue
            ts = _CLEAN_SETS[lg][au]
            choice = rng.choice(len(ts.templates), size=len(sel), p=ts.probs)
            body = _render(ts.templates, choice, rng, accounts.ids)
            if au == 0:
                lower = np.flatnonzero(accounts.lowercase[account[rows[sel]]])
                body[lower] = [s.lower() for s in body[lower]]
                body = _decorate(body, lg, rng, accounts.ids)
            block.text[rows[sel]] = body
            with_title = np.flatnonzero(titled[sel])
            topic = ts.topic[choice[with_title]]
            for t, heads in enumerate(ts.titles):
                pick = with_title[topic == t]
                if len(pick) and heads:
                    which = rng.integers(0, len(heads), size=len(pick))
                    block.title[rows[sel[pick]]] = _render(heads, which, rng, accounts.ids)


_DECOR_P: Final = {"lead": 0.10, "mention": 0.07, "tail": 0.28, "emoji": 0.42, "tags": 0.17}


def _decorate(body: ObjArray, lang: int, rng: np.random.Generator, handles: ObjArray) -> ObjArray:
    """Add what people wrap around a sentence: a lead-in, @mentions, emoji, hashtags."""
    n = len(body)
    suffix = "vi" if lang == 0 else "en"

    def piece(p: float, vocab: ObjArray, before: str = "", after: str = "") -> ObjArray:
        out = np.full(n, "", dtype=object)
        where = np.flatnonzero(rng.random(n) < p)
        if len(where):
            words = vocab[rng.integers(0, len(vocab), size=len(where))]
            out[where] = [before + w + after for w in words] if before or after else words
        return out

    lead = piece(_DECOR_P["lead"], _VOCAB[f"lead_{suffix}"])
    mention = piece(_DECOR_P["mention"], handles, "@", " ")
    tail = piece(_DECOR_P["tail"], _VOCAB[f"tail_{suffix}"])
    # A follow-up sentence needs the first one closed.
    open_end = np.flatnonzero(tail != "")
    body = body.copy()
    body[open_end] = [
        b if b[-1] in ".!?)…" or not b[-1].isalnum() else b + "." for b in body[open_end]
    ]
    emoji = piece(_DECOR_P["emoji"], _VOCAB["emoji"], " ")
    tags = piece(_DECOR_P["tags"], _VOCAB[f"tags_{suffix}"], " ")
    rows = zip(mention, lead, body, tail, emoji, tags, strict=True)
    return np.array(list(map("".join, rows)), dtype=object)


def _violating_posts(
    rows: IntArray,
    day: _Day,
    accounts: _Accounts,
    block: _Block,
    rng: np.random.Generator,
) -> None:
    """Write the violating posts of ``rows`` into ``block``, with their evasions."""
    r = random.Random(int(rng.integers(2**62)))
    handles = accounts.ids
    for row in rows.tolist():
        c = int(day.clause[row])
        lg = int(day.lang[row])
        acct = int(day.account[row])
        lang = LANGS[lg]
        template = r.choice(_VIOLATING_T[c][lg])
        args = [_fill_one(slot, r, handles) for slot in template.slots]
        evasion = -1
        post_level = ""
        if accounts.no_diacritics[acct] and lg == 0:
            evasion, post_level = _EVASION_INDEX["diacritics"], "fold"
        elif r.random() < _EVADE_P[c]:
            kinds = list(EVASIONS)
            weights = list(_EVASION_W[lang])
            while evasion < 0 and any(weights):
                name = r.choices(kinds, weights)[0]
                weights[kinds.index(name)] = 0.0
                if name == "nfd":
                    evasion, post_level = _EVASION_INDEX[name], "nfd"
                elif name == "diacritics" and (template.term < 0 or r.random() < 0.6):
                    evasion, post_level = _EVASION_INDEX[name], "fold"
                elif template.term >= 0:
                    disguised = _TERM_EVASIONS[name](args[template.term], r)
                    if disguised is not None and disguised != args[template.term]:
                        args[template.term] = disguised
                        evasion = _EVASION_INDEX[name]
        text = template.fmt.format(*args)
        if r.random() < 0.05:
            text = text.upper()
        if r.random() < 0.3:
            text += " " + r.choice(_V[_CLAUSE_EMOJI[c]])
        if post_level == "fold":
            text = _fold(text)
        elif post_level == "nfd":
            text = unicodedata.normalize("NFD", text)
        block.text[row] = text
        block.evasion[row] = evasion
        if r.random() < _VIOLATING_TITLE_P[c]:
            block.title[row] = _fill_template(r.choice(_VIOLATING_TITLES_T[c][lg]), r, handles)


def _fill_one(slot: str, r: random.Random, handles: ObjArray) -> str:
    """Draw one filler (the scalar twin of :func:`_fill_column`)."""
    if slot[0] == "#":
        lo, hi = (int(x) for x in slot[1:].split("-"))
        return str(r.randint(lo, hi))
    if slot[0] == "~":
        return "".join(r.choices(_ALNUM_TEXT, k=int(slot[1:])))
    if slot == "handle":
        return str(handles[r.randrange(len(handles))])
    nested = _NESTED.get(slot)
    if nested is not None:
        return _fill_template(r.choice(nested), r, handles)
    words = _VOCAB[slot]
    return str(words[r.randrange(len(words))])


def _fill_template(template: _Template, r: random.Random, handles: ObjArray) -> str:
    return template.fmt.format(*(_fill_one(s, r, handles) for s in template.slots))


def _make_block(
    lo: int,
    hi: int,
    day: _Day,
    accounts: _Accounts,
    rng: np.random.Generator,
) -> _Block:
    n = hi - lo
    block = _Block(
        title=np.full(n, None, dtype=object),
        text=np.empty(n, dtype=object),
        evasion=np.full(n, -1, dtype=np.int8),
    )
    sub = _Day(day.micros[lo:hi], day.account[lo:hi], day.lang[lo:hi], day.clause[lo:hi])
    clean = np.flatnonzero(sub.clause < 0)
    _clean_posts(clean, sub.lang, sub.account, accounts, block, rng)

    # Users who type without diacritics do so in every post; some posts arrive decomposed
    # (macOS and VNI keyboards) whatever they say.
    vi_clean = clean[sub.lang[clean] == 0]
    bare = vi_clean[accounts.no_diacritics[sub.account[vi_clean]]]
    block.text[bare] = [_fold(s) for s in block.text[bare]]
    nfd = vi_clean[
        (rng.random(len(vi_clean)) < _NFD_CLEAN_P) & ~accounts.no_diacritics[sub.account[vi_clean]]
    ]
    block.text[nfd] = [unicodedata.normalize("NFD", s) for s in block.text[nfd]]

    _violating_posts(np.flatnonzero(sub.clause >= 0), sub, accounts, block, rng)
    return block


# --------------------------------------------------------------------------------------------
# Archive.
# --------------------------------------------------------------------------------------------


def _day_counts(posts: int, days: int, start: datetime.date, seed: int) -> list[int]:
    """Split ``posts`` over the days: weekends are a little busier, every day a little noisy."""
    rng = np.random.default_rng([seed, 2])
    weights = np.array(
        [_WEEKDAY_W[(start + datetime.timedelta(days=d)).weekday()] for d in range(days)]
    ) * rng.uniform(0.95, 1.05, size=days)
    return [int(x) for x in rng.multinomial(posts, weights / weights.sum())]


_CLAUSES_ARROW: Final = pa.array(CLAUSES, pa.string())
_EVASIONS_ARROW: Final = pa.array(EVASIONS, pa.string())
_LANGS_ARROW: Final = pa.array(LANGS, pa.string())
_ACCOUNT_TYPES_ARROW: Final = pa.array(ACCOUNT_TYPES, pa.string())
# Low-cardinality columns; post ids, times and texts are unique and gain nothing from it.
_DICTIONARY_COLUMNS: Final = ["account_id", "account_type", "expected_clause", "evasion", "lang"]


@dataclass(frozen=True)
class _ArrowAccounts:
    """The account table as Arrow arrays, so a block's columns are a ``take`` away."""

    ids: pa.Array
    types: pa.Array


def _table(
    first_id: int,
    width: int,
    day: _Day,
    lo: int,
    hi: int,
    block: _Block,
    accounts: _ArrowAccounts,
    schema: pa.Schema,
) -> pa.Table:
    account = pa.array(day.account[lo:hi])
    columns: list[pa.Array] = [
        pa.array([f"p{i:0{width}d}" for i in range(first_id + lo, first_id + hi)], pa.string()),
        accounts.ids.take(account),
        accounts.types.take(account),
        pa.array(day.micros[lo:hi], pa.timestamp("us", tz="UTC")),
        pa.array(block.title, pa.string()),
        pa.array(block.text, pa.string()),
    ]
    if len(schema) > len(columns):
        clause = day.clause[lo:hi]
        columns += [
            _CLAUSES_ARROW.take(pa.array(clause, mask=clause < 0)),
            _EVASIONS_ARROW.take(pa.array(block.evasion, mask=block.evasion < 0)),
            _LANGS_ARROW.take(pa.array(day.lang[lo:hi])),
        ]
    return pa.Table.from_arrays(columns, schema=schema)


def _day_tables(
    seed: int,
    day_index: int,
    first_id: int,
    width: int,
    day: _Day,
    accounts: _Accounts,
    arrow_accounts: _ArrowAccounts,
    schema: pa.Schema,
) -> Iterator[pa.Table]:
    """Yield one day's posts block by block.

    Blocks have a fixed size and their own random stream, so the rows do not depend on how
    they are later cut into files.
    """
    n = len(day.micros)
    for b, lo in enumerate(range(0, n, _BLOCK)):
        hi = min(n, lo + _BLOCK)
        rng = np.random.default_rng([seed, 4, day_index, b])
        block = _make_block(lo, hi, day, accounts, rng)
        yield _table(first_id, width, day, lo, hi, block, arrow_accounts, schema)


def _clear_previous(root: Path) -> None:
    """Remove an earlier demo archive at ``root``; refuse if anything else lives there."""
    if not root.exists():
        return
    if not root.is_dir():
        raise InputError(f"{root}: exists and is not a directory")
    partition = re.compile(r"date=\d{4}-\d{2}-\d{2}")
    part = re.compile(r"part-\d{4,}\.parquet")
    for entry in root.iterdir():
        if not (entry.is_dir() and partition.fullmatch(entry.name)):
            raise InputError(f"{root}: not a demo archive ({entry.name}); not overwriting")
        for f in entry.iterdir():
            if not part.fullmatch(f.name):
                raise InputError(f"{f}: not written by the demo generator; not overwriting")
    for entry in root.iterdir():
        shutil.rmtree(entry)


def generate_archive(
    path: str | Path,
    *,
    posts: int = 20_000,
    days: int = 5,
    accounts: int = 3_000,
    seed: int = 2021,
    start: datetime.date = datetime.date(2026, 11, 25),
    with_labels: bool = False,
    rows_per_file: int = 50_000,
) -> ArchiveSummary:
    """Write a seeded sample archive of social-network posts as hive-partitioned Parquet.

    The archive holds ``path/date=YYYY-MM-DD/part-NNNN.parquet`` (zstd), one partition per day
    from ``start`` (UTC days; the daily rhythm follows Vietnam's time, UTC+7), each day cut
    into files of at most ``rows_per_file`` rows. Rows are in time order; ``post_id`` follows
    it across the whole archive. The same arguments give byte-identical files, and the rows do
    not depend on ``rows_per_file``.

    Parameters
    ----------
    path : str or Path
        Directory to write. An earlier archive written here by this function is replaced; a
        directory holding anything else is refused.
    posts : int
        Number of posts, spread over the days (weekends a little busier).
    days : int
        Number of day partitions, at least 1. A day without posts gets an empty file.
    accounts : int
        Number of accounts that may post (about 2% state accounts: officials and agencies).
    seed : int
        Seed of every random choice; account ids depend on ``seed`` and ``accounts`` only.
    start : datetime.date
        The first day.
    with_labels : bool
        Add the ground-truth columns ``expected_clause``, ``evasion`` and ``lang``.
    rows_per_file : int
        Maximum rows per Parquet file; a bigger day is split into several files of equal size.

    Returns
    -------
    ArchiveSummary
        What was written.

    Raises
    ------
    ValueError
        If an argument is out of range.
    conduct_scan.InputError
        If ``path`` exists and holds something other than an earlier demo archive.

    Examples
    --------
    >>> summary = generate_archive("/tmp/demo-archive", posts=1_000, with_labels=True)
    >>> summary.posts, summary.days
    (1000, 5)
    """
    if posts < 0:
        raise ValueError(f"posts must be >= 0, not {posts}")
    if days < 1:
        raise ValueError(f"days must be >= 1, not {days}")
    if accounts < 1:
        raise ValueError(f"accounts must be >= 1, not {accounts}")
    if rows_per_file < 1:
        raise ValueError(f"rows_per_file must be >= 1, not {rows_per_file}")
    root = Path(path)
    _clear_previous(root)
    root.mkdir(parents=True, exist_ok=True)

    table_of = _make_accounts(accounts, seed)
    arrow_accounts = _ArrowAccounts(
        ids=pa.array(table_of.ids, pa.string()),
        types=_ACCOUNT_TYPES_ARROW.take(pa.array(table_of.kind.astype(np.int64))),
    )
    schema = archive_schema(with_labels=with_labels)
    dictionary = [c for c in _DICTIONARY_COLUMNS if c in schema.names]
    width = max(7, len(str(posts)))
    epoch = datetime.date(1970, 1, 1)

    first_id = 1
    files = 0
    text_bytes = 0
    violating = 0
    posted = np.zeros(accounts, dtype=np.bool_)
    for d, n in enumerate(_day_counts(posts, days, start, seed)):
        date = start + datetime.timedelta(days=d)
        day = _plan_day(
            n, (date - epoch).days * _DAY_US, table_of, np.random.default_rng([seed, 3, d])
        )
        posted[day.account] = True
        violating += int((day.clause >= 0).sum())
        folder = root / f"date={date.isoformat()}"
        folder.mkdir()
        n_files = max(1, math.ceil(n / rows_per_file))
        bounds = [n * k // n_files for k in range(n_files + 1)]
        blocks = _day_tables(seed, d, first_id, width, day, table_of, arrow_accounts, schema)
        blocks = plant_campaigns(blocks, d, days, seed)  # demo_campaigns.py
        pending: list[pa.Table] = []
        buffered = 0
        for f in range(n_files):
            need = bounds[f + 1] - bounds[f]
            while buffered < need:
                pending.append(next(blocks))
                buffered += pending[-1].num_rows
            joined = pa.concat_tables(pending) if pending else schema.empty_table()
            table, rest = joined.slice(0, need), joined.slice(need)
            pending, buffered = ([rest] if rest.num_rows else []), rest.num_rows
            text_bytes += int(pc.sum(pc.binary_length(table["text"])).as_py() or 0)
            pq.write_table(
                table,
                folder / f"part-{f:04d}.parquet",
                compression="zstd",
                use_dictionary=dictionary,
            )
            files += 1
        first_id += n
    return ArchiveSummary(
        path=root,
        files=files,
        posts=posts,
        accounts=int(posted.sum()),
        days=days,
        bytes_of_text=text_bytes,
        violating_posts=violating,
    )


def archive_accounts(*, accounts: int = 3_000, seed: int = 2021) -> tuple[list[str], list[str]]:
    """The ids and types (``user``, ``official``, ``agency``) of the accounts that
    :func:`generate_archive` with the same ``accounts`` and ``seed`` posts from (for the demo's
    accounts table, ``conduct_scan.demo_accounts``).
    """
    table = _make_accounts(accounts, seed)
    return [str(i) for i in table.ids], [ACCOUNT_TYPES[int(k)] for k in table.kind]
