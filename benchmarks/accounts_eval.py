"""Precision and recall of the account checks (4.2, 4.3, 6.2) on a labelled generated set, and
the account audit's throughput.

    python benchmarks/accounts_eval.py --accounts 5000 --seed 15151          # quality
    python benchmarks/accounts_eval.py --accounts 1000000 --throughput-only  # accounts/s, RSS

For the audit's own peak memory, write the table in one process and audit it in another
(generating 10 M accounts in memory takes GBs that the audit does not):

    python benchmarks/accounts_eval.py --accounts 10000000 --write-table /tmp/acc.parquet
    python benchmarks/accounts_eval.py --table /tmp/acc.parquet --throughput-only

The set comes from ``conduct_scan.demo_accounts.generate_accounts`` with a seed other than the
demo's (2021), so it is apart from the rules' own examples (in the ruleset) and from the demo.
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq

from conduct_scan._core import Ruleset
from conduct_scan.accounts import audit_accounts
from conduct_scan.demo_accounts import generate_accounts

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=15151)
    parser.add_argument("--batch-rows", type=int, default=65_536)
    parser.add_argument("--throughput-only", action="store_true")
    parser.add_argument("--ruleset", default=str(ROOT / "rulesets" / "vn-social-code-2021"))
    parser.add_argument(
        "--write-table",
        type=Path,
        metavar="PATH",
        help="Only generate the labelled table into PATH, then stop.",
    )
    parser.add_argument(
        "--table",
        type=Path,
        metavar="PATH",
        help="Audit this table (from --write-table) instead of generating one.",
    )
    args = parser.parse_args()  # fmt: skip
    if args.write_table:
        table = generate_accounts(n=args.accounts, seed=args.seed, with_labels=True)
        pq.write_table(table, args.write_table, row_group_size=65_536)
        return
    ruleset = Ruleset.load(args.ruleset)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        started = time.perf_counter()
        table_path = args.table or work / "accounts.parquet"
        if not args.table:
            table = generate_accounts(n=args.accounts, seed=args.seed, with_labels=True)
            pq.write_table(table, table_path, row_group_size=65_536)
            del table
        generated = time.perf_counter() - started
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        summary = audit_accounts(
            [str(table_path)], work / "out", ruleset, batch_rows=args.batch_rows
        )
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        result: dict[str, object] = {
            "accounts": summary.accounts,
            "seconds": round(summary.seconds, 2),
            "accounts_per_second": round(summary.accounts / summary.seconds),
            "generate_seconds": round(generated, 1),
            "peak_rss_mb_before_audit": rss_before // 1024,
            "peak_rss_mb": rss // 1024,
            "findings": summary.findings,
        }
        if not args.throughput_only:
            labels = pl.read_parquet(table_path).select(
                "account_id", "kind", "account_type", "label_4_2", "label_4_3", "label_6_2"
            )
            files = sorted((work / "out" / "account_findings").glob("*.parquet"))
            found = (
                pl.read_parquet(files)
                if files
                else pl.DataFrame(schema={"account_id": pl.String, "clause_id": pl.String})
            )
            quality = {}
            for clause in ("4.2", "4.3", "6.2"):
                flagged = set(found.filter(pl.col("clause_id") == clause)["account_id"])
                col = f"label_{clause.replace('.', '_')}"
                frame = labels.with_columns(flagged=pl.col("account_id").is_in(list(flagged)))
                tp = frame.filter(pl.col(col) & pl.col("flagged")).height
                fp = frame.filter(~pl.col(col) & pl.col("flagged")).height
                fn = frame.filter(pl.col(col) & ~pl.col("flagged")).height
                quality[clause] = {
                    "positives": tp + fn,
                    "flagged": tp + fp,
                    "precision": round(tp / (tp + fp), 3) if tp + fp else None,
                    "recall": round(tp / (tp + fn), 3) if tp + fn else None,
                    "false_positives_by_kind": frame.filter(~pl.col(col) & pl.col("flagged"))
                    .group_by("kind").len().sort("len", descending=True).head(6).rows(),
                    "misses_by_kind": frame.filter(pl.col(col) & ~pl.col("flagged"))
                    .group_by("kind").len().sort("len", descending=True).head(6).rows(),
                }  # fmt: skip
            result["quality"] = quality
        print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
