"""Shared fixtures of the benchmark suite (sizes: ``benchmarks/settings.py``).

The JSON that pytest-benchmark writes records the machine (CPU, cores, memory, load average
before and after the run) and the versions of every library raced, for ``benchmarks/results.py``.
"""

from __future__ import annotations

import os
import platform
from importlib import metadata
from typing import Any

import pytest

from benchmarks.corpus import Corpus, corpus
from benchmarks.settings import end_to_end_sizes, main_mb, rounds, sample_mb

_LOAD_AT_START: tuple[float, float, float] | None = None


@pytest.fixture(scope="session")
def scan_corpus() -> Corpus:
    return corpus(main_mb())


@pytest.fixture(scope="session")
def sample_corpus() -> Corpus:
    return corpus(sample_mb())


def pytest_configure(config: pytest.Config) -> None:
    global _LOAD_AT_START
    _LOAD_AT_START = os.getloadavg()
    config.addinivalue_line(
        "markers", "gate: the pair of benchmarks the CI gate compares (make bench-ci)"
    )


def _memory_gb() -> float | None:
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def pytest_benchmark_update_machine_info(
    config: pytest.Config, machine_info: dict[str, Any]
) -> None:
    from benchmarks.corpus import has_real_data
    from conduct_scan._core import HYPERSCAN_VERSION

    versions = {}
    for package in (
        "conduct-scan",
        "polars",
        "pyarrow",
        "duckdb",
        "hyperscan",
        "pyahocorasick",
        "numpy",
        "pytest-benchmark",
    ):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    machine_info["conduct_scan"] = {
        "cores": os.cpu_count(),
        "memory_gb": _memory_gb(),
        "kernel": platform.release(),
        "load_at_start": [round(x, 2) for x in _LOAD_AT_START or ()],
        "load_at_end": [round(x, 2) for x in os.getloadavg()],
        "libhs": HYPERSCAN_VERSION,
        "versions": versions,
        "corpus": "real" if has_real_data() else "synthetic",
        "settings": {
            "main_mb": main_mb(),
            "sample_mb": sample_mb(),
            "end_to_end_sizes": end_to_end_sizes(),
            "rounds": rounds(),
        },
    }
