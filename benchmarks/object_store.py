"""The same archive scanned from local disk and from a local S3 server (SeaweedFS).

``make bench-store`` (``python -m benchmarks.object_store [--posts N] [--repeat R]``): writes a
hive-partitioned demo archive, copies it into a bucket of a SeaweedFS started on 127.0.0.1,
then runs ``conduct-scan scan`` with the bundled ruleset (compiled once before, cached) in
four ways: disk → disk, S3 → disk, disk → S3, S3 → S3. It checks that the violations and
account counts of every way equal disk → disk's, and prints the median wall time and MB/s
of text of each (``R`` runs, each into a fresh output), with the archive's size and the load.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polars as pl
import pyarrow.fs as pafs

from conduct_scan.demo import generate_archive
from tests import seaweed

CLI = [sys.executable, "-m", "conduct_scan", "scan"]


def _scan(source: str, out: str, env: dict[str, str]) -> tuple[float, dict[str, object]]:
    started = time.perf_counter()
    result = subprocess.run(
        [*CLI, source, "--out", out, "-t", "title", "-t", "text", "-q", "--log-json"],
        capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"scan {source} -> {out} failed: {result.stderr}")
    return seconds, json.loads(result.stdout)


def _read_all(source: str) -> tuple[float, int]:
    """Seconds to read every input of ``source`` as the scan does (plan, batches), and the
    bytes of Parquet read.
    """
    from conduct_scan.read import Columns, discover, plan

    started = time.perf_counter()
    inputs, _ = discover([source])
    for inp in inputs:
        plan_ = plan(inp, Columns(text=("title", "text")))
        for _batch in plan_.file.iter_batches(batch_size=65_536, columns=plan_.read):
            pass
        plan_.file.close(force=True)
    return time.perf_counter() - started, sum(i.size for i in inputs)


def _results(out: Path, prefix: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    def relative(frame: pl.DataFrame) -> pl.DataFrame:
        return frame.with_columns(pl.col("source_file").str.strip_prefix(prefix))

    violations = relative(pl.read_parquet(out / "violations" / "*.parquet"))
    violations = violations.sort(["source_file", "row", "field", "start", "rule_id", "view"])
    keys = ["source_file", "account_id", "account_type", "day"]
    accounts = relative(pl.read_parquet(out / "accounts" / "*.parquet"))
    return violations, accounts.group_by(keys).agg(pl.col("posts").sum()).sort(keys)


def _fetch(filesystem: pafs.FileSystem, key: str, into: Path) -> Path:
    pafs.copy_files(key, str(into), source_filesystem=filesystem,
                    destination_filesystem=pafs.LocalFileSystem())  # fmt: skip
    return into


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=300_000)
    parser.add_argument("--days", type=int, default=6)
    parser.add_argument("--rows-per-file", type=int, default=25_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-store-") as scratch:
        root = Path(scratch)
        archive = root / "archive"
        generate_archive(archive, posts=args.posts, days=args.days,
                         rows_per_file=args.rows_per_file, seed=5)  # fmt: skip
        files = sorted(archive.rglob("*.parquet"))
        size = sum(f.stat().st_size for f in files)
        (root / "server").mkdir()
        server = seaweed.start(root / "server")
        if isinstance(server, str):
            raise SystemExit(server)
        try:
            filesystem = server.filesystem()
            filesystem.create_dir("archive")
            filesystem.create_dir("audits")
            pafs.copy_files(str(archive), "archive/posts", source_filesystem=pafs.LocalFileSystem(),
                            destination_filesystem=filesystem)  # fmt: skip
            env = {**server.env(), "PYTHONPATH": os.getcwd()}
            _scan(str(archive), str(root / "warm"), env)  # compiles and caches the ruleset
            ways = {
                "disk -> disk": (str(archive), lambda n: str(root / f"local-{n}")),
                "S3 -> disk": ("s3://archive/posts", lambda n: str(root / f"from-s3-{n}")),
                "disk -> S3": (str(archive), lambda n: f"s3://audits/to-s3-{n}"),
                "S3 -> S3": ("s3://archive/posts", lambda n: f"s3://audits/s3-s3-{n}"),
            }
            os.environ.update(server.env())
            reads: dict[str, list[float]] = {"disk": [], "S3": []}
            for _ in range(args.repeat):
                reads["disk"].append(_read_all(str(archive))[0])
                reads["S3"].append(_read_all("s3://archive/posts")[0])
            timings: dict[str, list[float]] = {w: [] for w in ways}
            speeds: dict[str, list[float]] = {w: [] for w in ways}
            text_mb = 0.0
            outs: dict[str, str] = {}
            for n in range(args.repeat):
                for way, (source, out_of) in ways.items():  # interleaved: load drifts alike
                    out = out_of(n)
                    seconds, totals = _scan(source, out, env)
                    timings[way].append(seconds)
                    speeds[way].append(float(totals["megabytes_per_second"]))  # type: ignore[arg-type]
                    text_mb = int(totals["bytes_scanned"]) / 1e6  # type: ignore[call-overload]
                    outs[way] = out
            reference = _results(Path(outs["disk -> disk"]), str(archive) + "/")
            checks = []
            for way, out in outs.items():
                source = ways[way][0]
                local = Path(out) if not out.startswith("s3://") else None
                if local is None:
                    local = root / f"check-{way.replace(' ', '')}"
                    key = out.removeprefix("s3://")
                    local.mkdir()
                    for sub in ("violations", "accounts"):
                        (local / sub).mkdir()
                        _fetch(filesystem, f"{key}/{sub}", local / sub)
                got = _results(local, source.rstrip("/") + "/")
                same = got[0].equals(reference[0]) and got[1].equals(reference[1])
                checks.append(f"{way}: {got[0].height:,} violations, "
                              f"{'equal' if same else 'DIFFERENT'}")  # fmt: skip
                if not same:
                    raise SystemExit(f"{way} differs from disk -> disk")
        finally:
            seaweed.stop(server)
    load = os.getloadavg()
    print(f"archive: {len(files)} files, {size / 1e6:.1f} MB of Parquet, {args.posts:,} posts, "
          f"{text_mb:.1f} MB of text; bundled ruleset; {args.repeat} runs each; "
          f"load {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} (nproc {os.cpu_count()})")  # fmt: skip
    print("| way | median wall s | median MB/s of text (scan's own) | runs (s) |")
    print("|---|---|---|---|")
    for way in ways:
        runs = ", ".join(f"{t:.2f}" for t in timings[way])
        print(f"| {way} | {statistics.median(timings[way]):.2f} | "
              f"{statistics.median(speeds[way]):.1f} | {runs} |")  # fmt: skip
    print("| read only (plan + batches, no scan) | median s | MB/s of Parquet | runs (s) |")
    print("|---|---|---|---|")
    for where, runs_ in reads.items():
        median = statistics.median(runs_)
        print(
            f"| {where} | {median:.3f} | {size / 1e6 / median:.1f} | "
            + ", ".join(f"{t:.3f}" for t in runs_)
            + " |"
        )
    for check in checks:
        print(check)


if __name__ == "__main__":
    main()
