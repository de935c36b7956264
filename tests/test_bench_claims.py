"""The claims benchmark's rule for unrelated posts (issue 16): a post that keeps >= 60% of a
claim's words is a rewording by the target's definition. The prefix-filtered check must agree
with the plain definition on every claim."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.bench_claims import _fold_words, _rewordings_of

WORDS = ["một", "MOT", "hai", "ba", "bốn", "năm", "nam", "sáu", "bảy", "tám", "Đà", "da", "5G"]


def _plain(claims: list[str], post: str, keep: float = 0.6) -> bool:
    words = _fold_words(post)
    return any(
        len(_fold_words(c) & words) >= math.ceil(keep * len(_fold_words(c)) - 1e-9)
        for c in claims
        if _fold_words(c)
    )


@settings(max_examples=200, deadline=None)
@given(
    claims=st.lists(st.lists(st.sampled_from(WORDS), min_size=1, max_size=8), min_size=1,
                    max_size=6),
    posts=st.lists(st.lists(st.sampled_from(WORDS), max_size=10), min_size=1, max_size=6),
)  # fmt: skip
def test_rewordings_of_agrees_with_the_definition(
    claims: list[list[str]], posts: list[list[str]]
) -> None:
    claim_texts = [" ".join(c) for c in claims]
    post_texts = [" ".join(p) for p in posts]
    assert _rewordings_of(claim_texts, post_texts) == [_plain(claim_texts, p) for p in post_texts]


def test_a_template_sibling_is_a_rewording_and_an_other_sentence_is_not() -> None:
    claims = ["Quốc lộ 5: Đây là con đường có tổng chiều dài 100 km"]
    posts = ["Quoc lo 1: day la con duong co tong chieu dai 2300 km", "Hôm nay trời đẹp quá"]
    assert _rewordings_of(claims, posts) == [True, False]
