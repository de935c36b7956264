"""The race: conduct_scan and its peers on the same texts, terms and patterns, in one run.

Every system flags the posts of the corpus that contain any of the benchmark's 2,000 terms or
~50 patterns (see ``benchmarks/peers.py`` for how each peer does it). conduct_scan runs its
default configuration (casefold view, word boundaries, every core) and does more than any peer:
Unicode case folding and NFKC, word boundaries, character offsets and evidence for each match.

The peers run on the main corpus, except pyahocorasick + ``re``, whose Python loop runs at a
few MB/s: it runs on the sample corpus (``CONDUCT_SCAN_BENCH_SAMPLE_MB``, 10 MB by default),
against which conduct_scan is measured too (``conduct_scan (sample)``). python-hyperscan's loop
costs about a microsecond a row, little next to the scan, so it races on the main corpus.

After timing, each peer's agreement with conduct_scan is checked on the sample where their
semantics coincide (plain-ASCII terms, ASCII patterns, ``match = "substring"``, posts whose
casefold view is their lower-casing) and recorded in ``extra_info["agreement"]``: the flagged
posts must be the same, or the race is not fair.

The two benchmarks marked ``gate`` are what ``make bench-ci`` compares.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np
import pytest

from benchmarks.corpus import (
    PATTERNS,
    Corpus,
    agreement_patterns,
    agreement_terms,
    ruleset_toml,
    terms,
)
from benchmarks.peers import (
    PEERS,
    Mask,
    Workload,
    agreement,
    coinciding,
    conduct_scan_flags,
)
from benchmarks.settings import CpuClock, record, rounds
from conduct_scan import Ruleset, Scanner

TERMS = terms(2000)
WORK = Workload(TERMS, tuple(PATTERNS))
ON_MAIN = [name for name, peer in PEERS.items() if not peer.sample_only]
GATE_PEER = "polars contains_any + contains"
ON_SAMPLE = [name for name, peer in PEERS.items() if peer.sample_only]


def _conduct_scan(benchmark: Any, corpus: Corpus, system: str) -> None:
    scanner = Scanner(Ruleset.from_toml(ruleset_toml(TERMS, PATTERNS)))
    texts = corpus.texts()
    clock = CpuClock(scanner.scan)
    result = benchmark.pedantic(clock, args=(texts,), rounds=rounds(), warmup_rounds=1)
    record(
        benchmark,
        "peer",
        system,
        corpus,
        threads=scanner.threads,
        cores_busy=clock.cores_busy(benchmark),
        view="casefold",
        terms=len(TERMS),
        patterns=len(PATTERNS),
        findings=result.num_rows,
        flagged=int(conduct_scan_flags(result, len(texts)).sum()),
    )


@pytest.mark.gate
@pytest.mark.benchmark(group="peers")
def test_conduct_scan(benchmark: Any, scan_corpus: Corpus) -> None:
    _conduct_scan(benchmark, scan_corpus, "conduct_scan")


@pytest.mark.benchmark(group="peers")
def test_conduct_scan_sample(benchmark: Any, sample_corpus: Corpus) -> None:
    _conduct_scan(benchmark, sample_corpus, "conduct_scan (sample)")


@cache
def _agreement_baseline(corpus: Corpus) -> tuple[Mask, Mask]:
    """conduct_scan's flagged posts on the agreement workload, and the coinciding posts."""
    texts = corpus.texts()
    ruleset = ruleset_toml(
        agreement_terms(TERMS), agreement_patterns(PATTERNS), ("casefold",), match="substring"
    )
    ours = conduct_scan_flags(Scanner(Ruleset.from_toml(ruleset)).scan(texts), len(texts))
    return ours, coinciding(texts)


def _agreement(peer_name: str, corpus: Corpus) -> dict[str, Any]:
    ours, same = _agreement_baseline(corpus)
    work = Workload(tuple(agreement_terms(TERMS)), tuple(agreement_patterns(PATTERNS)))
    peer = PEERS[peer_name](work)
    texts = corpus.texts()
    found = agreement(ours, peer.flag(peer.prepare(texts)), same, texts)
    found.update(
        terms=len(work.terms), patterns=len(work.patterns), corpus_mb=round(corpus.megabytes)
    )
    return found


def _peer(benchmark: Any, corpus: Corpus, sample: Corpus, name: str) -> None:
    peer = PEERS[name](WORK)
    prepared = peer.prepare(corpus.texts())
    clock = CpuClock(peer.flag)
    flags = benchmark.pedantic(clock, args=(prepared,), rounds=rounds(), warmup_rounds=1)
    record(
        benchmark,
        "peer",
        name,
        corpus,
        threads=peer.threads,
        cores_busy=clock.cores_busy(benchmark),
        terms=len(TERMS),
        patterns=len(PATTERNS),
        flagged=int(np.sum(flags)),
        agreement=_agreement(name, sample),
    )


@pytest.mark.benchmark(group="peers")
@pytest.mark.parametrize(
    "name", [pytest.param(n, marks=[pytest.mark.gate] if n == GATE_PEER else []) for n in ON_MAIN]
)
def test_peer(benchmark: Any, scan_corpus: Corpus, sample_corpus: Corpus, name: str) -> None:
    _peer(benchmark, scan_corpus, sample_corpus, name)


@pytest.mark.benchmark(group="peers")
@pytest.mark.parametrize("name", ON_SAMPLE)
def test_peer_sample(benchmark: Any, sample_corpus: Corpus, name: str) -> None:
    _peer(benchmark, sample_corpus, sample_corpus, name)
