"""Near-copies of verified agency names (clause 4.3, the ``near_copy`` check).

Names are compared on a *key*: the core's ``skeleton`` view (case, diacritics, homoglyphs,
leetspeak, spaced-out letters undone: "B0 Công An" → "bo cong an") with everything but letters
and digits removed, so spacing and punctuation do not matter. A name is a near-copy of a
verified name when its key equals it, contains it (with at most ``max_extra`` more characters:
"Bộ Công An Việt Nam"), or is within ``max_distance`` edits of it (Levenshtein). Candidates for
the edit distance are found by the pigeonhole principle: split a target key into
``max_distance + 1`` pieces and at least one piece occurs unchanged in any key within that
distance, so a dictionary of pieces finds the few targets worth computing a distance for,
whatever the number of targets.
"""

from __future__ import annotations

from dataclasses import dataclass

from conduct_scan._core import normalise


def name_key(name: str) -> str:
    """The comparison key of a name (see the module documentation)."""
    return "".join(c for c in normalise("skeleton", name) if c.isalnum())


def levenshtein(a: str, b: str, bound: int) -> int:
    """Edit distance of ``a`` and ``b``, or ``bound + 1`` when it exceeds ``bound``.

    Only the diagonal band of width ``2 * bound + 1`` is computed (cells outside it exceed
    the bound), so a comparison costs ``len(a) * (2 * bound + 1)`` steps.
    """
    if abs(len(a) - len(b)) > bound:
        return bound + 1
    over = bound + 1
    previous = [j if j <= bound else over for j in range(len(b) + 1)]
    for i in range(1, len(a) + 1):
        lo, hi = max(1, i - bound), min(len(b), i + bound)
        current = [over] * (len(b) + 1)
        if i <= bound:
            current[0] = i
        ca = a[i - 1]
        best = current[0]
        for j in range(lo, hi + 1):
            v = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != b[j - 1]))
            current[j] = v if v <= bound else over
            best = min(best, v)
        if best > bound:
            return over
        previous = current
    return min(previous[-1], over)


def _bound(key: str, max_distance: int) -> int:
    """Edits allowed against ``key``: one per five characters, at least one, at most
    ``max_distance`` (short names allow fewer).
    """
    return min(max_distance, max(1, len(key) // 5))


@dataclass(frozen=True)
class NearCopy:
    """A name that copies a verified one."""

    target: str
    """The verified account's display name."""
    target_id: str
    how: str
    """``same`` (equal keys: homoglyphs, spacing, case), ``contains`` or ``edit distance N``."""
    distance: int


class NearCopyIndex:
    """The verified names of an archive, ready to be compared with every other name."""

    def __init__(
        self,
        targets: list[tuple[str, str]],
        *,
        max_distance: int = 2,
        min_length: int = 6,
        max_extra: int = 24,
    ) -> None:
        """``targets`` are ``(account_id, display_name)`` of the verified accounts."""
        self.max_distance = max_distance
        self.max_extra = max_extra
        self._exact: dict[str, tuple[str, str]] = {}
        self._pieces: dict[str, list[tuple[str, int]]] = {}
        self._targets: dict[str, tuple[str, str]] = {}
        for account_id, name in targets:
            key = name_key(name)
            if len(key) < min_length:
                continue
            self._exact.setdefault(key, (account_id, name))
            self._targets.setdefault(key, (account_id, name))
            # Pigeonhole: with at most `bound` edits one of `bound + 1` pieces survives intact.
            n = _bound(key, max_distance) + 1
            step = len(key) / n
            for i in range(n):
                start = round(i * step)
                piece = key[start : round((i + 1) * step)]
                self._pieces.setdefault(piece, []).append((key, start))
        self._piece_lengths = sorted({len(p) for p in self._pieces}, reverse=True)

    def __len__(self) -> int:
        return len(self._targets)

    def find(self, name: str) -> NearCopy | None:
        """The verified name ``name`` copies, the closest first; None when there is none."""
        if not self._targets:
            return None
        key = name_key(name)
        if not key:
            return None
        hit = self._exact.get(key)
        if hit is not None:
            return NearCopy(hit[1], hit[0], "same", 0)
        # A target within the bound has an intact piece no further than the bound from where
        # it sits in the target; a contained target has one anywhere.
        contained: set[str] = set()
        close: set[str] = set()
        for size in self._piece_lengths:
            for i in range(len(key) - size + 1):
                for target, offset in self._pieces.get(key[i : i + size], ()):
                    if target in contained or target in close:
                        continue
                    if len(key) > len(target) and target in key:
                        contained.add(target)
                    elif (
                        abs(len(key) - len(target)) <= self.max_distance
                        and abs(i - offset) <= self.max_distance
                    ):
                        close.add(target)
        best: NearCopy | None = None
        for target in sorted(contained | close):
            account_id, target_name = self._targets[target]
            if target in contained:
                if len(key) - len(target) > self.max_extra:
                    continue
                near = NearCopy(target_name, account_id, "contains", len(key) - len(target))
            else:
                bound = _bound(target, self.max_distance)
                d = levenshtein(key, target, bound)
                if d > bound:
                    continue
                near = NearCopy(target_name, account_id, f"edit distance {d}", d)
            if best is None or near.distance < best.distance:
                best = near
        return best
