"""Known debunked claims: [[claim]] in rulesets, claims files, matching, explain (issue 16)."""

from __future__ import annotations

import itertools
import json
import re
import subprocess
import sys
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conduct_scan import _core
from conduct_scan._core import ClaimIndex, Ruleset, RulesetError, normalise
from conduct_scan.claims import claim_index, read_claims_file
from conduct_scan.errors import InputError
from conduct_scan.pipeline import scan_archive

HEAD = """
[ruleset]
id = "t"
version = "1"
[[clause]]
id = "4.6d"
title = "fake news"
severity = "high"
[[rule]]
id = "hoax"
clause = "4.6d"
terms = ["chia sẻ trước khi bị xóa"]
"""

CLAIM = """
[[claim]]
id = "water"
text = "Nhà máy nước sông Đuống bị nhiễm độc, không được dùng nước máy"
phrasings = ["Nước máy Hà Nội nhiễm độc do nhà máy sông Đuống"]
verdict = "false"
source_url = "https://example.gov.vn/bac-bo"
debunked = "2019-10-20"
"""


def ruleset(extra: str = CLAIM) -> Ruleset:
    return Ruleset.from_toml(HEAD + extra, "t.toml")


def problems(text: str) -> list[str]:
    with pytest.raises(RulesetError) as caught:
        Ruleset.from_toml(HEAD + text, "t.toml")
    return [f"{item}: {reason}" for _, item, reason in caught.value.problems]


def test_claims_load_with_defaults_and_their_clause_severity() -> None:
    claims = json.loads(ruleset().to_json())["claims"]
    assert claims[0]["id"] == "water"
    assert claims[0]["clause"] == "4.6d"
    assert claims[0]["severity"] == "high"
    assert len(claims[0]["phrasings"]) == 1


def test_bad_claims_are_named_with_the_reason() -> None:
    found = problems(
        '[[claim]]\nid = "a"\ntext = "quá ngắn"\nclause = "9.9"\ndebunked = "2020"\n'
        'source_url = "ftp://x"\n[[claim]]\nid = "a"\ntext = "một hai ba bốn năm sáu"\n'
        '[[claim]]\nid = "hoax"\ntext = "một hai ba bốn năm sáu"\n[[claim]]\nid = "b"\n'
    )
    joined = "\n".join(found)
    assert "claim a: unknown clause `9.9`" in joined
    assert 'claim a: phrasing "quá ngắn" has 2 words' in joined
    assert "claim a: debunked `2020` is not a YYYY-MM-DD date" in joined
    assert "claim a: source_url `ftp://x` is not an http(s) address" in joined
    assert "claim a: duplicate claim id" in joined
    assert "claim hoax: a rule has the same id" in joined
    assert "claim b: has neither text nor phrasings" in joined
    assert any(
        "unknown field `texts`" in p for p in problems('[[claim]]\nid = "c"\ntexts = ["x"]\n')
    )


def test_restatements_are_findings_with_claim_id_similarity_and_span() -> None:
    index = claim_index(ruleset(), context=20)
    assert index is not None
    posts = [
        "Mọi người ơi!!! NHA MAY NUOC song Duong bi nhiem doc, khong duoc dung nuoc may 😱 "
        "https://bit.ly/x",
        "nước máy hà nội nhiễm độc do nhà máy sông đuống nhé",
        "Nhà máy nước sông Đuống hoạt động bình thường, nước máy an toàn để dùng",
        "Hôm nay trời đẹp, đi chơi thôi",
        None,
    ]
    found = index.scan(posts).to_pylist()
    assert [f["row"] for f in found] == [0, 1]
    first = found[0]
    assert (first["rule_id"], first["term"], first["clause_id"]) == ("claim:water", "water", "4.6d")
    assert first["severity"] == "high" and first["view"] == "fold"
    assert first["confidence"] == 1.0
    text = posts[0]
    assert text is not None
    assert text[first["start"] : first["end"]] == first["matched"]
    assert first["matched"] == "NHA MAY NUOC song Duong bi nhiem doc, khong duoc dung nuoc may"
    assert first["context"][first["context_start"] :].startswith(first["matched"])
    assert index.threshold <= found[1]["confidence"] <= 1.0


def test_claims_file_csv_and_parquet(tmp_path: Path) -> None:
    csv = tmp_path / "claims.csv"
    csv.write_text(
        "id,text,verdict,source_url,debunked,clause\n"
        "salt,Ăn muối i-ốt giúp chống phóng xạ từ nhà máy điện hạt nhân,false,"
        "https://who.int/x,2011-03-20,4.6d\n"
        "salt,Muối i-ốt chống được nhiễm phóng xạ hạt nhân,,,,\n",
        encoding="utf-8",
    )
    claims = read_claims_file(csv)
    assert claims == [{"id": "salt", "verdict": "false", "source_url": "https://who.int/x",
                       "debunked": "2011-03-20", "clause": "4.6d",
                       "phrasings": ["Ăn muối i-ốt giúp chống phóng xạ từ nhà máy điện hạt nhân",
                                     "Muối i-ốt chống được nhiễm phóng xạ hạt nhân"]}]  # fmt: skip
    parquet = tmp_path / "claims.parquet"
    pq.write_table(pa.table({"id": ["salt"], "text": [claims[0]["phrasings"][0]]}), parquet)
    for path in (csv, parquet):
        index = claim_index(ruleset(""), path)
        assert index is not None and index.claims == 1
        hit = index.scan(["an muoi i-ot giup chong phong xa tu nha may dien hat nhan"])
        assert hit["term"].to_pylist() == ["salt"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("id,body\nx,y\n", "lacks column(s) text"),
        ("id,text,colour\nx,một hai ba bốn năm,red\n", "unknown claims column(s) colour"),
        ("id,text\n,một hai ba bốn năm\n", "row 1: empty id"),
    ],
)
def test_bad_claims_files_are_named(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=re.escape(message)):
        read_claims_file(path)


def test_claims_file_problems_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("id,text,clause\nx,một hai ba bốn năm sáu,7.7\n", encoding="utf-8")
    with pytest.raises(RulesetError) as caught:
        claim_index(ruleset(), path)
    assert caught.value.problems == [(str(path), "claim x", "unknown clause `7.7`")]


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", normalise("fold", text))


def _pairs(words: list[str]) -> set[tuple[str, str]]:
    return set(itertools.pairwise(words))


def _reference_similarity(claim: str, post: str) -> float:
    """Plain Python, for one claim (every weight equal): 0.8 of the word and 0.2 of the
    word-pair containment of the claim in the window of the post around the pairs they share
    (widened by the claim's length either side), times min(1, claim length / span of the shared
    pairs)."""
    c, p = _words(claim), _words(post)
    shared = [i for i, pair in enumerate(itertools.pairwise(p)) if pair in _pairs(c)]
    first, last = shared[0], shared[-1]
    window = p[max(0, first - len(c)) : last + 2 + len(c)]
    containment = (0.8 * len(set(c) & set(window)) / len(set(c))
                   + 0.2 * len(_pairs(c) & _pairs(window)) / len(_pairs(c)))  # fmt: skip
    return containment * min(1.0, len(c) / (last - first + 2))


VOCAB = ["nước", "nuoc", "máy", "độc", "sông", "Đuống", "HÀ", "nội", "an", "toàn", "🙂", "5G"]


@settings(max_examples=300, deadline=None)
@given(
    claim=st.lists(st.sampled_from(VOCAB), min_size=6, max_size=9),
    post=st.lists(st.sampled_from(VOCAB), min_size=2, max_size=30),
)
def test_similarity_equals_the_plain_reference(claim: list[str], post: list[str]) -> None:
    claim_text, post_text = " ".join(claim), " ".join(post)
    if len(_words(claim_text)) < 5:
        return
    index = ClaimIndex(ruleset(""), json.dumps([{"id": "c", "text": claim_text}]), threshold=0.01)
    best = index.best(post_text)
    if not _pairs(_words(claim_text)) & _pairs(_words(post_text)):
        assert best is None
    else:
        assert best is not None
        assert best["similarity"] == pytest.approx(_reference_similarity(claim_text, post_text),
                                                   abs=1e-5)  # fmt: skip


def test_a_claim_sharing_only_common_words_with_the_post_scores_low() -> None:
    # Claims of one template: the words they share weigh little next to each claim's own, so a
    # sibling keeping 8 of a claim's 10 words (all but the name) stays under the threshold.
    template = "Phương tiện liên quan tới {} tại Wikimedia Commons"
    names = ["Hypena madefactalis", "Fagraea gitingensis", "Wedding ceremonies", "Rail tracks",
             "Joseon Dynasty", "Victoria Australia", "Neolamprologus mondabu"]  # fmt: skip
    claims = [{"id": f"c{i}", "text": template.format(n)} for i, n in enumerate(names)]
    index = ClaimIndex(ruleset(""), json.dumps(claims))
    sibling = index.best(template.format("Oryza sativa"))
    assert sibling is not None and sibling["similarity"] < index.threshold
    same = index.best("phuong tien lien quan toi hypena madefactalis tai wikimedia commons")
    assert (
        same is not None and same["claim_id"] == "c0" and same["similarity"] == pytest.approx(1.0)
    )


def test_scan_archive_writes_claim_violations_and_rescans_when_claims_change(
    tmp_path: Path,
) -> None:
    archive = tmp_path / "a.parquet"
    pq.write_table(pa.table({
        "post_id": ["1", "2"], "account_id": ["a", "b"],
        "text": ["Muoi i-ot chong duoc nhiem phong xa hat nhan!!", "trời đẹp"],
    }), archive)  # fmt: skip
    csv = tmp_path / "claims.csv"
    csv.write_text("id,text\nsalt,Muối i-ốt chống được nhiễm phóng xạ hạt nhân\n", encoding="utf-8")
    out = tmp_path / "out"
    scan_archive([archive], out, claims=csv)
    violations = pl.read_parquet(out / "violations")
    claims = violations.filter(pl.col("rule_id") == "claim:salt")
    assert claims["post_id"].to_list() == ["1"]
    assert claims["matched"].to_list() == ["Muoi i-ot chong duoc nhiem phong xa hat nhan"]
    # Without the claims file the input is scanned again, and the claim finding is gone.
    summary = scan_archive([archive], out)
    assert summary.inputs[0].status == "scanned"
    parts = list((out / "violations").glob("*.parquet"))
    assert not parts or pl.read_parquet(parts).filter(pl.col("rule_id") == "claim:salt").is_empty()


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "conduct_scan", *args], capture_output=True,
                          text=True, check=False)  # fmt: skip


def test_rules_explain_shows_the_best_claim(tmp_path: Path) -> None:
    path = tmp_path / "r.toml"
    path.write_text(HEAD + CLAIM, encoding="utf-8")
    done = _cli("rules", "explain", "-r", str(path), "--json",
                "nha may nuoc song Duong bi nhiem doc khong duoc dung nuoc may")  # fmt: skip
    assert done.returncode == 0, done.stderr
    claim = json.loads(done.stdout)["claim"]
    assert claim["claim_id"] == "water" and claim["matches"] is True
    assert claim["similarity"] == pytest.approx(1.0)
    done = _cli("rules", "explain", "-r", str(path), "nước sông Đuống hôm nay trong xanh")
    assert "best claim: water (4.6d, false) similarity" in done.stdout
    assert f"below the threshold of {_core.DEFAULT_CLAIM_THRESHOLD:g}" in done.stdout


def test_cli_bad_claims_file_is_one_line_exit_2(tmp_path: Path) -> None:
    archive = tmp_path / "a.parquet"
    pq.write_table(pa.table({"post_id": ["1"], "account_id": ["a"], "text": ["x"]}), archive)
    bad = tmp_path / "claims.csv"
    bad.write_text("id,body\n", encoding="utf-8")
    done = _cli("scan", str(archive), "--out", str(tmp_path / "o"), "--claims", str(bad), "-q")
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"conduct-scan: error: {bad}: claims file lacks column(s) text (columns: id, body)"
    ]
    assert "Traceback" not in done.stderr


def test_bundled_claims_are_valid_and_match() -> None:
    index = claim_index(Ruleset.load())
    assert index is not None and index.claims >= 5
    hit = index.scan(["Cảnh báo: sóng 5G làm lây lan virus corona, tắt ngay!"])
    assert hit["rule_id"].to_pylist() == ["claim:covid.5g-spreads-virus"]
    assert pytest.approx(index.threshold) == _core.DEFAULT_CLAIM_THRESHOLD
