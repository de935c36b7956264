"""The regex engine under the scanner: the built-in Vectorscan against the system's Hyperscan.

``make bench-engines`` builds the extension twice (the default, Vectorscan compiled from source
and linked in; and ``--features system-hyperscan``, Debian's ``libhs.so.5``) into two virtual
environments, then runs this module: ``python -m benchmarks.engines PYTHON...`` times
``Scanner.scan`` with the bundled ruleset over the same 30 MB corpus in each interpreter, the
runs interleaved so that both engines see the same machine load, and prints MB/s (median of 5
per round) and the findings, which must be equal.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time

ROUNDS = 3
REPEATS = 5
MEGABYTES = 30


def measure() -> dict[str, object]:
    """One interpreter's figures (run in the child)."""
    from benchmarks.corpus import corpus
    from conduct_scan import HYPERSCAN_VERSION, Ruleset, Scanner

    data = corpus(MEGABYTES)
    texts = data.texts()
    scanner = Scanner(Ruleset.load())
    findings = scanner.scan(texts).num_rows
    seconds = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        scanner.scan(texts)
        seconds.append(time.perf_counter() - started)
    return {
        "engine": HYPERSCAN_VERSION,
        "findings": findings,
        "mb_per_s": data.text_bytes / 1e6 / statistics.median(seconds),
        "corpus": data.source,
    }


def main(pythons: list[str]) -> int:
    load = os.getloadavg()[0]
    rows: dict[str, list[float]] = {}
    findings: dict[str, int] = {}
    for _ in range(ROUNDS):
        for python in pythons:
            out = subprocess.run([python, "-m", "benchmarks.engines", "--child"], check=True,
                                 capture_output=True, text=True).stdout  # fmt: skip
            figures = json.loads(out.strip().splitlines()[-1])
            rows.setdefault(str(figures["engine"]), []).append(float(figures["mb_per_s"]))
            findings[str(figures["engine"])] = int(figures["findings"])  # type: ignore[call-overload]
    print(f"Scanner.scan, bundled ruleset, {MEGABYTES} MB corpus, load {load:.2f} at start")
    print("| engine | MB/s (median of rounds) | rounds | findings |")
    print("|---|---|---|---|")
    for engine, figures in rows.items():
        rounds = ", ".join(f"{f:.1f}" for f in figures)
        print(f"| {engine} | {statistics.median(figures):.1f} | {rounds} | {findings[engine]:,} |")
    if len(set(findings.values())) != 1:
        print("the engines disagree on the findings", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    if sys.argv[1:] == ["--child"]:
        print(json.dumps(measure()))
    else:
        sys.exit(main(sys.argv[1:]))
