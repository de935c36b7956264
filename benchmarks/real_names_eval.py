"""How the 4.2 real-name check treats real Vietnamese names (false flags) and how much of them
the family-name list covers.

The names are not bundled: pass the zip (or its TSV files) of github.com/toanluu/vietname,
``data/vietname-positive.zip`` (635,689 Vietnamese full names, typed without diacritics, with
counts; lines ``name<TAB>...<TAB>count``)::

    python benchmarks/real_names_eval.py --names vietname-positive.zip

Every name is checked as a display name in title case ("Nguyen Thi Hoa"), counted with its
number of occurrences. A flag is a false flag unless the "name" is really a shop or an
organisation (the data has a few, e.g. "Ao Thun Xuat Khau Sg"): the examples printed per kind
show which.
"""

from __future__ import annotations

import argparse
import collections
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

from conduct_scan.accounts.names import _FAMILY_FOLDED, check_name


def _lines(path: Path) -> Iterator[str]:
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as archive:
            for member in archive.namelist():
                yield from archive.read(member).decode("utf-8").splitlines()
    else:
        yield from path.read_text(encoding="utf-8").splitlines()


def read_names(paths: list[Path]) -> collections.Counter[str]:
    names: collections.Counter[str] = collections.Counter()
    for path in paths:
        for line in _lines(path):
            fields = line.split("\t")
            if len(fields) >= 2 and fields[-1].isdigit():
                names[" ".join(fields[0].split())] += int(fields[-1])
    return names


def evaluate(names: collections.Counter[str], examples: int = 8) -> dict[str, object]:
    total = covered = 0
    uncovered: collections.Counter[str] = collections.Counter()
    kinds: collections.Counter[str] = collections.Counter()
    shown: dict[str, list[str]] = collections.defaultdict(list)
    flagged = 0
    for name, count in names.items():
        words = name.split()
        if len(words) < 2:
            continue
        total += count
        heads = {" ".join(words[:k]) for k in range(1, min(4, len(words) - 1) + 1)}
        if heads & _FAMILY_FOLDED:
            covered += count
        else:
            uncovered[words[0]] += count
        verdict = check_name(name.title())
        kinds[verdict.kind] += count
        if verdict.flagged:
            flagged += count
            if len(shown[verdict.kind]) < examples:
                shown[verdict.kind].append(f"{name.title()} ({verdict.evidence})")
    return {
        "names": total,
        "family_list_coverage": round(covered / total, 4),
        "flagged_share": round(flagged / total, 5),
        "kinds": {k: round(v / total, 5) for k, v in kinds.most_common()},
        "flagged_examples": dict(shown),
        "top_uncovered_first_words": uncovered.most_common(25),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--names", type=Path, nargs="+", required=True,
                        help="vietname-positive.zip or its TSV files")  # fmt: skip
    args = parser.parse_args()
    print(json.dumps(evaluate(read_names(args.names)), ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
