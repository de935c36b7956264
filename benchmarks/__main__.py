"""``python -m benchmarks``: run the suite, the CI gate, or re-render the results.

- ``run``: every ``bench_*.py`` with pytest-benchmark (the report benchmark in a process of its
  own, so that its peak-RSS figure is its own), the JSON merged into ``results.json``, then
  ``RESULTS.md`` and ``plots/`` rendered (``make bench``). Archive sizes default to 10 MB,
  100 MB and 1 GB; ``--quick`` runs 10 MB only, writes under ``benchmarks/.corpus/quick/`` and
  leaves the committed results alone.
- ``ci``: the gate benchmarks on 10 MB, then one verdict line per gate (2× Polars; the bundled
  ruleset against python-hyperscan per row in memory and end to end); exit status 1 when one
  fails (``make bench-ci``).
- ``render [JSON]``: ``RESULTS.md`` and the plots again from a JSON, without measuring.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from benchmarks.corpus import CACHE, ROOT

HERE = Path(__file__).resolve().parent
SUITE = [
    "bench_bundled.py",
    "bench_scanner.py",
    "bench_peers.py",
    "bench_rulesets.py",
    "bench_pipeline.py",
]
REPORT = "bench_report.py"


def _pytest(files: list[str], json_path: Path, env: dict[str, str], *extra: str) -> int:
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-p",
        "no:cacheprovider",
        "--benchmark-enable",
        f"--benchmark-json={json_path}",
        "--benchmark-columns=median,min,max,rounds",
        "--benchmark-sort=name",
        *extra,
        *(str(HERE / f) for f in files),
    ]
    print("+", " ".join(command), flush=True)
    return subprocess.call(command, cwd=ROOT, env={**os.environ, **env})


def run(args: argparse.Namespace) -> int:
    """Measure, merge, render."""
    out: Path = args.out or (CACHE / "quick" if args.quick else HERE)
    out.mkdir(parents=True, exist_ok=True)
    env = {"CONDUCT_SCAN_BENCH_SIZES": "10,100,1000", "CONDUCT_SCAN_BENCH_MB": "100"}
    if args.quick:
        env = {
            "CONDUCT_SCAN_BENCH_BIG_MB": "1",
            "CONDUCT_SCAN_BENCH_SIZES": "10",
            "CONDUCT_SCAN_BENCH_MB": "10",
            "CONDUCT_SCAN_BENCH_ROUNDS": "3",
        }
    env = {k: os.environ.get(k, v) for k, v in env.items()}
    parts = [CACHE / "suite.json"]
    extra = ["-k", args.k] if args.k else []
    status = _pytest(SUITE, parts[0], env, *extra)
    if status:
        return status
    if not args.quick and not args.no_report:
        parts.append(CACHE / "report.json")
        status = _pytest([REPORT], parts[1], env, "-s")
        if status:
            return status
    data = json.loads(parts[0].read_text())
    for part in parts[1:]:
        data["benchmarks"] += json.loads(part.read_text())["benchmarks"]
    (out / "results.json").write_text(json.dumps(data, indent=1) + "\n")
    return render_json(out / "results.json", out / "RESULTS.md")


def render_json(json_path: Path, out: Path) -> int:
    """Render ``out`` (and ``plots/`` beside it) from ``json_path``."""
    from benchmarks.results import render

    render(json.loads(json_path.read_text()), out)
    print(f"wrote {out} and {out.parent / 'plots'}/")
    return 0


def ci(args: argparse.Namespace) -> int:
    """The gate: measure the pair on 10 MB, print one line, fail below the minimum ratio."""
    from benchmarks.gate import decide, decide_bundled, decide_bundled_end_to_end

    env = {
        "CONDUCT_SCAN_BENCH_MB": os.environ.get("CONDUCT_SCAN_BENCH_MB", "10"),
        "CONDUCT_SCAN_BENCH_ROUNDS": os.environ.get("CONDUCT_SCAN_BENCH_ROUNDS", "7"),
    }
    json_path = CACHE / "bench-ci.json"
    CACHE.mkdir(parents=True, exist_ok=True)
    status = _pytest(["bench_peers.py", "bench_bundled.py"], json_path, env, "-m", "gate", "-q")
    if status:
        print(f"bench-ci: FAIL: the gate benchmarks did not run (pytest exit {status})")
        return 1
    data = json.loads(json_path.read_text())
    verdicts = [
        decide(data, args.minimum),
        decide_bundled(data, args.bundled_minimum),
        decide_bundled_end_to_end(data, args.bundled_e2e_minimum),
    ]
    for verdict in verdicts:
        print(verdict.line)
    return 0 if all(v.ok for v in verdicts) else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command")
    run_parser = commands.add_parser("run", help="run the suite and write RESULTS.md")
    run_parser.add_argument("--quick", action="store_true", help="10 MB only, 3 rounds")
    run_parser.add_argument("--no-report", action="store_true", help="skip bench_report.py")
    run_parser.add_argument("-k", help="pytest -k expression (a subset of the suite)")
    run_parser.add_argument("--out", type=Path, help="folder for results.json, RESULTS.md, plots")
    ci_parser = commands.add_parser("ci", help="the CI gate (make bench-ci)")
    ci_parser.add_argument("--minimum", type=float, default=None, help="ratio required (2.0)")
    render_parser = commands.add_parser("render", help="RESULTS.md from a JSON")
    render_parser.add_argument("json", type=Path, nargs="?", default=HERE / "results.json")
    render_parser.add_argument("--out", type=Path, default=None, help="RESULTS.md to write")
    args = parser.parse_args(argv)
    if args.command == "ci":
        if args.minimum is None:
            from benchmarks.results import GATE_MINIMUM

            args.minimum = float(os.environ.get("CONDUCT_SCAN_BENCH_MIN_RATIO", GATE_MINIMUM))
        from benchmarks.results import BUNDLED_E2E_GATE_MINIMUM, BUNDLED_GATE_MINIMUM

        args.bundled_minimum = float(
            os.environ.get("CONDUCT_SCAN_BENCH_BUNDLED_MIN_RATIO", BUNDLED_GATE_MINIMUM)
        )
        args.bundled_e2e_minimum = float(
            os.environ.get("CONDUCT_SCAN_BENCH_BUNDLED_E2E_MIN_RATIO", BUNDLED_E2E_GATE_MINIMUM)
        )
        return ci(args)
    if args.command == "render":
        return render_json(args.json, args.out or args.json.parent / "RESULTS.md")
    if args.command in (None, "run"):
        if args.command is None:
            args = run_parser.parse_args([])
        return run(args)
    return 2


if __name__ == "__main__":
    sys.exit(main())
