"""The bundled ruleset: the workload the engine is designed, measured and gated for.

On the main corpus (``CONDUCT_SCAN_BENCH_MB``, real text when ``../shared/data`` is present),
the text column decoded once outside the timing:

- ``Scanner.scan`` with the bundled ruleset (every view it uses, every condition), 1 and 2
  threads;
- its peers given the bundled ruleset's own terms and patterns (those of every rule's
  ``terms`` and ``patterns``, not the conditions): python-hyperscan called per row from Python
  (one database, ``UTF8 | UCP | CASELESS``, every match to a Python callback) and Polars
  ``contains_any`` + one ``contains`` per pattern;
- the dense-match case: 140 common two- and three-syllable Vietnamese phrases
  (``dense_phrases.txt``, about 30% of the posts hit), ``Scanner.scan`` against Polars
  ``contains_any`` on the same phrases.

End to end (``group="bundled-e2e"``, both marked ``gate``): a Parquet archive in, findings out.
``scan_archive`` in this process with the bundled ruleset and its known claims (Parquet decode,
the rule scan, the claims, violations built and written as Parquet, the journal and manifest;
the ruleset's databases come from the on-disk cache, as on every run after the first), against
python-hyperscan per row doing the same trip with the bundled ruleset's terms and patterns:
the ``text`` column read from the same file, every row scanned from Python, the flagged posts'
ids written as Parquet. ``make bench-ci`` gates their ratio (``BUNDLED_E2E_GATE_MINIMUM``).

``test_big_post`` (``make bench-big``) measures the peak RSS of ``Scanner.scan`` in a child
process of its own on one post of 1 MB, 100 MB and 1 GB (``CONDUCT_SCAN_BENCH_BIG_MB``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from benchmarks.corpus import ROOT, Corpus, ruleset_toml
from benchmarks.peers import HyperscanPerRow, PolarsContains, Workload
from benchmarks.settings import CpuClock, record, rounds
from conduct_scan import Ruleset, Scanner
from conduct_scan.pipeline import scan_archive

HERE = Path(__file__).resolve().parent


@cache
def bundled_workload() -> Workload:
    """The bundled ruleset's terms and patterns (each once), as the peers get them."""
    terms: dict[str, None] = {}
    patterns: dict[str, None] = {}
    for rule in json.loads(Ruleset.load().to_json())["rules"]:
        terms.update(dict.fromkeys(rule["terms"]))
        patterns.update(dict.fromkeys(rule["patterns"]))
    return Workload(tuple(terms), tuple(patterns))


@cache
def dense_phrases() -> tuple[str, ...]:
    lines = (HERE / "dense_phrases.txt").read_text(encoding="utf-8").splitlines()
    return tuple(line for line in lines if line and not line.startswith("#"))


def _load() -> list[float]:
    """The load average when a benchmark ran: these runs may be merged into an older JSON."""
    return [round(x, 2) for x in os.getloadavg()]


def _flagged(result: Any) -> int:
    return len(set(result.column("row").to_pylist()))


@pytest.mark.benchmark(group="bundled")
@pytest.mark.parametrize("threads", [1, pytest.param(2, marks=pytest.mark.gate)])
def test_bundled_scanner(benchmark: Any, scan_corpus: Corpus, threads: int) -> None:
    scanner = Scanner(Ruleset.load(), threads)
    texts = scan_corpus.texts()
    clock = CpuClock(scanner.scan)
    result = benchmark.pedantic(clock, args=(texts,), rounds=rounds(), warmup_rounds=1)
    work = bundled_workload()
    record(
        benchmark,
        "bundled",
        "conduct_scan",
        scan_corpus,
        threads=threads,
        cores_busy=clock.cores_busy(benchmark),
        load=_load(),
        terms=len(work.terms),
        patterns=len(work.patterns),
        findings=result.num_rows,
        flagged=_flagged(result),
    )


@pytest.mark.benchmark(group="bundled")
@pytest.mark.parametrize(
    "peer",
    [pytest.param(HyperscanPerRow, marks=pytest.mark.gate), PolarsContains],
    ids=["hyperscan", "polars"],
)
def test_bundled_peer(benchmark: Any, scan_corpus: Corpus, peer: type) -> None:
    work = bundled_workload()
    system = peer(work)
    prepared = system.prepare(scan_corpus.texts())
    clock = CpuClock(system.flag)
    flagged = benchmark.pedantic(clock, args=(prepared,), rounds=rounds(), warmup_rounds=1)
    record(
        benchmark,
        "bundled",
        system.name,
        scan_corpus,
        threads=system.threads,
        cores_busy=clock.cores_busy(benchmark),
        load=_load(),
        terms=len(work.terms),
        patterns=len(work.patterns),
        flagged=int(flagged.sum()),
    )


@pytest.mark.gate
@pytest.mark.benchmark(group="bundled-e2e")
def test_bundled_end_to_end(benchmark: Any, scan_corpus: Corpus, tmp_path: Path) -> None:
    """``scan_archive`` with the bundled ruleset and its claims, a fresh output each round."""
    ruleset = Ruleset.load()
    threads = os.cpu_count() or 1
    rounds_done = iter(range(1_000_000))

    def run() -> Any:
        return scan_archive([scan_corpus.path], tmp_path / f"out-{next(rounds_done)}", ruleset,
                            threads=threads)  # fmt: skip

    clock = CpuClock(run)
    summary = benchmark.pedantic(clock, rounds=rounds(), warmup_rounds=1)
    record(
        benchmark,
        "bundled-e2e",
        "conduct_scan",
        scan_corpus,
        threads=threads,
        cores_busy=clock.cores_busy(benchmark),
        load=_load(),
        findings=summary.total("findings"),
        compile_seconds=round(summary.compile_seconds, 3),
    )


@pytest.mark.gate
@pytest.mark.benchmark(group="bundled-e2e")
def test_bundled_end_to_end_hyperscan(benchmark: Any, scan_corpus: Corpus, tmp_path: Path) -> None:
    """python-hyperscan per row, from the Parquet file to the flagged posts' ids in Parquet."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    system = HyperscanPerRow(bundled_workload())

    def run() -> int:
        table = pq.read_table(scan_corpus.path, columns=["post_id", "text"])
        flagged = system.flag(system.prepare(table.column("text")))
        pq.write_table(
            table.select(["post_id"]).filter(pa.array(flagged)), tmp_path / "flagged.parquet"
        )
        return int(flagged.sum())

    clock = CpuClock(run)
    flagged = benchmark.pedantic(clock, rounds=rounds(), warmup_rounds=1)
    record(
        benchmark,
        "bundled-e2e",
        system.name,
        scan_corpus,
        threads=system.threads,
        cores_busy=clock.cores_busy(benchmark),
        load=_load(),
        flagged=flagged,
    )


@pytest.mark.benchmark(group="dense")
@pytest.mark.parametrize("threads", [1, 2])
def test_dense_scanner(benchmark: Any, scan_corpus: Corpus, threads: int) -> None:
    scanner = Scanner(Ruleset.from_toml(ruleset_toml(dense_phrases(), [])), threads)
    texts = scan_corpus.texts()
    clock = CpuClock(scanner.scan)
    result = benchmark.pedantic(clock, args=(texts,), rounds=rounds(), warmup_rounds=1)
    record(
        benchmark,
        "dense",
        "conduct_scan",
        scan_corpus,
        threads=threads,
        cores_busy=clock.cores_busy(benchmark),
        load=_load(),
        terms=len(dense_phrases()),
        findings=result.num_rows,
        flagged=_flagged(result),
    )


@pytest.mark.benchmark(group="dense")
def test_dense_polars(benchmark: Any, scan_corpus: Corpus) -> None:
    system = PolarsContains(Workload(dense_phrases(), ()))
    prepared = system.prepare(scan_corpus.texts())
    clock = CpuClock(system.flag)
    flagged = benchmark.pedantic(clock, args=(prepared,), rounds=rounds(), warmup_rounds=1)
    record(
        benchmark,
        "dense",
        system.name,
        scan_corpus,
        threads=system.threads,
        cores_busy=clock.cores_busy(benchmark),
        load=_load(),
        terms=len(dense_phrases()),
        flagged=int(flagged.sum()),
    )


BIG_POST = """
import sys, time
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from conduct_scan import Ruleset, Scanner
size, source = int(sys.argv[1]), sys.argv[2]
column = pq.read_table(source, columns=["text"]).column("text").to_pylist()[:100_000]
pieces = [t.encode() for t in column if t]
scanner = Scanner(Ruleset.load(), 1)
parts, total, i = [], 0, 0
while total < size:
    parts.append(pieces[i % len(pieces)])
    total += len(parts[-1]) + 1
    i += 1
data = b" ".join(parts)
del parts, pieces, column
offsets = pa.py_buffer(np.array([0, len(data)], dtype=np.int64).tobytes())
post = pa.LargeStringArray.from_buffers(1, offsets, pa.py_buffer(data))
started = time.perf_counter()
result = scanner.scan(post)
print(result.num_rows, time.perf_counter() - started, len(data))
"""


def big_sizes() -> list[int]:
    """Sizes of the one-post runs, MB (``CONDUCT_SCAN_BENCH_BIG_MB``)."""
    return [int(s) for s in os.environ.get("CONDUCT_SCAN_BENCH_BIG_MB", "1,100,1000").split(",")]


@pytest.mark.benchmark(group="big-post")
@pytest.mark.parametrize("megabytes", big_sizes())
def test_big_post(benchmark: Any, scan_corpus: Corpus, megabytes: int, tmp_path: Path) -> None:
    """Peak RSS of one process scanning one post of ``megabytes`` MB with the bundled ruleset."""
    report = tmp_path / "child.json"
    command = [sys.executable, "-m", "benchmarks.child", str(report), "--", sys.executable]
    command += ["-c", BIG_POST, str(megabytes * 1_000_000), str(scan_corpus.path)]

    def run() -> str:
        return subprocess.run(command, cwd=ROOT, check=True, capture_output=True, text=True).stdout

    out = benchmark.pedantic(run, rounds=1, warmup_rounds=0)
    findings, seconds, size = out.split()
    child = json.loads(report.read_text())
    record(
        benchmark,
        "big-post",
        "conduct_scan",
        None,
        post_mb=int(size) / 1e6,
        bytes=int(size),
        scan_seconds=float(seconds),
        peak_rss_mb=round(child["peak_rss_mb"]),
        findings=int(findings),
        load=_load(),
    )
