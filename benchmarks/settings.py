"""Sizes, rounds and the record every benchmark leaves in pytest-benchmark's JSON.

Sizes and rounds come from the environment so that ``make bench`` (full), ``make bench-ci``
(10 MB) and a developer's quick run use the same tests:

- ``CONDUCT_SCAN_BENCH_MB``: corpus of the in-memory benchmarks (default 100 MB);
- ``CONDUCT_SCAN_BENCH_SAMPLE_MB``: corpus of the slow per-row Python peers and of the
  ruleset-size curve (default 10 MB, at most the former);
- ``CONDUCT_SCAN_BENCH_SIZES``: archive sizes of the end-to-end runs (default ``10,100``;
  ``make bench`` adds 1000);
- ``CONDUCT_SCAN_BENCH_ROUNDS``: timed rounds of each in-memory benchmark (default 5).
"""

from __future__ import annotations

import os
import resource
import statistics
from collections.abc import Callable
from typing import Any

from benchmarks.corpus import Corpus


def env_int(name: str, default: int) -> int:
    """An integer setting from the environment."""
    return int(os.environ.get(name, default))


def main_mb() -> int:
    """Corpus size of the in-memory benchmarks (``CONDUCT_SCAN_BENCH_MB``)."""
    return env_int("CONDUCT_SCAN_BENCH_MB", 100)


def sample_mb() -> int:
    """Corpus size of the per-row Python peers (``CONDUCT_SCAN_BENCH_SAMPLE_MB``)."""
    return min(env_int("CONDUCT_SCAN_BENCH_SAMPLE_MB", 10), main_mb())


def end_to_end_sizes() -> list[int]:
    """Archive sizes of the end-to-end runs (``CONDUCT_SCAN_BENCH_SIZES``)."""
    return [int(s) for s in os.environ.get("CONDUCT_SCAN_BENCH_SIZES", "10,100").split(",")]


def rounds() -> int:
    """Timed rounds of each in-memory benchmark (``CONDUCT_SCAN_BENCH_ROUNDS``)."""
    return env_int("CONDUCT_SCAN_BENCH_ROUNDS", 5)


def record(
    benchmark: Any, kind: str, system: str, corpus: Corpus | None = None, **info: Any
) -> None:
    """Describe a benchmark in its ``extra_info`` (what ``benchmarks/results.py`` reads).

    Parameters
    ----------
    benchmark
        The pytest-benchmark fixture.
    kind
        ``scan``, ``peer``, ``reference``, ``ruleset``, ``end-to-end`` or ``gate``.
    system
        ``conduct_scan`` or the peer's name.
    corpus
        The corpus measured (its bytes give MB/s).
    **info
        Anything else: ``threads``, ``view``, ``findings``, ``flagged``, ``agreement``...
    """
    benchmark.extra_info.update(
        {"kind": kind, "system": system, **(corpus.describe() if corpus else {}), **info}
    )


class CpuClock:
    """Wraps a benchmark's target to add up the CPU time the process spends in each call.

    CPU time over wall time is how many cores a system kept busy: on a shared machine it tells
    a system that could not get its second core (conduct_scan at 1.0 instead of 1.9) from one
    that never uses it.
    """

    def __init__(self, target: Callable[..., Any], warmup_rounds: int = 1) -> None:
        self.target = target
        self.warmup_rounds = warmup_rounds
        self.seconds: list[float] = []

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        started = _cpu_seconds()
        result = self.target(*args, **kwargs)
        self.seconds.append(_cpu_seconds() - started)
        return result

    def cores_busy(self, benchmark: Any) -> float | None:
        """Median CPU seconds per timed round over the median wall seconds."""
        timed = self.seconds[self.warmup_rounds :]
        wall = benchmark.stats.stats.median if benchmark.stats else 0
        return round(statistics.median(timed) / wall, 2) if timed and wall else None


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
