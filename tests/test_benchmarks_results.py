"""The benchmark results renderer (``benchmarks/results.py``), fed with a small fake JSON."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.__main__ import main
from benchmarks.results import Results, render
from tests.benchmark_fixtures import bench, corpus, full_run, gate_pair, machine


def _row(text: str, first_cell: str) -> str:
    rows = [line for line in text.splitlines() if line.startswith(f"| {first_cell} |")]
    assert rows, f"no row starting with {first_cell!r}"
    return rows[0]


def test_throughput_is_bytes_over_the_median() -> None:
    results = Results(full_run())
    ours = results.one("peer", system="conduct_scan")
    assert ours is not None and ours.mbps == 100.0
    # End to end: the median of what the child reported for its work, not the wall time.
    e2e = results.end_to_end("conduct_scan", 100, 2)
    assert e2e is not None and e2e.seconds == 2.0 and e2e.mbps == 50.0


def test_targets_are_judged_from_the_same_run(tmp_path: Path) -> None:
    text = render(full_run(), tmp_path / "RESULTS.md", plots=False)
    # 50 MB/s against Polars' 20 at the largest size both ran.
    assert "2.5× at 1000 MB | **not met**" in _row(
        text, "end to end ≥ 5× Polars (contains_any + contains)"
    )
    # Only at 10 MB for python-hyperscan: 50 / 5.
    assert "10× at 10 MB | **met**" in _row(text, "end to end ≥ 5× python-hyperscan per row")
    # Limit: 10 MB in 0.02 + 0.08 s = 100 MB/s; conduct-scan with 1 thread: 25 MB/s.
    limit = _row(text, "end to end ≥ 60% of Parquet decode + bare hs_scan (1 core)")
    assert "25% (25 of 100 MB/s, 10 MB)" in limit and "**not met**" in limit
    memory = "memory flat from 10 MB to 1,000 MB (peak RSS at 1,000 MB ≤ 1.25× at 100 MB)"
    assert "240 → 250 → 260 MB at 10 → 100 → 1,000 MB | **met**" in _row(text, memory)
    assert "2.5× on 10 MB | **met**" in _row(text, "CI gate: `Scanner.scan` ≥ 2× Polars in memory")


def test_tables(tmp_path: Path) -> None:
    text = render(full_run(), tmp_path / "RESULTS.md", plots=False)
    assert "AMD EPYC, 2 cores" in text and "at start [0.1, 0.2, 0.3]" in text
    race = _row(text, "polars contains_any + contains")
    assert "| 40 | 2.5× |" in race and "equal on 990 posts" in race
    # The per-row peer ran on the sample: compared with conduct_scan on the sample corpus.
    assert "| 2.5 | 40× |" in _row(text, "pyahocorasick + re per row")
    assert "- row 7, only polars contains_any + contains: `Straße`" in text
    assert "| 1000 MB | polars contains_any + contains | 2 | 20 |" in text.replace(",", "")
    assert "| casefold | 100 | 200 | 2.0× |" in text
    assert "| 1,000 | 300 ms | – | 100 | 25 | 4.0× |" in text
    assert "## Report (`benchmarks/bench_report.py`)" in text and "500,000" in text
    assert (tmp_path / "RESULTS.md").read_text() == text


def test_plots_are_written(tmp_path: Path) -> None:
    text = render(full_run(), tmp_path / "RESULTS.md")
    for name in ("end_to_end.png", "ruleset_size.png", "in_memory.png"):
        assert (tmp_path / "plots" / name).stat().st_size > 1000
        assert f"(plots/{name})" in text


def test_memory_growing_with_the_archive_is_not_flat(tmp_path: Path) -> None:
    data = full_run()
    for b in data["benchmarks"]:
        if b["extra_info"].get("kind") == "end-to-end" and b["extra_info"].get("megabytes") == 1000:
            b["extra_info"]["peak_rss_mb"] = 1300.0
    text = render(data, tmp_path / "RESULTS.md", plots=False)
    assert "240 → 250 → 1,300 MB at 10 → 100 → 1,000 MB | **not met**" in text


def test_a_partial_run_renders_what_it_has(tmp_path: Path) -> None:
    data = {"machine_info": machine(), "benchmarks": gate_pair()}
    text = render(data, tmp_path / "RESULTS.md")
    assert "## The race, in memory" in text
    assert "## End to end" in text  # the section, with an empty table
    assert "not measured" in _row(text, "end to end ≥ 5× Polars (contains_any + contains)")
    assert "## Ruleset size" not in text and "## Report" not in text


def test_unknown_benchmarks_are_ignored(tmp_path: Path) -> None:
    data = full_run()
    data["benchmarks"].append(bench("test_other", "misc", 1.0, **corpus(10)))
    render(data, tmp_path / "RESULTS.md", plots=False)


def test_render_command(tmp_path: Path) -> None:
    source = tmp_path / "run.json"
    source.write_text(json.dumps(full_run()))
    assert main(["render", str(source), "--out", str(tmp_path / "out" / "RESULTS.md")]) == 0
    assert (tmp_path / "out" / "plots" / "end_to_end.png").exists()


def test_limit_section(tmp_path: Path) -> None:
    text = render(full_run(), tmp_path / "RESULTS.md", plots=False)
    # Bare scan: 10 MB in 0.08 s = 125 MB/s; decode + bare: 100 MB/s.
    assert "| `Scanner.scan`, casefold | 1 | 100 | 80% |  |" in text
    assert "| `Scanner.scan`, casefold | 2 | 200 | 80% |  |" in text
    assert "| `conduct-scan scan` end to end | 1 | 25 |  | 25% |" in text
