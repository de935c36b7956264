"""Small fake pytest-benchmark JSON, for the tests of the results renderer and the CI gate.

Times are chosen so that every ratio is easy to check by hand: the corpus is 10 MB (or 100 MB,
1000 MB end to end), conduct_scan takes 0.1 s per 10 MB in memory (100 MB/s).
"""

from __future__ import annotations

from typing import Any

MB = 1_000_000


def bench(name: str, group: str, median: float, **info: Any) -> dict[str, Any]:
    return {
        "name": name,
        "group": group,
        "extra_info": info,
        "stats": {"median": median, "min": median * 0.9, "max": median * 1.1, "rounds": 3},
    }


def agreement(equal: bool = True) -> dict[str, Any]:
    return {
        "posts": 1000,
        "flagged_conduct_scan": 100,
        "flagged_peer": 103 if not equal else 101,
        "subset_posts": 990,
        "subset_differences": 0 if equal else 2,
        "equal": equal,
        "differences": 1 if equal else 3,
        "examples": [{"row": 7, "flagged_by": "peer", "in_subset": not equal, "text": "Straße"}],
    }


def corpus(megabytes: int) -> dict[str, Any]:
    return {
        "bytes": megabytes * MB,
        "posts": megabytes * 7000,
        "corpus": "real",
        "corpus_mb": megabytes,
    }


def gate_pair(
    conduct_scan: float = 0.1,
    polars: float = 0.25,
    equal: bool = True,
    polars_mb: int = 10,
    cores_busy: float | None = None,
) -> list[dict[str, Any]]:
    """The two gate benchmarks: conduct_scan and Polars in memory."""
    busy = {} if cores_busy is None else {"cores_busy": cores_busy}
    return [
        bench(
            "test_conduct_scan",
            "peers",
            conduct_scan,
            kind="peer",
            system="conduct_scan",
            threads=2,
            flagged=100,
            **busy,
            **corpus(10),
        ),
        bench(
            "test_peer[polars contains_any + contains]",
            "peers",
            polars,
            kind="peer",
            system="polars contains_any + contains",
            threads=2,
            flagged=101,
            agreement=agreement(equal),
            **corpus(polars_mb),
        ),
    ]


def machine() -> dict[str, Any]:
    return {
        "node": "bench",
        "system": "Linux",
        "python_version": "3.11.7",
        "cpu": {"brand_raw": "AMD EPYC", "count": 2, "hz_actual_friendly": "2.6 GHz"},
        "conduct_scan": {
            "cores": 2,
            "memory_gb": 23.5,
            "kernel": "6.1",
            "load_at_start": [0.1, 0.2, 0.3],
            "load_at_end": [0.4, 0.3, 0.3],
            "libhs": "5.4.0",
            "versions": {"polars": "2.1.0", "duckdb": "2.0.1"},
            "corpus": "real",
            "settings": {
                "main_mb": 10,
                "sample_mb": 10,
                "end_to_end_sizes": [10, 100, 1000],
                "rounds": 5,
            },
        },
    }


def end_to_end(
    system: str, megabytes: int, seconds: float, rss: float, threads: int = 2, **info: Any
) -> dict[str, Any]:
    return bench(
        f"test_e2e[{system}-{megabytes}-{threads}]",
        "end-to-end",
        seconds + 0.5,
        kind="end-to-end",
        system=system,
        megabytes=megabytes,
        threads=threads,
        work_seconds=[seconds, seconds * 1.1, seconds * 0.9],
        wall_seconds=[seconds + 0.5] * 3,
        peak_rss_mb=rss,
        **corpus(megabytes),
        **info,
    )


def full_run() -> dict[str, Any]:
    """A run with every kind of benchmark the renderer knows."""
    benchmarks = [
        *gate_pair(),
        bench(
            "test_peer_sample[pyahocorasick + re per row]",
            "peers",
            4.0,
            kind="peer",
            system="pyahocorasick + re per row",
            threads=1,
            flagged=101,
            agreement=agreement(),
            **corpus(10),
        ),
        bench(
            "test_parquet_decode",
            "reference",
            0.02,
            kind="reference",
            system="parquet decode",
            threads=1,
            **corpus(10),
        ),
        bench(
            "test_bare_hs_scan",
            "reference",
            0.08,
            kind="reference",
            system="bare hs_scan",
            threads=1,
            **corpus(10),
        ),
    ]
    for view, one, two in (("casefold", 0.1, 0.05), ("fold", 0.2, 0.1)):
        for threads, seconds in ((1, one), (2, two)):
            benchmarks.append(
                bench(
                    f"test_scanner[{view}-{threads}]",
                    "scanner",
                    seconds,
                    kind="scan",
                    system="conduct_scan",
                    view=view,
                    threads=threads,
                    findings=50,
                    flagged=40,
                    **corpus(10),
                )
            )
    # conduct-scan end to end: 50 MB/s with 2 threads, 25 with 1 at 10 MB; flat memory.
    for megabytes, rss in ((10, 240.0), (100, 250.0), (1000, 260.0)):
        benchmarks.append(end_to_end("conduct_scan", megabytes, megabytes / 50, rss))
        benchmarks.append(end_to_end("conduct_scan", megabytes, megabytes / 25, rss, threads=1))
    # Polars 20 MB/s (conduct-scan 2.5x), python-hyperscan 5 MB/s (10x) at 10 MB.
    for megabytes in (10, 100, 1000):
        benchmarks.append(
            end_to_end(
                "polars contains_any + contains", megabytes, megabytes / 20, 170.0, flagged=10
            )
        )
    benchmarks.append(end_to_end("python-hyperscan per row", 10, 2.0, 200.0, threads=1))
    for terms in (100, 1000):
        benchmarks.append(
            bench(
                f"test_compile[{terms}-cold]",
                "ruleset-compile",
                0.3,
                kind="ruleset",
                system="conduct_scan",
                operation="compile",
                cache="cold",
                terms=terms,
            )
        )
        benchmarks.append(
            bench(
                f"test_scan[{terms}]",
                "ruleset-scan",
                0.1,
                kind="ruleset",
                system="conduct_scan",
                operation="scan",
                terms=terms,
                **corpus(10),
            )
        )
        benchmarks.append(
            bench(
                f"test_polars[{terms}]",
                "ruleset-scan",
                0.4,
                kind="ruleset",
                system="polars contains_any + contains",
                operation="scan",
                terms=terms,
                **corpus(10),
            )
        )
    benchmarks.append(
        {
            "name": "test_write_report",
            "group": "report",
            "extra_info": {"findings": 1_000_000, "flagged_posts": 500_000, "peak_rss_mb": 900},
            "stats": {"median": 2.0, "min": 2.0, "max": 2.1, "rounds": 3},
        }
    )
    return {
        "machine_info": machine(),
        "commit_info": {"id": "0123456789abcdef", "dirty": False},
        "datetime": "2026-11-30T04:00:00+00:00",
        "version": "5.3.1",
        "benchmarks": benchmarks,
    }
