"""The benchmark's terms, rulesets and agreement check (no corpus is built, nothing is timed)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from benchmarks.corpus import (
    PATTERNS,
    agreement_patterns,
    agreement_terms,
    ruleset_toml,
    terms,
)
from benchmarks.peers import agreement, coinciding, conduct_scan_flags
from conduct_scan import Ruleset, Scanner


def test_terms_are_distinct_lower_case_and_prefixes_of_longer_lists() -> None:
    many = terms(5000)
    assert len(many) == 5000 == len(set(many))
    assert all(t == t.lower() and t.strip() == t and t for t in many)
    assert terms(300) == many[:300]


def test_pseudo_phrases_are_three_vietnamese_syllables() -> None:
    tail = terms(5000)[-100:]
    assert all(len(t.split()) == 3 for t in tail)
    assert any(not t.isascii() for t in tail)


def test_benchmark_ruleset_compiles_and_matches_as_asked() -> None:
    chosen = ["ass", "xổ số"]
    word = Scanner(Ruleset.from_toml(ruleset_toml(chosen, PATTERNS[:3])))
    substring = Scanner(Ruleset.from_toml(ruleset_toml(chosen, [], match="substring")))
    texts = ["a class act", "Bán XỔ SỐ", "đ.ị.t mẹ", "you ass"]
    assert sorted(set(word.scan(texts).column("row").to_pylist())) == [1, 3]
    assert sorted(set(substring.scan(texts).column("row").to_pylist())) == [0, 1, 3]


def test_agreement_subset() -> None:
    assert agreement_terms(["fuck", "đụ", "t&c", "free msg"]) == ["fuck", "free msg"]
    patterns = agreement_patterns(PATTERNS)
    assert "casino" in patterns and r"free\s+(entry|msg)" in patterns
    assert not any("\\w" in p or "\\d" in p or not p.isascii() for p in patterns)


def test_coinciding_posts_exclude_what_only_casefold_changes() -> None:
    texts = pa.chunked_array(
        [["Plain text", "Straße", "cu\u0303ng", "ｆｕｌｌ", "zero\u200bwidth", None]]
    )
    assert coinciding(texts).tolist() == [True, False, False, False, False, False]


def test_agreement_counts_differences_inside_and_outside_the_subset() -> None:
    texts = pa.chunked_array([["a", "b", "c", "d"]])
    ours = np.array([True, True, False, False])
    theirs = np.array([True, False, True, False])
    same = np.array([True, True, False, True])
    found = agreement(ours, theirs, same, texts)
    assert found["subset_differences"] == 1 and not found["equal"]
    assert found["differences"] == 2
    assert [(e["row"], e["flagged_by"], e["in_subset"]) for e in found["examples"]] == [
        (1, "conduct_scan", True),
        (2, "peer", False),
    ]


def test_conduct_scan_flags() -> None:
    table = pa.table({"row": pa.array([0, 2, 2], pa.int64())})
    assert conduct_scan_flags(table, 4).tolist() == [True, False, True, False]
