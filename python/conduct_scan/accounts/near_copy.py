"""Near-copies of verified agency names (clause 4.3, the ``near_copy`` check).

Names are compared on a *key*: the core's ``skeleton`` view (case, diacritics, homoglyphs,
leetspeak, spaced-out letters undone: "B0 Công An" → "bo cong an") with everything but letters
and digits removed, so spacing and punctuation do not matter. A name is a near-copy of a
verified name when its key equals it, contains it (with at most ``max_extra`` more characters:
"Bộ Công An Việt Nam"), or is within ``max_distance`` edits of it (Levenshtein). Candidates for
the edit distance are found with the q-gram lemma: within ``k`` edits two keys share at least
``len - 2 - 3k`` of their 3-grams, each shifted by at most ``k``; a dictionary of the targets'
3-grams counts the shared ones, so only the few targets that can be within the bound get a
(banded) distance computed, whatever the number of targets.
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


_Q = 3
"""Length of the q-grams of the index."""
_CACHE = 1 << 16
"""Keys whose answer is kept (names repeat: Nguyễn Văn An); the cache is emptied when full."""


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
        self._targets: dict[str, tuple[str, str]] = {}
        self._grams: dict[str, list[tuple[str, int, int]]] = {}
        # Per target: its length, the 3-grams a key within the bound shares, the bound.
        self._need: dict[str, tuple[int, int, int]] = {}
        self._cache: dict[str, NearCopy | None] = {}
        for account_id, name in targets:
            key = name_key(name)
            if len(key) < min_length or key in self._targets:
                continue
            self._targets[key] = (account_id, name)
            bound = _bound(key, max_distance)
            self._need[key] = (len(key), len(key) - _Q + 1 - _Q * bound, bound)
            for i in range(len(key) - _Q + 1):
                self._grams.setdefault(key[i : i + _Q], []).append((key, i, len(key)))

    def __len__(self) -> int:
        return len(self._targets)

    def find(self, name: str) -> NearCopy | None:
        """The verified name ``name`` copies, the closest first; None when there is none."""
        if not self._targets:
            return None
        return self._find_key(name_key(name))

    def _find_key(self, key: str) -> NearCopy | None:
        if not key:
            return None
        cached = self._cache.get(key, self)
        if cached is not self:
            return cached  # type: ignore[return-value]
        found = self._search(key)
        if len(self._cache) >= _CACHE:
            self._cache.clear()
        self._cache[key] = found
        return found

    def _search(self, key: str) -> NearCopy | None:
        hit = self._targets.get(key)
        if hit is not None:
            return NearCopy(hit[1], hit[0], "same", 0)
        # q-gram lemma: within k edits, two strings share at least len - Q + 1 - Q*k of their
        # Q-grams, each shifted by at most k; a contained target shares all of them.
        shared: dict[str, int] = {}
        k = self.max_distance
        n = len(key)
        grams = self._grams
        for i in range(n - _Q + 1):
            postings = grams.get(key[i : i + _Q])
            if postings:
                for target, offset, length in postings:
                    if n > length or -k <= i - offset <= k:
                        shared[target] = shared.get(target, 0) + 1
        best: NearCopy | None = None
        for target, count in shared.items():
            length, need_close, bound = self._need[target]
            extra = n - length
            if count >= length - _Q + 1 and 0 < extra <= self.max_extra and target in key:
                distance, how = extra, "contains"
            elif count >= need_close and -bound <= extra <= bound:
                distance = levenshtein(key, target, bound)
                if distance > bound:
                    continue
                how = f"edit distance {distance}"
            else:
                continue
            if best is None or (distance, target) < (best.distance, name_key(best.target)):
                account_id, target_name = self._targets[target]
                best = NearCopy(target_name, account_id, how, distance)
        return best
