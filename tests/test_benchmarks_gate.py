"""The CI gate (``make bench-ci``): its decision, fed with a small fake benchmark JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import benchmarks.__main__ as cli
from benchmarks.gate import decide, decide_bundled, decide_bundled_end_to_end
from tests.benchmark_fixtures import bench, corpus, gate_pair, machine


def _run(**kwargs: Any) -> dict[str, Any]:
    return {"machine_info": machine(), "benchmarks": gate_pair(**kwargs)}


def test_passes_at_two_and_a_half_times_polars() -> None:
    verdict = decide(_run(conduct_scan=0.1, polars=0.25))
    assert verdict.ok and verdict.ratio == pytest.approx(2.5)
    assert verdict.line == (
        "bench-ci: OK: conduct_scan 100.0 MB/s vs polars contains_any + contains 40.0 MB/s on "
        "10 MB (real corpus): 2.50x, needs 2.00x"
    )


def test_fails_below_twice_polars() -> None:
    verdict = decide(_run(conduct_scan=0.1, polars=0.15))
    assert not verdict.ok and verdict.line.startswith("bench-ci: FAIL: ")
    assert "1.50x, needs 2.00x" in verdict.line and "\n" not in verdict.line


def test_says_how_many_cores_conduct_scan_could_use() -> None:
    line = decide(_run(polars=0.19, cores_busy=1.0)).line
    assert "conduct_scan 100.0 MB/s on 1.0 cores vs" in line
    assert line.endswith(
        "(conduct_scan kept 1.0 of its 2 threads busy: other work on the machine took a core)"
    )
    assert "took a core" not in decide(_run(cores_busy=1.9)).line


def test_the_minimum_is_a_parameter() -> None:
    assert decide(_run(conduct_scan=0.1, polars=0.15), minimum=1.4).ok


def test_fails_when_the_race_is_unfair() -> None:
    verdict = decide(_run(conduct_scan=0.1, polars=0.5, equal=False))
    assert not verdict.ok and "flag different posts (2 on the common subset)" in verdict.line


def test_fails_without_both_sides_on_the_same_corpus() -> None:
    assert not decide({"benchmarks": []}).ok
    verdict = decide(_run(polars_mb=100))
    assert not verdict.ok and "measured on the same corpus" in verdict.line


def _bundled_pair(conduct_scan: float = 0.1, hyperscan: float = 0.15) -> list[dict[str, Any]]:
    """The bundled-ruleset gate pair: Scanner.scan and python-hyperscan per row."""
    return [
        bench("b", "bundled", conduct_scan, kind="bundled", system="conduct_scan", threads=2,
              **corpus(10)),
        bench("h", "bundled", hyperscan, kind="bundled", system="python-hyperscan per row",
              threads=1, **corpus(10)),
    ]  # fmt: skip


def test_bundled_gate_compares_with_python_hyperscan_per_row() -> None:
    data = {"machine_info": machine(), "benchmarks": _bundled_pair(0.1, 0.15)}
    verdict = decide_bundled(data, minimum=1.2)
    assert verdict.ok and verdict.ratio == pytest.approx(1.5)
    assert not decide_bundled(data, minimum=2.0).ok
    assert not decide_bundled({"benchmarks": []}).ok


def _end_to_end_pair(conduct_scan: float = 0.1, hyperscan: float = 0.15) -> list[dict[str, Any]]:
    """The bundled end-to-end gate pair: scan_archive and python-hyperscan per row."""
    return [
        bench("e", "bundled-e2e", conduct_scan, kind="bundled-e2e", system="conduct_scan",
              threads=2, **corpus(10)),
        bench("eh", "bundled-e2e", hyperscan, kind="bundled-e2e",
              system="python-hyperscan per row", threads=1, **corpus(10)),
    ]  # fmt: skip


def test_end_to_end_gate_compares_the_whole_trip_with_python_hyperscan() -> None:
    data = {"machine_info": machine(), "benchmarks": _end_to_end_pair(0.1, 0.15)}
    verdict = decide_bundled_end_to_end(data, minimum=1.2)
    assert verdict.ok and verdict.ratio == pytest.approx(1.5)
    assert "end to end (claims included)" in verdict.line and "1.50x, needs 1.20x" in verdict.line
    assert not decide_bundled_end_to_end(data, minimum=2.0).ok
    # The in-memory pair alone does not stand in for the end-to-end one.
    in_memory = {"machine_info": machine(), "benchmarks": _bundled_pair()}
    assert not decide_bundled_end_to_end(in_memory).ok
    other_corpus = _end_to_end_pair()
    other_corpus[1]["extra_info"]["bytes"] = 5 * 10**6
    assert not decide_bundled_end_to_end({"benchmarks": other_corpus}).ok


def _fake_pytest(data: dict[str, Any], status: int = 0) -> Any:
    def run(files: list[str], json_path: Path, env: dict[str, str], *extra: str) -> int:
        assert files == ["bench_peers.py", "bench_bundled.py"] and "-m" in extra
        assert "gate" in extra and env["CONDUCT_SCAN_BENCH_MB"] == "10"
        data["benchmarks"] = data["benchmarks"] + _bundled_pair() + _end_to_end_pair()
        json_path.write_text(json.dumps(data))
        return status

    return run


@pytest.mark.parametrize(("polars", "status"), [(0.25, 0), (0.15, 1)])
def test_ci_command_exit_status(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    polars: float,
    status: int,
) -> None:
    monkeypatch.delenv("CONDUCT_SCAN_BENCH_MB", raising=False)
    monkeypatch.setattr(cli, "CACHE", tmp_path)
    monkeypatch.setattr(cli, "_pytest", _fake_pytest(_run(polars=polars)))
    assert cli.main(["ci"]) == status
    assert (
        capsys.readouterr()
        .out.strip()
        .startswith("bench-ci: OK" if not status else "bench-ci: FAIL")
    )


def test_ci_command_fails_when_the_benchmarks_fail(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setattr(cli, "CACHE", tmp_path)
    monkeypatch.setattr(cli, "_pytest", _fake_pytest(_run(), status=2))
    assert cli.main(["ci"]) == 1
    assert "did not run" in capsys.readouterr().out


def test_ci_minimum_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CONDUCT_SCAN_BENCH_MIN_RATIO", "1.2")
    monkeypatch.setattr(cli, "CACHE", tmp_path)
    monkeypatch.setattr(cli, "_pytest", _fake_pytest(_run(polars=0.15)))
    assert cli.main(["ci"]) == 0
