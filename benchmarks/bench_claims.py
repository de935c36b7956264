"""Known claims and copy-paste campaigns, measured (``make bench-claims``; issue 16).

Labelled sets are built from real sentences (Vietnamese Wikipedia, ``viwiki_7.9k.parquet`` of
the shared data) with planted rewordings and copies; sentences are cut into a *tune* half (used
to choose the similarity threshold) and an *eval* half (reported here) by a SHA-256 of the
sentence, so the figures below are not tuned on.

    python -m benchmarks.bench_claims quality [PART [THRESHOLD]]  # claims recall, false matches
    python -m benchmarks.bench_claims quality-clean [PART [THRESHOLD]]  # same, posts by rule
    python -m benchmarks.bench_claims campaigns      # cluster precision/recall, decoys
    python -m benchmarks.bench_claims throughput N [DIR]  # campaigns over N posts (RSS, CPU)
    python -m benchmarks.bench_claims scan-speed     # nightly scan, 0 vs 10,000 claims
    python -m benchmarks.bench_claims claims-cost    # bundled claims next to the rule scan

Each prints one JSON line. Without the shared data every command says so and exits 0.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from conduct_scan._core import Ruleset, normalise
from conduct_scan.claims import claim_index
from conduct_scan.rules.evaluate import default_data_dir, wiki_sentences

SEED = "issue16"
EMOJI = ["😱", "🔥", "🙏", "‼️", "👉"]


def _half(text: str) -> str:
    digest = hashlib.sha256(f"{SEED}\0{text}".encode()).digest()
    return "eval" if digest[0] >= 128 else "tune"


def article_sentences(part: str) -> list[tuple[int, str]]:
    """The half's distinct sentences, each with the index of the article it was first seen in."""
    path = default_data_dir() / "corpora" / "viwiki_7.9k.parquet"
    if not path.is_file():
        print(json.dumps({"skipped": f"{path} not found (set CONDUCT_SCAN_DATA)"}))
        sys.exit(0)
    articles = pl.read_parquet(path, columns=["text"])["text"].drop_nulls().to_list()
    seen: set[str] = set()
    out = []
    for a, article in enumerate(articles):
        for s in wiki_sentences(article):
            if s not in seen and _half(s) == part:
                seen.add(s)
                out.append((a, s))
    return out


def sentences(part: str) -> list[str]:
    return [s for _, s in article_sentences(part)]


def fold(text: str) -> str:
    stripped = "".join(c for c in unicodedata.normalize("NFD", text)
                       if not unicodedata.combining(c))  # fmt: skip
    return stripped.replace("đ", "d").replace("Đ", "D")


def reword(text: str, keep: float, vocab: list[str], r: random.Random) -> str:
    """``text`` with ``1 - keep`` of its words replaced or deleted, a few words inserted, and
    the usual disguises (diacritics dropped, emoji, a link, a prefix)."""
    words = text.split()
    changed = set(r.sample(range(len(words)), int((1 - keep) * len(words))))
    out = []
    for i, w in enumerate(words):
        if i in changed:
            if r.random() < 0.6:
                out.append(r.choice(vocab))
        else:
            out.append(w)
        if r.random() < 0.05:
            out.append(r.choice(vocab))
    post = " ".join(out)
    if r.random() < 0.5:
        post = fold(post)
    if r.random() < 0.3:
        post = f"{post} {r.choice(EMOJI)}"
    if r.random() < 0.3:
        post = f"{post} https://bit.ly/{r.randrange(10**6)}"
    if r.random() < 0.2:
        post = f"Chia sẻ: {post}"
    return post


def _ends(text: str) -> tuple[str, str]:
    words = fold(text).lower().split()
    return "<" + " ".join(words[:3]), " ".join(words[-3:]) + ">"


def _claims_csv(path: Path, texts: list[str]) -> None:
    pl.DataFrame({"id": [f"k{i}" for i in range(len(texts))], "text": texts}).write_csv(path)


@dataclass
class _ClaimsRun:
    """Rewordings of some of ``claims`` and the matches of both them and the unrelated posts."""

    threshold: float
    picked: list[int]
    keeps: list[float]
    found: pa.Table
    unrelated_found: pa.Table
    seconds: float

    @property
    def recall(self) -> tuple[float, float]:
        """Recall on all rewordings, and on those keeping 60-70% of the words."""
        hits = set(zip(self.found["row"].to_pylist(), self.found["term"].to_pylist(),
                       strict=True))  # fmt: skip
        matched = sum((i, f"k{c}") in hits for i, c in enumerate(self.picked))
        low = [i for i, k in enumerate(self.keeps) if k < 0.7]
        recall_low = sum((i, f"k{self.picked[i]}") in hits for i in low) / max(len(low), 1)
        return round(matched / len(self.picked), 4), round(recall_low, 4)


def _run_claims(claims: list[str], unrelated: list[str], vocab: list[str], r: random.Random,
                reworded_n: int, threshold: float | None = None) -> _ClaimsRun:  # fmt: skip
    """Rewords ``reworded_n`` random claims (keeping 60-100% of their words) and matches the
    rewordings and the unrelated posts against an index of ``claims``."""
    picked = r.sample(range(len(claims)), reworded_n)
    keeps = [r.uniform(0.6, 1.0) for _ in picked]
    posts = [reword(claims[i], k, vocab, r) for i, k in zip(picked, keeps, strict=True)]
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "claims.csv"
        _claims_csv(csv, claims)
        kwargs = {} if threshold is None else {"threshold": threshold}
        index = claim_index(Ruleset.load(), csv, **kwargs)
        assert index is not None
        started = time.perf_counter()
        found = index.scan(posts)
        unrelated_found = index.scan(unrelated)
        seconds = time.perf_counter() - started
    return _ClaimsRun(index.threshold, picked, keeps, found, unrelated_found, seconds)


def quality(part: str = "eval", claims_n: int = 10_000, reworded_n: int = 2_000,
            unrelated_n: int = 100_000,
            threshold: float | None = None) -> dict[str, Any]:  # fmt: skip
    r = random.Random(SEED)
    pool = [s for s in sentences(part) if 10 <= len(s.split()) <= 40]
    r.shuffle(pool)
    claims = pool[:claims_n]
    unrelated = pool[claims_n : claims_n + unrelated_n]
    vocab = [w for s in unrelated[:5_000] for w in s.split()]
    run = _run_claims(claims, unrelated, vocab, r, reworded_n, threshold)
    # Wikipedia repeats templates ("X tại Từ điển bách khoa Việt Nam", "Theo Tổng điều tra dân
    # số ..., người X ..."): a sibling of a claim's template keeps most of its words, a
    # rewording by the issue's own definition. The "distinct" figure leaves out sentences
    # that share their first or last three words with a claim.
    ends = {k for c in claims for k in _ends(c)}
    distinct = [i for i, s in enumerate(unrelated) if not set(_ends(s)) & ends]
    false_rows = set(run.unrelated_found["row"].to_pylist())
    false_distinct = len(false_rows & set(distinct))
    recall, recall_low = run.recall
    return {
        "part": part, "claims": len(claims), "threshold": run.threshold,
        "rewordings": len(run.picked), "recall": recall, "recall_keep_0.6_0.7": recall_low,
        "unrelated_posts": len(unrelated), "false_matches": len(false_rows),
        "false_per_10k": round(len(false_rows) / len(unrelated) * 10_000, 3),
        "distinct_unrelated_posts": len(distinct), "false_matches_distinct": false_distinct,
        "false_per_10k_distinct": round(false_distinct / max(len(distinct), 1) * 10_000, 3),
        "seconds": round(run.seconds, 2),
    }  # fmt: skip


def _fold_words(text: str) -> set[str]:
    return set(re.findall(r"[^\W_]+", normalise("fold", text)))


def _rewordings_of(claims: list[str], posts: list[str], keep: float = 0.6) -> list[bool]:
    """Whether each post keeps at least ``keep`` of some claim's distinct fold-view words: a
    rewording by the target's own definition, whatever it says. Exact, with a prefix filter
    (a post sharing that many of a claim's words has one of its rarest ``n - need + 1``)."""
    sets = [_fold_words(c) for c in claims]
    df: dict[str, int] = {}
    for words in sets:
        for w in words:
            df[w] = df.get(w, 0) + 1
    needs: list[int] = []
    index: dict[str, list[int]] = {}
    for c, words in enumerate(sets):
        need = math.ceil(keep * len(words) - 1e-9)
        needs.append(need)
        for w in sorted(words, key=lambda w: (df[w], w))[: len(words) - need + 1]:
            index.setdefault(w, []).append(c)
    out = []
    for post in posts:
        words = _fold_words(post)
        candidates = {c for w in words for c in index.get(w, ())}
        out.append(any(len(sets[c] & words) >= needs[c] for c in candidates))
    return out


def clean_quality(part: str = "eval", claims_n: int = 10_000, reworded_n: int = 2_000,
                  unrelated_n: int = 100_000,
                  threshold: float | None = None) -> dict[str, Any]:  # fmt: skip
    """Claims recall and false matches with unrelated posts that are unrelated by rule: the
    half's articles are cut in two by a SHA-256 of their index, claims come from one part and
    unrelated posts from the other (so no post is a sentence of a claim's own article), and a
    post that keeps >= 60% of some claim's words (a rewording by the target's definition, such
    as a sibling of a Wikipedia template) is counted apart, not as unrelated."""
    r = random.Random(SEED + "clean")
    side: dict[int, bool] = {}
    claim_side, post_side = [], []
    for a, s in article_sentences(part):
        if not 10 <= len(s.split()) <= 40:
            continue
        if a not in side:
            side[a] = hashlib.sha256(f"{SEED}\0article\0{a}".encode()).digest()[0] < 128
        (claim_side if side[a] else post_side).append(s)
    r.shuffle(claim_side)
    r.shuffle(post_side)
    claims, unrelated = claim_side[:claims_n], post_side[:unrelated_n]
    vocab = [w for s in post_side[-5_000:] for w in s.split()]
    run = _run_claims(claims, unrelated, vocab, r, reworded_n, threshold)
    unrelated_found = run.unrelated_found
    recall, recall_low = run.recall
    rewording = _rewordings_of(claims, unrelated)
    false_rows = set(unrelated_found["row"].to_pylist())
    clean = [i for i, is_rewording in enumerate(rewording) if not is_rewording]
    false_clean = sorted(false_rows & set(clean))
    terms = dict(zip(unrelated_found["row"].to_pylist(), unrelated_found["term"].to_pylist(),
                     strict=True))  # fmt: skip
    return {
        "part": part, "claims": len(claims), "threshold": run.threshold,
        "rewordings": len(run.picked), "recall": recall, "recall_keep_0.6_0.7": recall_low,
        "other_article_posts": len(unrelated), "false_matches_other_articles": len(false_rows),
        "false_per_10k_other_articles": round(len(false_rows) / len(unrelated) * 1e4, 3),
        "posts_keeping_60pct_of_a_claim": len(unrelated) - len(clean),
        "unrelated_posts": len(clean), "false_matches": len(false_clean),
        "false_per_10k": round(len(false_clean) / max(len(clean), 1) * 1e4, 3),
        "false_examples": [[unrelated[i], claims[int(terms[i][1:])]] for i in false_clean[:5]],
    }  # fmt: skip


def _archive(root: Path, rows: list[dict[str, Any]], files: int = 4) -> None:
    root.mkdir(parents=True, exist_ok=True)
    table = pa.Table.from_pylist(rows)
    step = -(-table.num_rows // files)
    for f in range(files):
        pq.write_table(table.slice(f * step, step), root / f"part-{f}.parquet")


def campaigns(part: str = "eval") -> dict[str, Any]:
    from conduct_scan.campaigns import find_campaigns
    from conduct_scan.demo_campaigns import copy_of
    from conduct_scan.pipeline import scan_archive

    r = random.Random(SEED + "campaigns")
    pool = [s for s in sentences(part) if 10 <= len(s.split()) <= 40]
    r.shuffle(pool)
    t0 = 1_764_000_000.0
    rows: list[dict[str, Any]] = []
    truth: dict[str, str] = {}

    def post(text: str, account: str, when: float, label: str | None) -> None:
        pid = f"p{len(rows)}"
        stamp = pa.scalar(int(when * 1e6), pa.timestamp("us", "UTC")).as_py()
        rows.append({"post_id": pid, "account_id": account, "text": text, "created_at": stamp})
        if label:
            truth[pid] = label

    background = pool[:50_000]
    for s in background:
        post(s, f"u{r.randrange(20_000)}", t0 + r.uniform(0, 3 * 86400), None)
    at = 50_000
    claims = []
    kinds: dict[str, str] = {}
    for c in range(200):
        text = pool[at]
        at += 1
        kind = ["claim", "hoax", "plain", "lyrics"][c % 4]
        label = f"camp{c}"
        kinds[label] = kind
        if kind == "claim":
            claims.append(text)
        if kind == "hoax":
            text = f"{text}, chia sẻ trước khi bị xóa"
        start = t0 + r.uniform(0, 2 * 86400)
        hours = r.uniform(1, 20)
        for a in r.sample(range(20_000), r.randrange(5, 31)):
            post(copy_of(text, r), f"u{a}", start + r.uniform(0, hours * 3600), label)
    # Negative controls: too few accounts, or spread over more than the window.
    for c in range(50):
        text = pool[at]
        at += 1
        start = t0 + r.uniform(0, 86400)
        if c % 2:
            for a in r.sample(range(20_000), 3):
                post(copy_of(text, r), f"u{a}", start + r.uniform(0, 3600), None)
        else:
            for k, a in enumerate(r.sample(range(20_000), 6)):
                post(copy_of(text, r), f"u{a}", start + k * 30 * 3600, None)
    greetings = ["Chúc mừng năm mới an khang thịnh vượng", "Chúc mọi người ngủ ngon nhé",
                 "Chúc mừng sinh nhật bạn nhiều sức khỏe",
                 "Cảm ơn mọi người đã chúc mừng"]  # fmt: skip
    for g in greetings:
        for a in r.sample(range(20_000), 300):
            post(g, f"u{a}", t0 + r.uniform(0, 86400), "greeting")
    with tempfile.TemporaryDirectory() as tmp:
        archive, out = Path(tmp) / "archive", Path(tmp) / "out"
        _archive(archive, rows)
        csv = Path(tmp) / "claims.csv"
        _claims_csv(csv, claims)
        scan_archive([archive], out, claims=csv)
        started = time.perf_counter()
        find_campaigns(out)
        seconds = time.perf_counter() - started
        clusters = pl.read_parquet(out / "campaigns" / "clusters.parquet")
    planted = {label for label in truth.values() if label.startswith("camp")}
    copies: dict[str, int] = {}
    for label in truth.values():
        copies[label] = copies.get(label, 0) + 1
    correct, found, raised_decoys, raised_rumours, unraised_rumours = 0, set(), 0, 0, 0
    for c in clusters.to_dicts():
        labels = [truth.get(m["post_id"]) for m in c["members"]]
        top = max(set(labels), key=labels.count)
        share = labels.count(top) / len(labels)
        if top and top.startswith("camp") and share >= 0.9:
            correct += 1
            if labels.count(top) >= 0.8 * copies[top]:
                found.add(top)
            if kinds[top] == "lyrics" and c["clause_id"]:
                raised_decoys += 1
            if kinds[top] in ("claim", "hoax"):
                raised_rumours += c["clause_id"] == "4.6d"
                unraised_rumours += c["clause_id"] != "4.6d"
        elif top == "greeting":
            raised_decoys += bool(c["clause_id"])
    return {
        "part": part, "posts": len(rows), "planted": len(planted), "clusters": clusters.height,
        "recall": round(len(found) / len(planted), 4),
        "precision": round(correct / max(clusters.height, 1), 4),
        "rumours_raised_4.6d": raised_rumours, "rumours_not_raised": unraised_rumours,
        "decoys_raised": raised_decoys, "seconds": round(seconds, 2),
    }  # fmt: skip


def make_posts(root: Path, n: int, rows_per_file: int = 1_000_000) -> None:
    """``n`` distinct posts (two random sentences each) in files of ``rows_per_file``."""
    pool = pa.array(sentences("eval") + sentences("tune"), pa.large_string())
    rng = np.random.default_rng(16)
    root.mkdir(parents=True, exist_ok=True)
    for f, lo in enumerate(range(0, n, rows_per_file)):
        k = min(rows_per_file, n - lo)
        a = pool.take(pa.array(rng.integers(0, len(pool), k)))
        b = pool.take(pa.array(rng.integers(0, len(pool), k)))
        text = pc.binary_join_element_wise(
            a, pc.utf8_slice_codeunits(b, 0, 60), pa.scalar(" ", pa.large_string())
        )
        table = pa.table({
            "post_id": pa.array([f"p{i}" for i in range(lo, lo + k)]),
            "account_id": pa.array(rng.integers(0, 2_000_000, k).astype(str)),
            "created_at": pa.array((1_764_000_000_000_000 + rng.integers(0, 86_400_000_000, k)),
                                   pa.timestamp("us", "UTC")),
            "text": text,
        })  # fmt: skip
        pq.write_table(table, root / f"part-{f:04d}.parquet")


def throughput(n: int, root: str | None = None) -> dict[str, Any]:
    """Campaign detection over an archive of ``n`` posts with planted campaigns: wall and CPU
    time and peak RSS of the detector alone (``/usr/bin/time -v``; the archive is written
    first by ``benchmarks.campaign_archive`` in a process of its own), and the campaigns found.
    With ``root`` the archive is kept there (and reused when it exists)."""
    tmp = Path(root) if root else Path(tempfile.mkdtemp(prefix="bench-campaigns-"))
    try:
        archive = tmp / "archive"
        if not (tmp / "truth.parquet").exists():
            subprocess.run([sys.executable, "-m", "benchmarks.campaign_archive", str(tmp),
                            str(n)], check=True)  # fmt: skip
        size = sum(p.stat().st_size for p in archive.iterdir())
        out = tmp / "out"
        shutil.rmtree(out, ignore_errors=True)
        code = ("import sys, json; from conduct_scan.campaigns import find_campaigns; "
                "s = find_campaigns(sys.argv[1], [sys.argv[2]]); "
                "print(json.dumps(s.to_dict()))")  # fmt: skip
        timer = ["/usr/bin/time", "-v"] if Path("/usr/bin/time").exists() else []
        load = os.getloadavg()[0]
        started = time.perf_counter()
        done = subprocess.run([*timer, sys.executable, "-c", code, str(out), str(archive)],
                              check=True, capture_output=True, text=True)  # fmt: skip
        wall = time.perf_counter() - started
        result = json.loads(done.stdout.strip().splitlines()[-1])
        stats = dict(line.strip().rsplit(": ", 1) for line in done.stderr.splitlines()
                     if ": " in line)  # fmt: skip
        truth = pl.read_parquet(tmp / "truth.parquet")
        members = pl.read_parquet(out / "campaigns" / "members.parquet")
        recall, precision = _planted_scores(truth, members, min_share=0.8)
        return {"posts": result["posts"], "archive_mb": round(size / 1e6, 1),
                "wall_seconds": round(wall, 1),
                "cpu_seconds": round(float(stats.get("User time (seconds)", "nan"))
                                     + float(stats.get("System time (seconds)", "nan")), 1),
                "peak_rss_mb": round(int(stats.get("Maximum resident set size (kbytes)", 0))
                                     / 1024, 1),
                "signed": result["signed"], "candidates": result["candidates"],
                "clusters": result["clusters"], "stages": result["stages"],
                "planted_recall": recall,
                "cluster_precision": precision, "threads": os.cpu_count(),
                "load_before": load, "load_after": os.getloadavg()[0]}  # fmt: skip
    finally:
        if not root:
            shutil.rmtree(tmp, ignore_errors=True)


def _planted_scores(
    truth: pl.DataFrame, members: pl.DataFrame, min_share: float
) -> tuple[float, float]:
    """Share of planted campaigns (``camp*``) found with at least ``min_share`` of their copies,
    and share of clusters that are mostly (90%) one planted campaign."""
    labelled = members.join(truth, on="post_id", how="left")
    top = labelled.group_by("cluster_id").agg(
        pl.col("label").mode().first().alias("label"),
        (pl.col("label") == pl.col("label").mode().first()).mean().alias("share"),
        pl.len().alias("size"),
    )
    copies = truth.group_by("label").len()
    good = top.filter(pl.col("label").str.starts_with("camp") & (pl.col("share") >= 0.9))
    found = good.join(copies, on="label").filter(pl.col("size") >= min_share * pl.col("len"))
    planted = copies.filter(pl.col("label").str.starts_with("camp")).height
    return (round(found["label"].n_unique() / max(planted, 1), 4),
            round(good.height / max(top.height, 1), 4))  # fmt: skip


def scan_speed(posts: int = 200_000, claims_n: int = 10_000, repeats: int = 2) -> dict[str, Any]:
    from conduct_scan.pipeline import scan_archive

    tmp = Path(tempfile.mkdtemp(prefix="bench-claims-scan-"))
    try:
        archive = tmp / "archive"
        make_posts(archive, posts, rows_per_file=50_000)
        r = random.Random(SEED)
        pool = [s for s in sentences("tune") if 10 <= len(s.split()) <= 40]
        csv = tmp / "claims.csv"
        _claims_csv(csv, r.sample(pool, claims_n))
        times: dict[str, list[float]] = {"none": [], "claims": []}
        for _ in range(repeats):  # interleaved, so load changes hit both alike
            for name, claims in (("none", None), ("claims", csv)):
                out = tmp / f"out-{name}"
                shutil.rmtree(out, ignore_errors=True)
                summary = scan_archive([archive], out, claims=claims)
                times[name].append(summary.scan_seconds)
        mb = summary.scanned_bytes_this_run / 1e6
        none, with_claims = statistics.median(times["none"]), statistics.median(times["claims"])
        return {"posts": posts, "mb_of_text": round(mb, 1), "claims": claims_n,
                "mb_per_s_without": round(mb / none, 2),
                "mb_per_s_with": round(mb / with_claims, 2),
                "speed_kept": round(none / with_claims, 3), "runs": times,
                "load": os.getloadavg()[0]}  # fmt: skip
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def claims_cost(texts_n: int = 3_000, repeats: int = 3) -> dict[str, Any]:
    """The bundled ruleset's claims next to its rules on real text (Wikipedia articles):
    medians of interleaved runs of each, and what the claims add to the rule scan."""
    from conduct_scan._core import Scanner
    from conduct_scan.pipeline import CONTEXT_CHARS

    path = default_data_dir() / "corpora" / "viwiki_7.9k.parquet"
    if not path.is_file():
        print(json.dumps({"skipped": f"{path} not found (set CONDUCT_SCAN_DATA)"}))
        sys.exit(0)
    texts = [t for t in pq.read_table(path, columns=["text"]).column("text").to_pylist() if t]
    column = pa.chunked_array([pa.array(texts[:texts_n], pa.string())])
    mb = sum(len(t.encode()) for t in texts[:texts_n]) / 1e6
    rules = Ruleset.load()
    scanner = Scanner(rules, context=CONTEXT_CHARS)
    index = claim_index(rules, context=CONTEXT_CHARS)
    assert index is not None
    times: dict[str, list[float]] = {"rules": [], "claims": []}
    for _ in range(repeats):
        for name, run in (("rules", scanner.scan), ("claims", index.scan)):
            started = time.perf_counter()
            run(column)
            times[name].append(time.perf_counter() - started)
    rules_s, claims_s = statistics.median(times["rules"]), statistics.median(times["claims"])
    return {"texts": texts_n, "mb_of_text": round(mb, 1), "claims": index.claims,
            "mb_per_s_rules": round(mb / rules_s, 2), "mb_per_s_claims": round(mb / claims_s, 2),
            "claims_add_to_rules": round(claims_s / rules_s, 3), "runs": times,
            "load": os.getloadavg()[0]}  # fmt: skip


def main(argv: list[str]) -> None:
    command = argv[0] if argv else "quality"
    if command == "quality":
        part = argv[1] if len(argv) > 1 else "eval"
        threshold = float(argv[2]) if len(argv) > 2 else None
        result = quality(part, threshold=threshold)
    elif command == "quality-clean":
        result = clean_quality(argv[1] if len(argv) > 1 else "eval",
                               threshold=float(argv[2]) if len(argv) > 2 else None)  # fmt: skip
    elif command == "campaigns":
        result = campaigns(argv[1] if len(argv) > 1 else "eval")
    elif command == "throughput":
        result = throughput(int(argv[1]) if len(argv) > 1 else 1_000_000,
                            argv[2] if len(argv) > 2 else None)  # fmt: skip
    elif command == "scan-speed":
        result = scan_speed()
    elif command == "claims-cost":
        result = claims_cost()
    else:
        raise SystemExit(f"unknown command {command!r}")
    result["max_rss_mb_this_process"] = round(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    )
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
