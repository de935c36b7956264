"""`make bench-spark`: the local engine against Spark local[1] and local[2] (also with
spark.task.cpus=2: one worker scanning with both cores), in one run.

Each engine audits the same demo archive (bundled ruleset, ``-t title -t text``) in its own
`conduct-scan scan` process; the order is interleaved over ``--repeat`` rounds and the median
is reported. Two figures per engine:

- end to end: MB of text over the process's wall time (Spark's includes starting the JVM and
  the session, and writing through Spark);
- scan: MB of text over the run's own seconds from the manifest (``run.seconds`` less the
  ruleset's compile time), i.e. without the process start.

    python -m benchmarks.bench_spark --posts 12500000 --repeat 1   # ~1 GB of text

``--archive DIR`` reuses an archive; with ``--posts`` and no archive there, one is generated
into DIR and kept (else into a temporary directory, removed at the end).
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
    # One task at a time, its scanner on both cores (rayon), one Python worker.
    "Spark local[2], task.cpus=2": ["--engine", "spark", "--spark-master", "local[2]",
                                    "--spark-conf", "spark.task.cpus=2"],
}  # fmt: skip
SPARK_CONF = ["--spark-conf", "spark.ui.enabled=false", "--spark-conf", "spark.driver.memory=2g"]


def _run(archive: Path, out: Path, extra: list[str]) -> dict[str, float]:
    command = [sys.executable, "-m", "conduct_scan", "scan", str(archive), "--out", str(out),
               "-t", "title", "-t", "text", "-q", "--log-json", "--fresh", *extra]  # fmt: skip
    if "--engine" in extra:
        command = [c for c in command if c != "--fresh"] + SPARK_CONF
    env = {**os.environ, "PYSPARK_PYTHON": sys.executable}
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as stderr:
        run = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=stderr, text=True,
                               env=env)  # fmt: skip
        cpu: dict[int, float] = {}
        roles: dict[int, str] = {}
        while run.poll() is None:
            cpu.update(_tree_cpu(run.pid, cpu, roles))
            time.sleep(0.25)
        wall = time.perf_counter() - started
        if run.returncode != 0:
            stderr.seek(0)
            raise SystemExit(f"{' '.join(command)} failed ({run.returncode}):\n"
                             f"{stderr.read()[-2000:]}")  # fmt: skip
    manifest = json.loads((out / "manifest.json").read_text())
    totals = manifest["totals"]
    scan_seconds = manifest["run"]["seconds"] - totals["compile_seconds"]
    by_role = {role: sum(c for pid, c in cpu.items() if roles.get(pid) == role)
               for role in ("jvm", "workers")}  # fmt: skip
    return {"wall": wall, "scan": scan_seconds, "bytes": totals["bytes_scanned"],
            "cpu": sum(cpu.values()), **by_role, "findings": totals["findings"],
            "posts": totals["posts_scanned"]}  # fmt: skip


def _tree_cpu(root: int, seen: dict[int, float], roles: dict[int, str]) -> dict[int, float]:
    """CPU seconds (user + system) so far of ``root`` and its descendants (the JVM, Spark's
    Python workers), from /proc: the load of other users' processes does not change them
    much, so they compare the engines' work on a busy machine (the last quarter second of each
    process is missed). ``roles`` gets each process's role: ``jvm``, ``workers`` (Spark's
    Python daemon and the workers it forks) or the driver (not named).
    """
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry)] = int(fields[1])
        times[int(entry)] = (int(fields[11]) + int(fields[12])) / tick
    tree, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent and pid not in tree]
        tree.update(children)
        frontier.extend(children)
    for pid in tree:
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                command = cmdline.read().split(b"\0")[:3]
        except OSError:
            continue
        if command and command[0].endswith(b"java"):
            roles[pid] = "jvm"
        elif b"pyspark.daemon" in command:
            roles[pid] = "workers"
    return {pid: max(times[pid], seen.get(pid, 0.0)) for pid in tree if pid in times}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=2_000_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--archive", type=Path, help="reuse this archive (else generated)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="conduct-scan-bench-spark-"))
    try:
        archive = args.archive or work / "archive"
        if not archive.exists():
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
        print(
            "| engine | end to end s | MB/s | scan s | MB/s | vs local engine (end to end) "
            "| CPU s | MB per CPU-s | of which JVM | Python workers |"
        )
        print("|---|---|---|---|---|---|---|---|---|---|")
        base = statistics.median(r["wall"] for r in results["local engine (2 threads)"])
        for name, runs in results.items():
            wall = statistics.median(r["wall"] for r in runs)
            scan = statistics.median(r["scan"] for r in runs)
            cpu = statistics.median(r["cpu"] for r in runs)
            jvm = statistics.median(r["jvm"] for r in runs)
            workers = statistics.median(r["workers"] for r in runs)
            print(f"| {name} | {wall:.1f} | {text / wall:.1f} | {scan:.1f} | {text / scan:.1f} "
                  f"| {base / wall:.2f}x | {cpu:.0f} | {text / cpu:.1f} | {jvm:.0f} "
                  f"| {workers:.0f} |")  # fmt: skip
        one = statistics.median(r["wall"] for r in results["Spark local[1]"])
        for name in ("Spark local[2]", "Spark local[2], task.cpus=2"):
            two = statistics.median(r["wall"] for r in results[name])
            print(f"\n{name} over local[1]: {one / two:.2f}x", end="")
        print()
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
