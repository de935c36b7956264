"""End-to-end ``conduct-scan scan``: Parquet in, violations Parquet out.

Each run is a separate process (``python -m conduct_scan.cli scan ... --log-json``), so its
peak resident memory is measured on its own (``ru_maxrss`` of the child). Sizes: 10 MB and
100 MB of text by default; ``CONDUCT_SCAN_BENCH_SIZES=10,100,1000`` adds the 1 GB archive
(memory must stay flat as the archive grows: it is bounded by the batch size).
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

from benchmarks.corpus import corpus

SIZES = [int(s) for s in os.environ.get("CONDUCT_SCAN_BENCH_SIZES", "10,100").split(",")]


def run_scan(path: Path, threads: int | None = None) -> dict[str, Any]:
    """One ``conduct-scan scan`` in a child process: its JSON summary plus peak RSS (MB)."""
    out = Path(tempfile.mkdtemp(prefix="conduct-scan-bench-"))
    command = [sys.executable, "-m", "conduct_scan", "scan", str(path), "--out", str(out),
               "-q", "--log-json", "--fresh"]  # fmt: skip
    if threads:
        command += ["--threads", str(threads)]
    try:
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        summary: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
        # ru_maxrss of children is the maximum over all children so far: only trust growth.
        summary["peak_rss_mb"] = peak_kb / 1024 if peak_kb > before else None
        return summary
    finally:
        shutil.rmtree(out, ignore_errors=True)


@pytest.mark.benchmark(group="end-to-end")
@pytest.mark.parametrize("megabytes", SIZES)
def test_end_to_end_scan(benchmark: Any, megabytes: int) -> None:
    archive = corpus(megabytes)
    results: list[dict[str, Any]] = []

    def run() -> None:
        results.append(run_scan(archive.path))

    benchmark.pedantic(run, rounds=3 if megabytes <= 100 else 1, warmup_rounds=0)
    peaks = [r["peak_rss_mb"] for r in results if r["peak_rss_mb"]]
    benchmark.extra_info.update(
        {"system": "conduct-scan scan", "bytes": archive.text_bytes, "posts": archive.posts,
         "corpus": archive.source, "megabytes": megabytes, "threads": os.cpu_count(),
         "peak_rss_mb": max(peaks) if peaks else None,
         "findings": results[-1]["findings"]}
    )  # fmt: skip
