"""Shared fixtures of the benchmark suite."""

from __future__ import annotations

import os

import pytest

from benchmarks.corpus import Corpus, corpus


def size_mb(default: int) -> int:
    """Corpus size, overridable with CONDUCT_SCAN_BENCH_MB (CI runs a 10 MB corpus)."""
    return int(os.environ.get("CONDUCT_SCAN_BENCH_MB", default))


@pytest.fixture(scope="session")
def scan_corpus() -> Corpus:
    return corpus(size_mb(200))
