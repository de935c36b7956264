"""Native ``Scanner.scan`` throughput against Polars and a bare per-row ``hs_scan``.

~2,000 terms and ~50 patterns on a realistic corpus (200 MB by default), in one run:

- ``conduct_scan``: ``Scanner.scan`` over the text column (casefold view: terms and patterns
  matched case-insensitively, word boundaries verified, offsets mapped back), 1 and 2 threads;
- ``polars contains_any``: ``str.contains_any(terms, ascii_case_insensitive=True)``, terms only;
- ``polars contains_any + contains``: the same plus one ``str.contains`` per pattern (the same
  work as the scanner, minus offsets and word boundaries);
- ``bare hs_scan``: one Hyperscan database of the same terms and patterns over the raw bytes of
  each row, one thread, nothing else: the physical limit.
"""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest

from benchmarks.corpus import PATTERNS, Corpus, ruleset_toml, terms
from conduct_scan import Ruleset, Scanner
from conduct_scan._core import BareHyperscan

TERMS = terms(2000)
ROUNDS = 3


def _record(benchmark: Any, corpus: Corpus, system: str, threads: int, **extra: Any) -> None:
    benchmark.extra_info.update(
        {"system": system, "threads": threads, "bytes": corpus.text_bytes, "posts": corpus.posts,
         "corpus": corpus.source, "terms": len(TERMS), "patterns": len(PATTERNS), **extra}
    )  # fmt: skip


@pytest.mark.benchmark(group="scanner")
@pytest.mark.parametrize("threads", [1, 2])
def test_conduct_scan(benchmark: Any, scan_corpus: Corpus, threads: int) -> None:
    scanner = Scanner(Ruleset.from_toml(ruleset_toml(TERMS, PATTERNS)), threads=threads)
    texts = scan_corpus.texts()
    result = benchmark.pedantic(scanner.scan, args=(texts,), rounds=ROUNDS, warmup_rounds=1)
    _record(benchmark, scan_corpus, "conduct_scan", threads, findings=result.num_rows)


@pytest.mark.benchmark(group="scanner")
def test_polars_contains_any(benchmark: Any, scan_corpus: Corpus) -> None:
    series = pl.Series(scan_corpus.texts())

    def run() -> int:
        return int(series.str.contains_any(TERMS, ascii_case_insensitive=True).sum())

    flagged = benchmark.pedantic(run, rounds=ROUNDS, warmup_rounds=1)
    _record(benchmark, scan_corpus, "polars contains_any", pl.thread_pool_size(), flagged=flagged)


@pytest.mark.benchmark(group="scanner")
def test_polars_contains_any_and_patterns(benchmark: Any, scan_corpus: Corpus) -> None:
    frame = pl.DataFrame({"text": pl.Series(scan_corpus.texts())})
    text = pl.col("text")
    expression = text.str.contains_any(TERMS, ascii_case_insensitive=True)
    for pattern in PATTERNS:
        expression = expression | text.str.contains(f"(?i){pattern}")

    def run() -> int:
        return int(frame.select(expression.sum()).item())

    flagged = benchmark.pedantic(run, rounds=ROUNDS, warmup_rounds=1)
    _record(
        benchmark, scan_corpus, "polars contains_any + contains", pl.thread_pool_size(),
        flagged=flagged,
    )  # fmt: skip


@pytest.mark.benchmark(group="scanner")
def test_bare_hs_scan(benchmark: Any, scan_corpus: Corpus) -> None:
    reference = BareHyperscan(TERMS, PATTERNS)
    texts = scan_corpus.texts()
    matches = benchmark.pedantic(reference.scan, args=(texts,), rounds=ROUNDS, warmup_rounds=1)
    _record(benchmark, scan_corpus, "bare hs_scan", 1, matches=matches)
