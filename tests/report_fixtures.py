"""Synthetic scan outputs (``OUT/`` as ``conduct-scan scan`` writes it) for the report tests.

A generated archive is consistent the way a real scan is: every post is a row of a source file,
belongs to one account and one day; ``accounts/`` counts the posts of every account per day and
file (clean accounts included, and the same account/day split over several rows so that readers
must sum); ``violations/`` holds one row per finding, several findings per flagged post.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from conduct_scan.report.scan_output import ACCOUNTS_SCHEMA, VIOLATIONS_SCHEMA

LAWS: list[dict[str, Any]] = [
    {
        "id": "decree-72-2013",
        "title": "Decree 72/2013/ND-CP on Internet services and online information",
        "title_vi": "Nghị định 72/2013/NĐ-CP về quản lý, cung cấp, sử dụng dịch vụ Internet",
        "effective": "2013-09-01",
        "until": "2024-12-25",
        "superseded_by": "decree-147-2024",
        "url": "https://example.invalid/decree-72-2013",
        "notes": None,
        "file": "laws.toml",
    },
    {
        "id": "decree-147-2024",
        "title": "Decree 147/2024/ND-CP on Internet services and online information",
        "title_vi": "Nghị định 147/2024/NĐ-CP",
        "effective": "2024-12-25",
        "until": None,
        "superseded_by": None,
        "url": None,
        "notes": None,
        "file": "laws.toml",
    },
    {
        "id": "decree-15-2020",
        "title": "Decree 15/2020/ND-CP on administrative sanctions",
        "title_vi": "Nghị định 15/2020/NĐ-CP",
        "effective": "2020-04-15",
        "until": None,
        "superseded_by": None,
        "url": "javascript:alert(1)",
        "notes": None,
        "file": "laws.toml",
    },
]


def _clause(
    cid: str,
    title: str,
    title_vi: str,
    *,
    check: list[str],
    binds: list[str],
    severity: str = "medium",
    references: list[dict[str, Any]] | None = None,
    dsa: str | None = None,
) -> dict[str, Any]:
    return {
        "id": cid,
        "title": title,
        "title_vi": title_vi,
        "description": f"Description of {cid}",
        "binds": binds,
        "check": check,
        "severity": severity,
        "references": references or [],
        "dsa_category": dsa,
        "notes": None,
        "file": "clauses.toml",
    }


CLAUSES: list[dict[str, Any]] = [
    _clause(
        "3.1",
        "Respect and obey the law",
        "Tôn trọng, tuân thủ pháp luật",
        check=[],
        binds=["users", "officials", "agencies"],
    ),
    _clause(
        "4.5",
        "No words inciting hatred or discrimination",
        "Không sử dụng từ ngữ kích động, phân biệt vùng miền, giới tính, tôn giáo",
        check=["text"],
        binds=["users"],
        severity="high",
        references=[
            {"law": "decree-72-2013", "article": "Art. 5(1)(b)", "note": None},
            {"law": "decree-147-2024", "article": "Art. 8", "note": None},
        ],
        dsa="STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH",
    ),
    _clause(
        "4.6c",
        "No offensive or vulgar language <against> fine customs",
        "Không sử dụng từ ngữ thô tục, trái thuần phong mỹ tục",
        check=["text"],
        binds=["users"],
        references=[{"law": "decree-15-2020", "article": "Art. 101(1)", "note": "fines"}],
        dsa="STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH",
    ),
    _clause(
        "4.6e",
        "No illegal advertising",
        "Không quảng cáo trái phép",
        check=["text"],
        binds=["users"],
        severity="low",
        dsa="STATEMENT_CATEGORY_SCAMS_AND_FRAUD",
    ),
    _clause(
        "4.8", "Help protect children online", "Bảo vệ trẻ em trên mạng", check=[], binds=["users"]
    ),
    _clause("4.2", "Use a real name", "Sử dụng tên thật", check=["metadata"], binds=["users"]),
    _clause("4.4", "Share information from reliable sources", "", check=["text"], binds=["users"]),
]


def _rule(rid: str, clause: str, severity: str, terms: list[str]) -> dict[str, Any]:
    return {
        "id": rid,
        "clause": clause,
        "description": f"Rule {rid}",
        "severity": severity,
        "confidence": 0.9,
        "view_confidence": {},
        "terms": terms,
        "patterns": [],
        "match": "word",
        "views": ["casefold"],
        "allow": {"terms": [], "patterns": []},
        "unless": {"terms": [], "patterns": []},
        "near": None,
        "min_count": 1,
        "examples": [],
        "counter_examples": [],
        "lang": "vi",
        "tags": [],
        "notes": None,
        "file": "rules.toml",
    }


RULES: list[dict[str, Any]] = [
    _rule("vi.hate.region", "4.5", "high", ["bắc kỳ", "nam kỳ"]),
    _rule("vi.hate.threat", "4.5", "critical", ["giết hết"]),
    _rule("vi.vulgar.core", "4.6c", "high", ["địt", "đụ má"]),
    _rule("vi.vulgar.weak", "4.6c", "low", ["vãi"]),
    _rule("vi.ads.gambling", "4.6e", "medium", ["cá độ", "nhà cái"]),
    _rule("en.vulgar", "4.6c", "info", ["damn"]),
]


def ruleset_json() -> dict[str, Any]:
    """A small ruleset in the shape of ``Ruleset.to_json()``."""
    return {
        "id": "test-rules",
        "version": "9.9.9",
        "title": "Test rules",
        "description": "A ruleset for the report tests",
        "notes": "Clause numbering reconstructed from secondary sources.",
        "extends": None,
        "laws": LAWS,
        "clauses": CLAUSES,
        "rules": RULES,
        "disabled": [],
        "allow": [],
        "sha256": "0" * 64,
        "files": ["rules.toml"],
    }


ACCOUNT_TYPES = [None, "user", "user", "official", "agency"]
# Matched texts as they appear in posts: distinct from the rules' terms, with markup a report
# must escape.
MATCHED = ["Đ.ị.t", "ĐỤ MÁ", "<b>vãi</b>", "B4c k`y", "c@ đ0", "nhà_cái&co", "DAMN'\"", "giết  hết"]


@dataclass(frozen=True)
class Archive:
    """A generated scan output: what was written, for the tests to compare against."""

    out: Path
    violations: pl.DataFrame
    accounts: pl.DataFrame
    ruleset: dict[str, Any]


def generate(
    seed: int,
    *,
    n_accounts: int = 12,
    n_files: int = 2,
    n_days: int = 3,
    max_posts: int = 4,
    flag_probability: float = 0.3,
    id_prefix: str = "acct",
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Generate consistent ``(violations, accounts)`` frames from a seed."""
    rng = random.Random(seed)
    start = dt.datetime(2024, 12, 23, tzinfo=dt.timezone.utc)
    accounts: list[dict[str, Any]] = []
    findings: list[dict[str, Any]] = []
    types = {f"{id_prefix}-{i:04d}-Ngườidùng": rng.choice(ACCOUNT_TYPES) for i in range(n_accounts)}
    for f in range(n_files):
        source = f"archive/part-{f}.parquet"
        row = 0
        for account, account_type in types.items():
            for d in range(n_days):
                day = (start + dt.timedelta(days=d)).date()
                posts = rng.randint(0, max_posts)
                if posts == 0:
                    continue
                # Split some account/days over two rows: readers must sum.
                first = rng.randint(0, posts)
                for part in (first, posts - first):
                    if part:
                        accounts.append(
                            {
                                "account_id": account,
                                "account_type": account_type,
                                "day": day,
                                "posts": part,
                                "source_file": source,
                            }
                        )
                for _ in range(posts):
                    if rng.random() < flag_probability:
                        created = start + dt.timedelta(days=d, seconds=rng.randint(0, 86399))
                        undated = rng.random() < 0.05
                        for _ in range(rng.randint(1, 3)):
                            rule = rng.choice(RULES)
                            matched = rng.choice(MATCHED)
                            before = rng.choice(["", "hôm nay ", "<script>alert('x')</script> "])
                            findings.append(
                                {
                                    "post_id": f"post-{f}-{row}",
                                    "account_id": account,
                                    "account_type": account_type,
                                    "created_at": None if undated else created,
                                    "field": rng.choice(["text", "title"]),
                                    "rule_id": rule["id"],
                                    "clause_id": rule["clause"],
                                    "severity": rule["severity"],
                                    "confidence": rng.choice([1.0, 0.9, 0.7, 0.5]),
                                    "view": rng.choice(["exact", "casefold", "fold", "skeleton"]),
                                    "start": len(before),
                                    "end": len(before) + len(matched),
                                    "matched": matched,
                                    "term": rng.choice(rule["terms"]),
                                    "context": before + matched + " nhé",
                                    "context_start": len(before),
                                    "source_file": source,
                                    "row": row,
                                }
                            )
                    row += 1
    violations = pl.DataFrame(findings, schema=VIOLATIONS_SCHEMA)
    return violations, pl.DataFrame(accounts, schema=ACCOUNTS_SCHEMA)


def write_scan_output(
    out: Path,
    violations: pl.DataFrame,
    accounts: pl.DataFrame,
    *,
    ruleset: dict[str, Any] | None = None,
    manifest: dict[str, Any] | None = None,
    parts: int = 2,
) -> Archive:
    """Write ``OUT/`` (violations and accounts split into ``parts`` files each)."""
    ruleset = ruleset_json() if ruleset is None else ruleset
    for name, frame in (("violations", violations), ("accounts", accounts)):
        folder = out / name
        folder.mkdir(parents=True, exist_ok=True)
        size = max(1, -(-frame.height // parts))
        for i in range(parts):
            chunk = frame.slice(i * size, size)
            if chunk.height or i == 0:
                chunk.write_parquet(folder / f"part-{i:05d}.parquet")
    (out / "ruleset.json").write_text(json.dumps(ruleset, ensure_ascii=False), encoding="utf-8")
    if manifest is None:
        manifest = {
            "tool": {"name": "conduct-scan", "version": "0.0.0-test"},
            "ruleset": {
                "id": ruleset["id"],
                "version": ruleset["version"],
                "sha256": ruleset["sha256"],
            },
            "inputs": [
                {"path": "archive/part-0.parquet", "status": "ok", "rows": 10},
                {"path": "archive/broken.parquet", "status": "failed", "error": "corrupt"},
            ],
            "totals": {"rows": int(accounts["posts"].sum() or 0), "findings": violations.height},
        }
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return Archive(out, violations, accounts, ruleset)


def archive(out: Path, seed: int = 7, **options: Any) -> Archive:
    """Generate and write a scan output in one call."""
    violations, accounts = generate(seed, **options)
    return write_scan_output(out, violations, accounts)
