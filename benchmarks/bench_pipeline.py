"""End to end: a Parquet archive in, the flagged posts out as Parquet, in a child process.

Every run is a separate process, started by the small launcher ``benchmarks/child.py`` so that
its peak resident memory (``ru_maxrss`` from ``wait4``) is its own:

- ``conduct-scan scan ARCHIVE --out OUT --ruleset bench.toml --threads N``: the benchmark
  ruleset (2,000 terms, ~50 patterns, casefold, word boundaries), violations with evidence and
  context plus per-account counts written as Parquet; sizes ``CONDUCT_SCAN_BENCH_SIZES``
  (10 MB and 100 MB by default, ``make bench`` adds 1 GB), 1 and 2 threads. Memory must stay
  flat as the archive grows: it is bounded by the batch size, not the archive;
- the same with the bundled ruleset (every view, conditions) on the main corpus;
- each peer (``python -m benchmarks.peers``) at every size up to the main corpus (Polars
  ``contains_any`` + ``contains``, the reference peer, at every size), pyahocorasick on the
  sample only.

Two durations are kept per run: ``work_seconds``, what the process reports for its own work
(ruleset compile, read, match, write; for conduct-scan the ``seconds`` of its JSON summary),
from which MB/s and the ratios are computed, and the wall time of the child, which adds the
interpreter's start and imports (about half a second). Compiled Hyperscan databases go to a
cache private to the benchmark session, warm after the first run, as on every night after the
first, and so does python-hyperscan's database (``hyperscan.dumpb``/``loadb``);
``bench_rulesets.py`` measures the cold compile.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from benchmarks.corpus import PATTERNS, ROOT, corpus, ruleset_toml, terms
from benchmarks.peers import PEERS, SLUGS
from benchmarks.settings import end_to_end_sizes, main_mb, record, sample_mb

SIZES = end_to_end_sizes()
REFERENCE_PEER = "polars-contains"


@dataclass(frozen=True)
class ChildRun:
    """One child process: wall time, peak RSS and the JSON line it printed last."""

    wall_seconds: float
    peak_rss_mb: float
    output: dict[str, Any]


def run_child(command: list[str], env: dict[str, str] | None = None) -> ChildRun:
    """Run ``command`` through ``benchmarks.child``, which measures its peak RSS on its own."""
    with tempfile.TemporaryDirectory() as folder:
        report, out, err = (Path(folder) / name for name in ("report.json", "out", "err"))
        with out.open("wb") as stdout, err.open("wb") as stderr:
            status = subprocess.call(
                [sys.executable, "-m", "benchmarks.child", str(report), "--", *command],
                stdout=stdout,
                stderr=stderr,
                cwd=ROOT,
                env={**os.environ, **(env or {})},
            )
        if status:
            tail = err.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"{' '.join(command)} exited {status}:\n{tail}")
        measured = json.loads(report.read_text())
        lines = out.read_text().strip().splitlines()
    return ChildRun(measured["wall_seconds"], measured["peak_rss_mb"], json.loads(lines[-1]))


@pytest.fixture(scope="session")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Ruleset file and Hyperscan cache of the session."""
    folder = tmp_path_factory.mktemp("end-to-end")
    (folder / "bench.toml").write_text(ruleset_toml(terms(2000), PATTERNS), encoding="utf-8")
    (folder / "hs-cache").mkdir()
    return folder


def _bench(benchmark: Any, megabytes: int, command: Any) -> list[ChildRun]:
    """Time ``command(out)`` in a child; rounds fewer as the archive grows."""
    runs: list[ChildRun] = []
    out = Path(tempfile.mkdtemp(prefix="conduct-scan-bench-"))

    def run() -> None:
        runs.append(command(out))

    small = megabytes <= 100
    benchmark.pedantic(run, rounds=3 if small else 1, warmup_rounds=1 if small else 0)
    runs = runs[1:] if small else runs  # the warm-up round
    subprocess.run(["rm", "-rf", str(out)], check=False)
    return runs


def _record(benchmark: Any, system: str, megabytes: int, runs: list[ChildRun], **info: Any) -> None:
    archive = corpus(megabytes)
    record(
        benchmark,
        "end-to-end",
        system,
        archive,
        megabytes=megabytes,
        work_seconds=[r.output["seconds"] for r in runs],
        wall_seconds=[r.wall_seconds for r in runs],
        peak_rss_mb=max(r.peak_rss_mb for r in runs),
        **info,
    )


@pytest.mark.benchmark(group="end-to-end")
@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("megabytes", SIZES)
def test_conduct_scan(benchmark: Any, workdir: Path, megabytes: int, threads: int) -> None:
    archive = corpus(megabytes)

    def command(out: Path) -> ChildRun:
        return run_child(
            [
                sys.executable,
                "-m",
                "conduct_scan",
                "scan",
                str(archive.path),
                "--out",
                str(out),
                "--ruleset",
                str(workdir / "bench.toml"),
                "--threads",
                str(threads),
                "-q",
                "--log-json",
                "--fresh",
            ],
            env={"CONDUCT_SCAN_CACHE_DIR": str(workdir / "hs-cache")},
        )

    runs = _bench(benchmark, megabytes, command)
    _record(
        benchmark,
        "conduct_scan",
        megabytes,
        runs,
        threads=threads,
        ruleset="benchmark",
        findings=runs[-1].output["findings"],
    )


@pytest.mark.benchmark(group="end-to-end")
def test_conduct_scan_bundled(benchmark: Any, workdir: Path) -> None:
    megabytes = main_mb()
    archive = corpus(megabytes)

    def command(out: Path) -> ChildRun:
        return run_child(
            [
                sys.executable,
                "-m",
                "conduct_scan",
                "scan",
                str(archive.path),
                "--out",
                str(out),
                "-q",
                "--log-json",
                "--fresh",
            ],
            env={"CONDUCT_SCAN_CACHE_DIR": str(workdir / "hs-cache")},
        )

    runs = _bench(benchmark, megabytes, command)
    _record(
        benchmark,
        "conduct_scan (bundled ruleset)",
        megabytes,
        runs,
        threads=os.cpu_count(),
        ruleset="bundled",
        findings=runs[-1].output["findings"],
    )


def _peer_cases() -> list[tuple[str, int]]:
    cases = []
    for slug, name in SLUGS.items():
        if PEERS[name].sample_only:
            cases.append((slug, sample_mb()))
        else:
            cases += [(slug, mb) for mb in SIZES if mb <= main_mb() or slug == REFERENCE_PEER]
    return cases


@pytest.mark.benchmark(group="end-to-end")
@pytest.mark.parametrize(("slug", "megabytes"), _peer_cases())
def test_peer(benchmark: Any, workdir: Path, slug: str, megabytes: int) -> None:
    archive = corpus(megabytes)

    def command(out: Path) -> ChildRun:
        target = out / "flagged.parquet"
        target.unlink(missing_ok=True)
        return run_child(
            [sys.executable, "-m", "benchmarks.peers", slug, str(archive.path), str(target)],
            env={"CONDUCT_SCAN_BENCH_PEER_CACHE": str(workdir / "hs-cache")},
        )

    runs = _bench(benchmark, megabytes, command)
    _record(
        benchmark,
        SLUGS[slug],
        megabytes,
        runs,
        threads=runs[-1].output["threads"],
        flagged=runs[-1].output["flagged"],
    )
