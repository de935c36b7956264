"""Select the innocent compounds of the bundled ruleset's single-syllable terms from a lexicon.

Writes ``rulesets/vn-social-code-2021/compounds.toml``: one ``[[compound]]`` per term, listing
the compounds and collocations inside which a match of the term is not a finding (``lũ`` in
"lũ lụt", ``mày`` in "mặt mày", ``vãi`` in "rơi vãi"). The loader compiles the lists into every
rule that has the term.

Source: ``Viet74K.txt``, the Vietnamese word list shipped in the ``underthesea`` package on PyPI
(version 9.5.0, Apache-2.0; the list itself descends from Hồ Ngọc Đức's Free Vietnamese
Dictionary Project word lists, GPL). Only the entries that contain a ruleset term are taken
(a few hundred words, facts of the language), reviewed by hand in ``compounds-review.toml``.

Selection:

1. the terms: single syllables (after case folding) of the Vietnamese rules of the vocabulary
   clauses (3.2 disrespect, 4.5b discrimination, 4.6b insults, 4.6c vulgarity), and of their
   informal-register cues (``nha``, ``á``: a cue inside a compound is no cue). Rules of the
   offer clauses (weapons, drugs) are left out: there the compounds *are* the goods
   ("súng săn", "lựu đạn");
2. the compounds: lexicon entries of two or more syllables, letters and spaces only, that
   have one of those terms as a syllable;
3. the review: entries that are themselves offensive or contemptuous are dropped
   (``drop``), and collocations the lexicon lacks are added (``add``);
4. the review's ``unmarked``: a term that is also another word typed without its tone mark
   (``tao`` for ``tạo``) gets that word's compounds written with the term (``nhân tao``,
   ``tao thành``) where another syllable has a diacritic (not ``lai tao``, which may be
   ``lại tạo`` typed without any), less the review's ``drop`` (``con tao``: my child);
5. the review's ``names``: terms that are also syllables of proper names (``Ngu Thế Nam``,
   ``xã Kim Lũ``, ``Terence Tao``) get ``names = true``, so that a match written in title case
   inside a sentence is taken for part of a name (see the README, "Compounds").

Usage (the wheel is downloaded, never installed)::

    pip download --no-deps underthesea==9.5.0 -d /tmp/lex
    .venv/bin/python rulesets/tools/select_compounds.py /tmp/lex/underthesea-9.5.0-py3-none-any.whl

Re-run it after changing the terms of the vocabulary rules, and review what it adds.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import zipfile
from collections import defaultdict
from pathlib import Path
from typing import Any

import tomllib

from conduct_scan import Ruleset
from conduct_scan._core import normalise

HERE = Path(__file__).resolve().parent
RULESET = HERE.parent / "vn-social-code-2021"
REVIEW = HERE / "compounds-review.toml"
OUT = RULESET / "compounds.toml"
LEXICON_MEMBER = "underthesea/corpus/data/Viet74K.txt"
#: Clauses whose rules match vocabulary, where an innocent compound of a term is innocent.
VOCABULARY_CLAUSES = frozenset({"3.2", "4.5b", "4.6b", "4.6c"})
_ENTRY = re.compile(r"^[^\W\d_]+( [^\W\d_]+)+$")


def ruleset_terms() -> dict[str, str]:
    """Case-folded single-syllable terms of the vocabulary rules -> the term as written."""
    data = json.loads(Ruleset.load(RULESET).to_json())
    terms: dict[str, str] = {}
    for rule in data["rules"]:
        if rule.get("lang") != "vi" or rule["clause"] not in VOCABULARY_CLAUSES:
            continue
        # The rule's terms, and its informal cues (particles such as `nha`, whose compounds
        # "Tây Ban Nha", "nha sĩ" are no cue).
        cues = (rule.get("informal") or {}).get("terms", [])
        for term in [*rule["terms"], *cues]:
            folded = normalise("casefold", term).strip()
            if folded and " " not in folded and any(c.isalpha() for c in folded):
                terms.setdefault(folded, term)
    return terms


def lexicon_entries(wheel: Path) -> list[str]:
    """The case-folded multi-syllable entries of Viet74K.txt in the underthesea wheel."""
    with zipfile.ZipFile(wheel) as z:
        text = z.read(LEXICON_MEMBER).decode("utf-8")
    entries = {normalise("casefold", line.strip()) for line in text.splitlines()}
    return sorted(e for e in entries if _ENTRY.match(e))


def select(wheel: Path) -> dict[str, list[str]]:
    """Term (as written) -> its reviewed compounds (empty for a term that only has ``names``)."""
    review = tomllib.loads(REVIEW.read_text(encoding="utf-8"))
    drop = {normalise("casefold", d) for d in review.get("drop", [])}
    terms = ruleset_terms()
    chosen: dict[str, set[str]] = defaultdict(set)
    for entry in lexicon_entries(wheel):
        if entry in drop:
            continue
        for syllable in set(entry.split()):
            if syllable in terms:
                chosen[terms[syllable]].add(entry)
    # A term that is also another word typed without its tone mark (tao for tạo): the compounds
    # of that word, written with the term, are the term's compounds too (nhân tạo -> nhân tao).
    for term, word in review.get("unmarked", {}).items():
        folded, marked = normalise("casefold", term), normalise("casefold", word)
        for entry in lexicon_entries(wheel):
            syllables = entry.split()
            if marked in syllables:
                variant = " ".join(folded if s == marked else s for s in syllables)
                # Another syllable with a diacritic shows text typed with them (nhân tao); with
                # none, the variant may be a phrase typed without any (lai tao: lại tạo).
                others = [s for s in syllables if s != marked]
                if variant not in drop and any(not s.isascii() for s in others):
                    chosen[terms.get(folded, term)].add(variant)
    for term, extra in review.get("add", {}).items():
        folded = normalise("casefold", term)
        chosen[terms.get(folded, term)].update(normalise("casefold", e) for e in extra)
    names = names_of(review)
    for term in names:
        chosen.setdefault(terms.get(term, term), set())
    return {
        term: sorted(compounds)
        for term, compounds in sorted(chosen.items())
        if compounds or normalise("casefold", term) in names
    }


def names_of(review: dict[str, Any]) -> frozenset[str]:
    """The review's ``names`` terms, case-folded."""
    return frozenset(normalise("casefold", n) for n in review.get("names", []))


def render(selection: dict[str, list[str]], names: frozenset[str] = frozenset()) -> str:
    """The compounds.toml text."""
    lines = [
        "# Innocent compounds and collocations of single-syllable terms: a match of the term",
        "# inside one of them is not a finding, in every rule that has the term (`rules explain`",
        "# names the compound). GENERATED by rulesets/tools/select_compounds.py from Viet74K.txt",
        "# of the underthesea 9.5.0 package (Apache-2.0; the list descends from Hồ Ngọc Đức's",
        "# Free Vietnamese Dictionary Project, GPL), reviewed in",
        "# rulesets/tools/compounds-review.toml. Edit the review, not this file.",
        "",
    ]
    for term, compounds in selection.items():
        lines.append("[[compound]]")
        lines.append(f"term = {json.dumps(term, ensure_ascii=False)}")
        if normalise("casefold", term) in names:
            lines.append("names = true")
        if not compounds:
            lines.append("")
            continue
        lines.append("compounds = [")
        row = "  "
        for c in compounds:
            item = json.dumps(c, ensure_ascii=False) + ", "
            if len(row) + len(item) > 100:
                lines.append(row.rstrip())
                row = "  "
            row += item
        lines.append(row.rstrip())
        lines.append("]")
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Write compounds.toml from the wheel named on the command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("wheel", type=Path, help="underthesea-9.5.0-py3-none-any.whl")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    selection = select(args.wheel)
    review = tomllib.loads(REVIEW.read_text(encoding="utf-8"))
    args.out.write_text(render(selection, names_of(review)), encoding="utf-8")
    total = sum(len(c) for c in selection.values())
    print(f"{args.out}: {total} compounds of {len(selection)} terms", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
