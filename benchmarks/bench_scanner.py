"""Native ``Scanner.scan`` throughput per view, and the physical references.

On the main corpus (``CONDUCT_SCAN_BENCH_MB``, 100 MB by default), with the benchmark ruleset
(2,000 terms, ~50 patterns, ``match = "word"``), the text column decoded once outside the timing
and handed over zero-copy:

- ``conduct_scan`` with every rule in one view (``exact``, ``casefold``, ``fold``,
  ``skeleton``) and in all four at once, with 1 and 2 threads: views built, terms
  (aho-corasick) and patterns (Hyperscan) matched, word boundaries verified, offsets mapped
  back, findings returned as an Arrow table;
- ``parquet decode``: reading the columns ``conduct-scan scan`` reads (post id, account, time,
  text) from the zstd Parquet file with ``pyarrow``, on one core, in batches of 65,536 rows;
- ``bare hs_scan``: one Hyperscan database of the same terms (escaped) and patterns
  (``UTF8 | UCP | CASELESS``) over the raw bytes of each row, one thread, matches counted and
  nothing else (``conduct_scan._core.BareHyperscan``).

Decode plus bare scan is the physical limit of an audit on one core: ``results.py`` compares
the end-to-end runs with it.
"""

from __future__ import annotations

from typing import Any

import pyarrow.parquet as pq
import pytest

from benchmarks.corpus import PATTERNS, Corpus, ruleset_toml, terms
from benchmarks.peers import OUTPUT_COLUMNS
from benchmarks.settings import CpuClock, record, rounds
from conduct_scan import Ruleset, Scanner
from conduct_scan._core import BareHyperscan

TERMS = terms(2000)
VIEWS = {
    "exact": ("exact",),
    "casefold": ("casefold",),
    "fold": ("fold",),
    "skeleton": ("skeleton",),
    "all": ("exact", "casefold", "fold", "skeleton"),
}


@pytest.mark.benchmark(group="scanner")
@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("view", list(VIEWS))
def test_scanner(benchmark: Any, scan_corpus: Corpus, view: str, threads: int) -> None:
    scanner = Scanner(Ruleset.from_toml(ruleset_toml(TERMS, PATTERNS, VIEWS[view])), threads)
    texts = scan_corpus.texts()
    clock = CpuClock(scanner.scan)
    result = benchmark.pedantic(clock, args=(texts,), rounds=rounds(), warmup_rounds=1)
    record(
        benchmark,
        "scan",
        "conduct_scan",
        scan_corpus,
        view=view,
        threads=threads,
        cores_busy=clock.cores_busy(benchmark),
        terms=len(TERMS),
        patterns=len(PATTERNS),
        findings=result.num_rows,
        flagged=len(set(result.column("row").to_pylist())),
    )


@pytest.mark.benchmark(group="reference")
def test_parquet_decode(benchmark: Any, scan_corpus: Corpus) -> None:
    def decode() -> int:
        file = pq.ParquetFile(scan_corpus.path)
        batches = file.iter_batches(65_536, columns=[*OUTPUT_COLUMNS, "text"], use_threads=False)
        return sum(batch.num_rows for batch in batches)

    benchmark.pedantic(decode, rounds=rounds(), warmup_rounds=1)
    record(benchmark, "reference", "parquet decode", scan_corpus, threads=1)


@pytest.mark.benchmark(group="reference")
def test_bare_hs_scan(benchmark: Any, scan_corpus: Corpus) -> None:
    reference = BareHyperscan(list(TERMS), PATTERNS)
    texts = scan_corpus.texts()
    matches = benchmark.pedantic(reference.scan, args=(texts,), rounds=rounds(), warmup_rounds=1)
    record(
        benchmark,
        "reference",
        "bare hs_scan",
        scan_corpus,
        threads=1,
        matches=matches,
        terms=len(TERMS),
        patterns=len(PATTERNS),
    )
