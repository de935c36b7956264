"""Ruleset compile time and scan speed against ruleset size: 100, 1k, 10k and 100k terms.

The terms are the first ``n`` of ``corpus.terms`` (bundled ruleset, lexicons, then Vietnamese
three-syllable pseudo-phrases), always with the ~50 patterns, in the casefold view:

- ``compile``: ``Scanner(Ruleset.from_toml(...))``, TOML parsing and validation included,
  *cold* (``CONDUCT_SCAN_CACHE_DIR=""``: every Hyperscan database compiled) and *warm* (the
  databases found in the on-disk cache, as on every night after the first);
- ``scan``: ``Scanner.scan`` of the sample corpus (``CONDUCT_SCAN_BENCH_SAMPLE_MB``);
- the Polars peer (``contains_any`` + ``contains``) with the same terms, for the same curve.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from benchmarks.corpus import PATTERNS, Corpus, ruleset_toml, terms
from benchmarks.peers import PolarsContains, Workload
from benchmarks.settings import record, rounds
from conduct_scan import Ruleset, Scanner

SIZES = [100, 1_000, 10_000, 100_000]


@pytest.mark.benchmark(group="ruleset-compile")
@pytest.mark.parametrize("cache", ["cold", "warm"])
@pytest.mark.parametrize("size", SIZES)
def test_compile(
    benchmark: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, size: int, cache: str
) -> None:
    toml = ruleset_toml(terms(size), PATTERNS)
    monkeypatch.setenv("CONDUCT_SCAN_CACHE_DIR", str(tmp_path) if cache == "warm" else "")

    def compile_ruleset() -> Scanner:
        return Scanner(Ruleset.from_toml(toml))

    benchmark.pedantic(compile_ruleset, rounds=3, warmup_rounds=1 if cache == "warm" else 0)
    record(
        benchmark,
        "ruleset",
        "conduct_scan",
        None,
        operation="compile",
        cache=cache,
        terms=size,
        patterns=len(PATTERNS),
    )


@pytest.mark.benchmark(group="ruleset-scan")
@pytest.mark.parametrize("size", SIZES)
def test_scan(benchmark: Any, sample_corpus: Corpus, size: int) -> None:
    scanner = Scanner(Ruleset.from_toml(ruleset_toml(terms(size), PATTERNS)))
    texts = sample_corpus.texts()
    result = benchmark.pedantic(scanner.scan, args=(texts,), rounds=rounds(), warmup_rounds=1)
    record(
        benchmark,
        "ruleset",
        "conduct_scan",
        sample_corpus,
        operation="scan",
        terms=size,
        patterns=len(PATTERNS),
        threads=scanner.threads,
        findings=result.num_rows,
    )


@pytest.mark.benchmark(group="ruleset-scan")
@pytest.mark.parametrize("size", SIZES)
def test_polars(benchmark: Any, sample_corpus: Corpus, size: int) -> None:
    peer = PolarsContains(Workload(terms(size), tuple(PATTERNS)))
    prepared = peer.prepare(sample_corpus.texts())
    benchmark.pedantic(peer.flag, args=(prepared,), rounds=rounds(), warmup_rounds=1)
    record(
        benchmark,
        "ruleset",
        PolarsContains.name,
        sample_corpus,
        operation="scan",
        terms=size,
        patterns=len(PATTERNS),
        threads=peer.threads,
    )
