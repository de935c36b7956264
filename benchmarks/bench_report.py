"""``write_report`` on a large scan output: 10 million findings by default.

The scan output is synthetic and seeded, generated once under ``benchmarks/.corpus/`` (in a
child process, so the benchmark's peak memory is the report's, not the generator's):

- 10,000,000 findings in 10 Parquet files, 2 findings per flagged post on average (5 million
  flagged posts), 500,000 accounts (2 % officials, 1 % agencies), 7 days, the clauses and rules
  of a small Code-like ruleset, realistic strings (Vietnamese matched text and contexts);
- ``accounts/``: every account on every day, 30 to 90 posts each (about 210 million posts
  scanned), so flag rates look like a real night's.

Figures: seconds per ``write_report`` with the default formats (Parquet aggregates, html, md,
json) and findings per second, then the opt-in ``dsa`` export (statements.jsonl) on its own;
``extra_info`` has the peak RSS of the process (``ru_maxrss``) after the runs. Size with
``CONDUCT_SCAN_BENCH_FINDINGS`` (e.g. ``1000000`` for a quick run).

Run: ``.venv/bin/pytest benchmarks/bench_report.py --benchmark-enable -s``.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import polars as pl
import pytest

CACHE = Path(__file__).resolve().parent / ".corpus"
FINDINGS = int(os.environ.get("CONDUCT_SCAN_BENCH_FINDINGS", 10_000_000))
ACCOUNTS_PER_MILLION = 50_000
DAYS = 7
FILES = 10
SEED = 874

CLAUSES = [
    ("3.1", "Respect and obey the law", []),
    ("4.5", "No words inciting hatred or discrimination", ["text"]),
    ("4.6a", "No content violating the law", ["text"]),
    ("4.6b", "No insult to others' honour and dignity", ["text"]),
    ("4.6c", "No offensive or vulgar language", ["text"]),
    ("4.6d", "No fake news", ["text"]),
    ("4.6e", "No illegal advertising", ["text"]),
    ("4.8", "Help protect children online", []),
]
# (rule id, clause, severity, term, matched text as written in posts)
RULES = [
    ("vi.hate.region", "4.5", "high", "bắc kỳ", "Bắc Kỳ"),
    ("vi.hate.threat", "4.5", "critical", "giết hết", "giết hếtttt"),
    ("vi.illegal.drugs", "4.6a", "high", "ma túy", "ma tuý"),
    ("vi.insult.core", "4.6b", "medium", "đồ ngu", "Đồ NGU"),
    ("vi.vulgar.core", "4.6c", "high", "địt", "đ.ị.t"),
    ("vi.vulgar.teencode", "4.6c", "medium", "vcl", "VCL"),
    ("vi.vulgar.weak", "4.6c", "low", "vãi", "vãiii"),
    ("vi.fake.hoax", "4.6d", "low", "tin nóng chưa kiểm chứng", "TIN NÓNG chưa kiểm chứng"),
    ("vi.ads.gambling", "4.6e", "medium", "nhà cái", "nha cai"),
    ("en.vulgar", "4.6c", "info", "damn", "DAMN"),
]
VIEWS = ["exact", "casefold", "fold", "skeleton"]
CONFIDENCES = [1.0, 0.95, 0.8, 0.6]


def ruleset_json() -> dict[str, Any]:
    laws = [
        {"id": "decree-15-2020", "title": "Decree 15/2020/ND-CP",
         "title_vi": "Nghị định 15/2020/NĐ-CP", "effective": "2020-04-15", "until": None,
         "superseded_by": None, "url": None, "notes": None, "file": "laws.toml"},
    ]  # fmt: skip
    clauses = [
        {"id": cid, "title": title, "title_vi": "", "description": "", "binds": ["users"],
         "check": check, "severity": "medium",
         "references": [{"law": "decree-15-2020", "article": "Art. 101(1)", "note": None}],
         "dsa_category": "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH", "notes": None,
         "file": "clauses.toml"}
        for cid, title, check in CLAUSES
    ]  # fmt: skip
    rules = [
        {"id": rid, "clause": clause, "description": "", "severity": severity, "confidence": 1.0,
         "terms": [term], "patterns": [], "file": "rules.toml"}
        for rid, clause, severity, term, _ in RULES
    ]  # fmt: skip
    return {"id": "bench", "version": "1", "title": "Benchmark rules", "description": "",
            "notes": "", "extends": None, "laws": laws, "clauses": clauses, "rules": rules,
            "disabled": [], "allow": [], "sha256": "0" * 64, "files": []}  # fmt: skip


def _hash(values: pl.Expr, seed: int) -> pl.Expr:
    """A seeded pseudo-random non-negative Int64 per value."""
    return (values.hash(seed) % 1_000_000_007).cast(pl.Int64)


def _pick(values: list[Any], key: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """``values[key % len(values)]`` as an expression."""
    return (key % len(values)).replace_strict(list(range(len(values))), values, return_dtype=dtype)


def generate(out: Path, findings: int) -> None:
    """Write a consistent scan output with ``findings`` findings to ``out``."""
    accounts = max(1_000, findings * ACCOUNTS_PER_MILLION // 1_000_000)
    start = pl.datetime(2025, 3, 1, time_zone="UTC")
    (out / "violations").mkdir(parents=True)
    (out / "accounts").mkdir()
    per_file = -(-findings // FILES)
    for f in range(FILES):
        n = min(per_file, findings - f * per_file)
        if n <= 0:
            break
        i = pl.int_range(f * per_file, f * per_file + n, dtype=pl.Int64)
        post = i // 2  # two findings per post on average (some one, some three)
        post = post + (_hash(i, SEED) % 7 == 0).cast(pl.Int64)
        mix = _hash(post, SEED + 1)
        rule = _hash(i, SEED + 2) % len(RULES)
        account = mix % accounts
        seconds = _hash(post, SEED + 3) % (DAYS * 86_400)
        frame = pl.select(
            post_id=pl.format("p{}", post),
            account_id=pl.format("acct-{}", account),
            account_type=pl.when(account % 100 < 2)
            .then(pl.lit("official"))
            .when(account % 100 == 2)
            .then(pl.lit("agency"))
            .otherwise(pl.lit("user")),
            created_at=start + pl.duration(seconds=seconds),
            field=_pick(["text", "title"], mix // 7, pl.String()),
            rule_id=_pick([r[0] for r in RULES], rule, pl.String()),
            clause_id=_pick([r[1] for r in RULES], rule, pl.String()),
            severity=_pick([r[2] for r in RULES], rule, pl.String()),
            confidence=_pick(CONFIDENCES, mix // 3, pl.Float32()),
            view=_pick(VIEWS, mix // 11, pl.String()),
            start=(mix % 50).cast(pl.Int64),
            end=(mix % 50 + 6).cast(pl.Int64),
            matched=_pick([r[4] for r in RULES], rule, pl.String()),
            term=_pick([r[3] for r in RULES], rule, pl.String()),
            context=pl.format(
                "hôm nay {} thật là {} nhé các bạn ơi",
                _pick([r[4] for r in RULES], rule, pl.String()),
                post % 1000,
            ),
            context_start=pl.lit(8, dtype=pl.Int32),
            source_file=pl.lit(f"archive/day-{f:02d}.parquet"),
            row=post,
        )
        frame.write_parquet(out / "violations" / f"part-{f:05d}.parquet")
    a = pl.int_range(0, accounts * DAYS, dtype=pl.Int64)
    account = a // DAYS
    pl.select(
        account_id=pl.format("acct-{}", account),
        account_type=pl.when(account % 100 < 2)
        .then(pl.lit("official"))
        .when(account % 100 == 2)
        .then(pl.lit("agency"))
        .otherwise(pl.lit("user")),
        day=pl.date(2025, 3, 1) + pl.duration(days=a % DAYS),
        posts=_hash(a, SEED + 4) % 61 + 30,
        source_file=pl.lit("archive/all.parquet"),
    ).write_parquet(out / "accounts" / "part-00000.parquet")
    (out / "ruleset.json").write_text(json.dumps(ruleset_json(), ensure_ascii=False))
    manifest = {
        "tool": {"name": "conduct-scan", "version": "bench"},
        "inputs": [],
        "totals": {"findings": findings},
    }
    (out / "manifest.json").write_text(json.dumps(manifest))


@pytest.fixture(scope="module")
def scan_output() -> Path:
    out = CACHE / f"report-{FINDINGS}"
    if not (out / "manifest.json").exists():
        shutil.rmtree(out, ignore_errors=True)
        # A child process, so this process's peak RSS stays the report's.
        subprocess.run(
            [sys.executable, __file__, str(out), str(FINDINGS)],
            check=True,
            cwd=Path(__file__).resolve().parent.parent,
        )
    return out


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@pytest.mark.benchmark(group="report")
def test_write_report(benchmark: Any, scan_output: Path) -> None:
    """The nightly report: Parquet aggregates, summary.json, report.md, report.html."""
    from conduct_scan.report import write_report

    report = benchmark.pedantic(write_report, args=(scan_output,), rounds=3, warmup_rounds=0)
    summary = json.loads((report / "summary.json").read_text(encoding="utf-8"))
    peak = _peak_rss_mb()
    flagged = summary["totals"]["posts_flagged"]
    accounts = summary["totals"]["accounts"]
    benchmark.extra_info.update(
        {"findings": FINDINGS, "flagged_posts": flagged, "accounts": accounts,
         "peak_rss_mb": round(peak)}
    )  # fmt: skip
    seconds = benchmark.stats.stats.min
    print(
        f"\nwrite_report (html, md, json): {FINDINGS:,} findings, {flagged:,} flagged posts, "
        f"{accounts:,} accounts: {seconds:.1f} s (best of 3), "
        f"{FINDINGS / seconds:,.0f} findings/s, peak RSS {peak:,.0f} MB"
    )


@pytest.mark.benchmark(group="report")
def test_write_statements(benchmark: Any, scan_output: Path) -> None:
    """The opt-in DSA export alone: one JSON statement per flagged post."""
    from conduct_scan.report import write_report

    report = benchmark.pedantic(
        write_report, args=(scan_output,), kwargs={"formats": ("dsa",)}, rounds=1
    )
    path = report / "statements.jsonl"
    size = path.stat().st_size
    with path.open("rb") as lines:
        flagged = sum(1 for _ in lines)
    benchmark.extra_info.update(
        {"findings": FINDINGS, "flagged_posts": flagged, "statements_bytes": size,
         "peak_rss_mb": round(_peak_rss_mb())}
    )  # fmt: skip
    seconds = benchmark.stats.stats.min
    print(
        f"\nwrite_report (dsa): {FINDINGS:,} findings: {seconds:.1f} s, "
        f"statements.jsonl {size / 1e9:,.2f} GB, peak RSS {_peak_rss_mb():,.0f} MB"
    )
    path.unlink()  # gigabytes; the next run writes it again


if __name__ == "__main__":
    generate(Path(sys.argv[1]), int(sys.argv[2]))
