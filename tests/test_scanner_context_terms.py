"""Context terms (allow, unless, near) are matched in a database of their own, only in the posts
where a rule was hit: batched posts must still see exactly their own context, and a term that
is one rule's hit and another's context must serve both."""

from __future__ import annotations

from functools import cache

from conduct_scan import Ruleset, Scanner

RULESET = """
[ruleset]
id = "ctx"
version = "1"
[[clause]]
id = "c"
title = "c"

[[rule]]
id = "veto"
clause = "c"
terms = ["ngu"]
unless = ["không ngu"]

[[rule]]
id = "near"
clause = "c"
terms = ["lừa"]
near = { terms = ["chuyển khoản", "ngu"], within = 5 }

[[rule]]
id = "allow"
clause = "c"
patterns = ['vay\\s+nhanh']
allow = { patterns = ['vay\\s+nhanh\\s+ngân hàng'] }
"""


@cache
def _scanner() -> Scanner:
    return Scanner(Ruleset.from_toml(RULESET), 2)


def _found(texts: list[str]) -> list[tuple[int, str]]:
    table = _scanner().scan(texts)
    rows, rules = table.column("row").to_pylist(), table.column("rule_id").to_pylist()
    return sorted(zip(rows, rules, strict=True))


def test_each_post_sees_only_its_own_context() -> None:
    # Hits and context words in neighbouring posts of one batch, many times over.
    posts = [
        "đồ ngu",  # veto hit, no unless
        "tôi không ngu đâu",  # vetoed in this post only
        "lừa đảo",  # near term missing here ...
        "chuyển khoản ngay",  # ... and present only in the next post
        "lừa chuyển khoản",  # near satisfied
        "vay nhanh ngân hàng",  # allowed
        "vay nhanh lãi thấp",  # not allowed
    ]
    texts = posts * 300
    expected = []
    for k in range(300):
        base = k * len(posts)
        expected += [(base, "veto"), (base + 4, "near"), (base + 6, "allow")]
    assert _found(texts) == sorted(expected)


def test_a_hit_term_that_is_also_context() -> None:
    # `ngu` is the hit of `veto` and a near term of `near`: both must see it.
    assert _found(["lừa mày ngu"]) == [(0, "near"), (0, "veto")]
    # Hits silenced by the context of the same post, and context alone: nothing.
    assert _found(["chuyển khoản không ngu, vay nhanh ngân hàng"]) == []
    assert _found(["chuyển khoản", "không ngu"]) == []
