"""`make bench-spark`: the local engine against Spark local[1] and local[2], in one run.

Each engine audits the same demo archive (bundled ruleset, ``-t title -t text``) in its own
`conduct-scan scan` process; the order is interleaved over ``--repeat`` rounds and the median
is reported. Two figures per engine:

- end to end: MB of text over the process's wall time (Spark's includes starting the JVM and
  the session, and writing through Spark);
- scan: MB of text over the run's own seconds from the manifest (``run.seconds`` less the
  ruleset's compile time), i.e. without the process start.

    python -m benchmarks.bench_spark --posts 2000000 --repeat 1
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from conduct_scan.demo import generate_archive

ENGINES = {
    "local engine (2 threads)": [],
    "Spark local[1]": ["--engine", "spark", "--spark-master", "local[1]"],
    "Spark local[2]": ["--engine", "spark", "--spark-master", "local[2]"],
}
SPARK_CONF = ["--spark-conf", "spark.ui.enabled=false", "--spark-conf", "spark.driver.memory=2g"]


def _run(archive: Path, out: Path, extra: list[str]) -> dict[str, float]:
    command = [sys.executable, "-m", "conduct_scan", "scan", str(archive), "--out", str(out),
               "-t", "title", "-t", "text", "-q", "--log-json", "--fresh", *extra]  # fmt: skip
    if "--engine" in extra:
        command = [c for c in command if c != "--fresh"] + SPARK_CONF
    env = {**os.environ, "PYSPARK_PYTHON": sys.executable}
    started = time.perf_counter()
    run = subprocess.run(command, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - started
    if run.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({run.returncode}):\n{run.stderr[-2000:]}")
    manifest = json.loads((out / "manifest.json").read_text())
    totals = manifest["totals"]
    scan_seconds = manifest["run"]["seconds"] - totals["compile_seconds"]
    return {"wall": wall, "scan": scan_seconds, "bytes": totals["bytes_scanned"],
            "findings": totals["findings"], "posts": totals["posts_scanned"]}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=2_000_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--archive", type=Path, help="reuse this archive (else generated)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="conduct-scan-bench-spark-"))
    try:
        archive = args.archive or work / "archive"
        if args.archive is None:
            summary = generate_archive(archive, posts=args.posts, days=7, seed=14)
            print(f"archive: {summary.posts:,} posts in {summary.files} files", flush=True)
        size = sum(p.stat().st_size for p in archive.rglob("*.parquet"))
        results: dict[str, list[dict[str, float]]] = {name: [] for name in ENGINES}
        _run(archive, work / "warm", [])  # fills the Hyperscan cache every engine uses
        for _ in range(args.repeat):
            for name, extra in ENGINES.items():
                results[name].append(_run(archive, work / "out", extra))
                print(f"{name}: {results[name][-1]}", flush=True)
        load = os.getloadavg()
        text = results["local engine (2 threads)"][0]["bytes"] / 1e6
        counts = {(r[0]["findings"], r[0]["posts"]) for r in results.values()}
        print(f"\narchive: {size / 1e6:,.0f} MB of Parquet, {text:,.0f} MB of text; "
              f"findings and posts equal in every engine: {len(counts) == 1}; "
              f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}; "
              f"median of {args.repeat}\n")  # fmt: skip
        print("| engine | end to end s | MB/s | scan s | MB/s | vs local engine (end to end) |")
        print("|---|---|---|---|---|---|")
        base = statistics.median(r["wall"] for r in results["local engine (2 threads)"])
        for name, runs in results.items():
            wall = statistics.median(r["wall"] for r in runs)
            scan = statistics.median(r["scan"] for r in runs)
            print(f"| {name} | {wall:.1f} | {text / wall:.1f} | {scan:.1f} | {text / scan:.1f} "
                  f"| {base / wall:.2f}x |")  # fmt: skip
        one = statistics.median(r["wall"] for r in results["Spark local[1]"])
        two = statistics.median(r["wall"] for r in results["Spark local[2]"])
        print(f"\nSpark local[2] over local[1]: {one / two:.2f}x")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
