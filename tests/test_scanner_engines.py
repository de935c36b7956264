"""The batched engine against the per-post one, on real text.

``Scanner.scan`` with the Hyperscan backend lays many posts end to end per Hyperscan call and
scans NFC text that is a case variant of its casefold view as it is, with a caseless database;
the aho-corasick backend builds every view of every post and matches each post alone (the
engine as it was before issue 10). On the real-text corpus (``$CONDUCT_SCAN_DATA``; skipped
without it), both must give exactly the same findings: rule, view, start and end (the term
named for a span that a term and a pattern both match may differ between the backends). Posts
are also given upper-cased and reversed, and joined into one long text (scanned in windows).
"""

from __future__ import annotations

import random

import pyarrow as pa
import pytest

from benchmarks.corpus import _real_pools, has_real_data
from conduct_scan import Ruleset, Scanner

pytestmark = pytest.mark.skipif(not has_real_data(), reason="no real text ($CONDUCT_SCAN_DATA)")


def _posts() -> list[str]:
    rng = random.Random(10)
    clean, violating = _real_pools(rng)
    posts = [text for pool in violating.values() for text in pool]
    for pool in clean.values():
        posts += rng.sample(pool, min(len(pool), 8_000))
    posts += [text.upper() for text in rng.sample(posts, 3_000)]
    posts += [text[::-1] for text in rng.sample(posts, 1_000)]
    rng.shuffle(posts)
    return posts


def _findings(scanner: Scanner, texts: pa.Array) -> list[tuple[object, ...]]:
    table = scanner.scan(texts)
    columns = ["row", "rule_id", "view", "start", "end"]
    return list(zip(*(table.column(c).to_pylist() for c in columns), strict=True))


def test_batched_engine_equals_per_post_engine_on_real_text() -> None:
    posts = _posts()
    texts = pa.array(posts, type=pa.large_string())
    ruleset = Ruleset.load()
    batched = _findings(Scanner(ruleset, 2), texts)
    per_post = _findings(Scanner(ruleset, 2, literal_backend="aho-corasick"), texts)
    assert len(batched) > 5_000
    assert batched == per_post


def test_long_text_in_windows_equals_per_post_engine() -> None:
    posts = _posts()[:40_000]
    text = "\n".join(posts)
    assert len(text.encode()) > 3_000_000
    ruleset = Ruleset.load()
    windowed = _findings(Scanner(ruleset, 1), pa.array([text], type=pa.large_string()))
    whole = _findings(
        Scanner(ruleset, 1, literal_backend="aho-corasick"), pa.array([text], pa.large_string())
    )
    assert len(whole) > 500
    assert windowed == whole
