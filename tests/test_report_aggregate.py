"""The report's aggregates against a plain-Python oracle, on generated scan outputs.

Hypothesis draws archives (accounts, files, days, flag probability); every aggregate is
recomputed here from the raw rows with dicts and sets, and must agree: totals, distinct counts
(posts, accounts), every account of ``accounts/`` present, per-clause and per-day figures, the
score formula, repeat offenders, groups.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import math
import tempfile
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conduct_scan import InputError
from conduct_scan.report import SEVERITY_WEIGHTS, Thresholds, aggregate
from conduct_scan.report.scan_output import open_scan_output
from tests.report_fixtures import (
    ACCOUNTS_SCHEMA,
    VIOLATIONS_SCHEMA,
    archive,
    generate,
    ruleset_json,
    write_scan_output,
)

OFFICIAL = {"official"}
AGENCY = {"agency"}
SEVERITY_ORDER = ["info", "low", "medium", "high", "critical"]


def oracle(violations: pl.DataFrame, accounts: pl.DataFrame) -> dict[str, Any]:
    """Everything the aggregates should say, computed row by row."""
    scanned: Counter[str] = Counter()
    types: defaultdict[str, set[str]] = defaultdict(set)
    day_posts: Counter[dt.date | None] = Counter()
    for row in accounts.iter_rows(named=True):
        scanned[row["account_id"]] += row["posts"]
        day_posts[row["day"]] += row["posts"]
        if row["account_type"]:
            types[row["account_id"]].add(row["account_type"])
    posts: defaultdict[str, set[tuple[str, int]]] = defaultdict(set)
    findings: Counter[str] = Counter()
    per_clause: Counter[tuple[str, str]] = Counter()
    score: defaultdict[str, float] = defaultdict(float)
    rules: defaultdict[str, Counter[str]] = defaultdict(Counter)
    worst: dict[str, int] = {}
    times: defaultdict[str, list[dt.datetime]] = defaultdict(list)
    clause_posts: defaultdict[str, set[tuple[str, int]]] = defaultdict(set)
    clause_accounts: defaultdict[str, set[str]] = defaultdict(set)
    clause_findings: Counter[str] = Counter()
    clause_rules: defaultdict[str, Counter[str]] = defaultdict(Counter)
    daily: defaultdict[tuple[str, dt.date | None], set[tuple[str, int]]] = defaultdict(set)
    daily_findings: Counter[tuple[str, dt.date | None]] = Counter()
    daily_accounts: defaultdict[tuple[str, dt.date | None], set[str]] = defaultdict(set)
    for row in violations.iter_rows(named=True):
        account, post = row["account_id"], (row["source_file"], row["row"])
        posts[account].add(post)
        findings[account] += 1
        per_clause[(account, row["clause_id"])] += 1
        confidence = round(float(row["confidence"]), 6)
        score[account] += SEVERITY_WEIGHTS[row["severity"]] * confidence
        rules[account][row["rule_id"]] += 1
        worst[account] = max(worst.get(account, -1), SEVERITY_ORDER.index(row["severity"]))
        if row["created_at"] is not None:
            times[account].append(row["created_at"])
        if row["account_type"]:
            types[account].add(row["account_type"])
        clause = row["clause_id"]
        clause_posts[clause].add(post)
        clause_accounts[clause].add(account)
        clause_findings[clause] += 1
        clause_rules[clause][row["rule_id"]] += 1
        day = row["created_at"].date() if row["created_at"] is not None else None
        daily[(clause, day)].add(post)
        daily_findings[(clause, day)] += 1
        daily_accounts[(clause, day)].add(account)
    return {
        "scanned": scanned,
        "types": types,
        "day_posts": day_posts,
        "posts": posts,
        "findings": findings,
        "per_clause": per_clause,
        "score": score,
        "rules": rules,
        "worst": worst,
        "times": times,
        "clause_posts": clause_posts,
        "clause_accounts": clause_accounts,
        "clause_findings": clause_findings,
        "clause_rules": clause_rules,
        "daily": daily,
        "daily_findings": daily_findings,
        "daily_accounts": daily_accounts,
    }


def group_of(types: set[str]) -> str:
    if types & AGENCY:
        return "agencies"
    if types & OFFICIAL:
        return "officials"
    return "users"


def check(out: Path, violations: pl.DataFrame, accounts: pl.DataFrame) -> None:
    """Every aggregate of ``out`` against the oracle."""
    thresholds = Thresholds(min_posts_flagged=2, min_flag_rate=0.25, min_score=1.0)
    aggs = aggregate(out, thresholds=thresholds)
    want = oracle(violations, accounts)
    by_account = aggs.by_account.collect()
    by_clause = aggs.by_clause.collect()
    by_day = aggs.by_day.collect()

    # Every account of accounts/ (and of violations/) is there, once.
    ids = set(accounts["account_id"]) | set(violations["account_id"])
    assert by_account["account_id"].n_unique() == by_account.height == len(ids)
    assert set(by_account["account_id"]) == ids

    # Totals.
    assert by_account["findings"].sum() == violations.height
    distinct_posts = violations.select("source_file", "row").unique().height
    assert by_account["posts_flagged"].sum() == distinct_posts
    assert by_account["posts_scanned"].sum() == (accounts["posts"].sum() or 0)
    assert math.isclose(by_account["score"].sum(), sum(want["score"].values()), abs_tol=1e-6)

    for row in by_account.iter_rows(named=True):
        account = row["account_id"]
        assert row["posts_scanned"] == want["scanned"][account]
        assert row["posts_flagged"] == len(want["posts"][account])
        assert row["findings"] == want["findings"][account]
        assert math.isclose(row["score"], want["score"][account], abs_tol=1e-6)
        for clause in aggs.clause_ids:
            assert row[f"findings_{clause}"] == want["per_clause"][(account, clause)]
        scanned = want["scanned"][account]
        expected_rate = len(want["posts"][account]) / scanned if scanned else None
        assert row["flag_rate"] == pytest.approx(expected_rate)
        worst = want["worst"].get(account)
        assert row["max_severity"] == (SEVERITY_ORDER[worst] if worst is not None else None)
        times = want["times"][account]
        assert row["first_flagged_at"] == (min(times) if times else None)
        assert row["last_flagged_at"] == (max(times) if times else None)
        counts = want["rules"][account]
        top = min(counts, key=lambda r: (-counts[r], r)) if counts else None
        assert row["top_rule"] == top
        assert row["group"] == group_of(want["types"][account])
        if want["types"][account]:
            assert row["account_type"] in want["types"][account]
        else:
            assert row["account_type"] is None
        repeat = (
            row["posts_flagged"] >= 2
            and (row["flag_rate"] is None or row["flag_rate"] >= 0.25)
            and row["score"] >= 1.0
        )
        assert row["repeat_offender"] == repeat

    # Sorted by score, highest first.
    assert by_account["score"].to_list() == sorted(by_account["score"], reverse=True)

    offenders = aggs.repeat_offenders.collect()
    assert set(offenders["account_id"]) == set(
        by_account.filter(pl.col("repeat_offender"))["account_id"]
    )

    # Groups add up.
    groups = aggs.by_group.collect()
    assert groups["group"].to_list() == ["users", "officials", "agencies"]
    assert groups["accounts"].sum() == by_account.height
    assert groups["findings"].sum() == violations.height
    assert groups["posts_flagged"].sum() == distinct_posts

    # Clauses: every clause of the ruleset, in order; counts from the oracle.
    ruleset = ruleset_json()
    assert by_clause["clause_id"].to_list()[: len(ruleset["clauses"])] == [
        c["id"] for c in ruleset["clauses"]
    ]
    total_posts = accounts["posts"].sum() or 0
    for row in by_clause.iter_rows(named=True):
        clause = row["clause_id"]
        if row["status"] == "not assessed":
            assert row["findings"] is None and row["posts_flagged"] is None
            continue
        assert row["findings"] == want["clause_findings"][clause]
        assert row["posts_flagged"] == len(want["clause_posts"][clause])
        assert row["accounts"] == len(want["clause_accounts"][clause])
        share = len(want["clause_posts"][clause]) / total_posts if total_posts else None
        assert row["share_of_posts"] == pytest.approx(share)
        counts = want["clause_rules"][clause]
        expected_top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
        assert [(r["rule_id"], r["findings"]) for r in row["top_rules"] or []] == expected_top
    assert (by_clause["findings"].sum() or 0) == violations.height

    # Days: per clause and day, and back to the clause totals.
    for row in by_day.iter_rows(named=True):
        key = (row["clause_id"], row["day"])
        assert row["findings"] == want["daily_findings"][key]
        assert row["posts_flagged"] == len(want["daily"][key])
        assert row["accounts"] == len(want["daily_accounts"][key])
        assert row["posts_scanned"] == (want["day_posts"].get(row["day"]) or None)
    assert by_day.height == len(want["daily"])
    assert (by_day["findings"].sum() or 0) == violations.height


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    seed=st.integers(0, 2**32 - 1),
    n_accounts=st.integers(1, 15),
    n_files=st.integers(1, 3),
    n_days=st.integers(1, 4),
    max_posts=st.integers(1, 5),
    flag_probability=st.sampled_from([0.0, 0.1, 0.5, 1.0]),
    parts=st.integers(1, 3),
)
def test_aggregates_agree_with_the_violations(
    seed: int,
    n_accounts: int,
    n_files: int,
    n_days: int,
    max_posts: int,
    flag_probability: float,
    parts: int,
) -> None:
    violations, accounts = generate(
        seed,
        n_accounts=n_accounts,
        n_files=n_files,
        n_days=n_days,
        max_posts=max_posts,
        flag_probability=flag_probability,
    )
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        write_scan_output(out, violations, accounts, parts=parts)
        check(out, violations, accounts)


def test_default_archive(tmp_path: Path) -> None:
    a = archive(tmp_path, seed=3)
    check(tmp_path, a.violations, a.accounts)


def test_no_violation_files_at_all(tmp_path: Path) -> None:
    violations, accounts = generate(5, flag_probability=0.0)
    write_scan_output(tmp_path, violations, accounts)
    for file in (tmp_path / "violations").iterdir():
        file.unlink()
    aggs = aggregate(tmp_path)
    by_account = aggs.by_account.collect()
    assert set(by_account["account_id"]) == set(accounts["account_id"])
    assert by_account["findings"].sum() == 0
    assert aggs.by_day.collect().height == 0
    assert aggs.by_clause.collect()["findings"].sum() == 0


def test_accounts_only_in_violations_are_kept(tmp_path: Path) -> None:
    """An account with findings but no accounts/ row (an inconsistent scan) still counts."""
    violations, accounts = generate(9, flag_probability=0.5)
    lost = violations["account_id"][0]
    write_scan_output(tmp_path, violations, accounts.filter(pl.col("account_id") != lost))
    row = aggregate(tmp_path).by_account.filter(pl.col("account_id") == lost).collect()
    assert row.height == 1
    assert row["posts_scanned"][0] == 0
    assert row["flag_rate"][0] is None
    assert row["findings"][0] == violations.filter(pl.col("account_id") == lost).height


def test_state_accounts_are_their_own_groups(tmp_path: Path) -> None:
    accounts = pl.DataFrame(
        [
            {"account_id": "a", "account_type": "user", "day": dt.date(2025, 1, 1), "posts": 3,
             "source_file": "f"},
            {"account_id": "a", "account_type": "Agency ", "day": dt.date(2025, 1, 2), "posts": 1,
             "source_file": "f"},
            {"account_id": "o", "account_type": "official", "day": dt.date(2025, 1, 1),
             "posts": 2, "source_file": "f"},
            {"account_id": "u", "account_type": None, "day": dt.date(2025, 1, 1), "posts": 2,
             "source_file": "f"},
        ],
        schema=ACCOUNTS_SCHEMA,
    )  # fmt: skip
    violations = pl.DataFrame(schema=VIOLATIONS_SCHEMA)
    write_scan_output(tmp_path, violations, accounts)
    rows = {
        r["account_id"]: r for r in aggregate(tmp_path).by_account.collect().iter_rows(named=True)
    }
    assert (rows["a"]["group"], rows["a"]["account_type"]) == ("agencies", "Agency ")
    assert (rows["o"]["group"], rows["o"]["account_type"]) == ("officials", "official")
    assert (rows["u"]["group"], rows["u"]["account_type"]) == ("users", None)
    assert rows["a"]["posts_scanned"] == 4


def test_score_formula(tmp_path: Path) -> None:
    violations, accounts = generate(2, n_accounts=1, flag_probability=1.0)
    violations = violations.head(4).with_columns(
        severity=pl.Series(["info", "low", "high", "critical"]),
        confidence=pl.Series([1.0, 0.5, 0.9, 1.0], dtype=pl.Float32),
    )
    write_scan_output(tmp_path, violations, accounts)
    score = aggregate(tmp_path).by_account.collect()["score"][0]
    assert score == pytest.approx(0 * 1.0 + 1 * 0.5 + 4 * 0.9 + 8 * 1.0)


def test_clause_outside_the_ruleset_and_missing_ruleset(tmp_path: Path) -> None:
    violations, accounts = generate(4, flag_probability=0.5)
    violations = violations.with_columns(
        clause_id=pl.when(pl.col("rule_id") == "en.vulgar")
        .then(pl.lit("9.9"))
        .otherwise(pl.col("clause_id"))
    )
    write_scan_output(tmp_path, violations, accounts)
    aggs = aggregate(tmp_path)
    assert aggs.clause_ids[-1] == "9.9"
    clause = aggs.by_clause.filter(pl.col("clause_id") == "9.9").collect()
    assert clause["title"][0] is None
    assert clause["findings"][0] == violations.filter(pl.col("clause_id") == "9.9").height

    (tmp_path / "ruleset.json").unlink()
    aggs = aggregate(tmp_path)
    assert not aggs.ruleset.present
    assert aggs.by_clause.collect()["findings"].sum() == violations.height


def test_not_assessed_clauses_are_listed(tmp_path: Path) -> None:
    archive(tmp_path)
    by_clause = aggregate(tmp_path).by_clause.collect()
    not_assessed = by_clause.filter(pl.col("status") == "not assessed")
    assert not_assessed.select("clause_id", "status_reason").rows() == [
        ("3.1", "cannot be assessed by scanning"),
        ("4.8", "cannot be assessed by scanning"),
        ("4.2", "needs account metadata, which the scan does not check"),
        ("4.4", "no rule of the ruleset targets it"),
    ]
    assert not_assessed["findings"].to_list() == [None] * 4
    refs = by_clause.filter(pl.col("clause_id") == "4.5")["references"][0]
    assert [r["law"] for r in refs] == ["decree-72-2013", "decree-147-2024"]
    assert refs[0]["effective"] == "2013-09-01" and refs[0]["until"] == "2024-12-25"


def test_aggregates_are_lazy(tmp_path: Path) -> None:
    archive(tmp_path)
    aggs = aggregate(tmp_path)
    for frame in (aggs.by_account, aggs.by_clause, aggs.by_day, aggs.repeat_offenders):
        assert isinstance(frame, pl.LazyFrame)
    # Auditors can build their own views on the enriched violations.
    mine = aggs.violations.group_by("view").agg(pl.col("post_key").n_unique()).collect()
    assert mine.height > 0


def test_not_a_scan_output(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a scan output"):
        aggregate(tmp_path)
    with pytest.raises(InputError, match="not a directory"):
        aggregate(tmp_path / "missing")
    (tmp_path / "violations").mkdir()
    (tmp_path / "violations" / "bad.parquet").write_bytes(b"not parquet")
    with pytest.raises(InputError, match="cannot read Parquet"):
        aggregate(tmp_path)


def test_naive_times_are_utc_and_optional_columns(tmp_path: Path) -> None:
    violations, accounts = generate(6, flag_probability=0.5)
    naive = violations.with_columns(pl.col("created_at").dt.replace_time_zone(None)).drop(
        "account_type", "context", "context_start"
    )
    write_scan_output(tmp_path, naive, accounts)
    aggs = aggregate(tmp_path)
    first = aggs.by_account.collect()["first_flagged_at"].drop_nulls().min()
    assert first == violations["created_at"].drop_nulls().min()


def test_manifest_is_optional(tmp_path: Path) -> None:
    archive(tmp_path)
    (tmp_path / "manifest.json").unlink()
    assert aggregate(tmp_path).manifest == {}
    (tmp_path / "manifest.json").write_text(json.dumps({"inputs": []}))
    assert aggregate(tmp_path).manifest == {"inputs": []}


def test_findings_make_a_clause_assessed(tmp_path: Path) -> None:
    """A clause the ruleset gives no rule still counts as assessed when it has findings."""
    violations, accounts = generate(12, flag_probability=0.5)
    violations = violations.with_columns(
        clause_id=pl.when(pl.col("rule_id") == "en.vulgar")
        .then(pl.lit("4.4"))
        .otherwise(pl.col("clause_id"))
    )
    write_scan_output(tmp_path, violations, accounts)
    row = (
        aggregate(tmp_path)
        .by_clause.filter(pl.col("clause_id") == "4.4")
        .collect()
        .row(0, named=True)
    )
    assert row["status"] == "assessed" and row["status_reason"] is None
    assert row["findings"] == violations.filter(pl.col("clause_id") == "4.4").height > 0


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    n_accounts=st.integers(1, 40),
    flag_probability=st.sampled_from([0.0, 0.3, 1.0]),
    account_rows=st.integers(1, 50),
    findings=st.integers(1, 50),
)
def test_materialised_parts_agree_with_the_lazy_plans(
    seed: int, n_accounts: int, flag_probability: float, account_rows: int, findings: int
) -> None:
    """``write_report``'s path (parts computed in several passes, written to Parquet) gives
    exactly what the lazy plans give, scores included (they are summed as integers)."""
    module = importlib.import_module("conduct_scan.report.aggregate")

    violations, accounts = generate(
        seed, n_accounts=n_accounts, n_files=3, n_days=4, flag_probability=flag_probability
    )
    thresholds = Thresholds(min_posts_flagged=2, min_flag_rate=0.25, min_score=1.0)
    with tempfile.TemporaryDirectory() as tmp, pytest.MonkeyPatch.context() as patch:
        out = Path(tmp) / "out"
        out.mkdir()
        write_scan_output(out, violations, accounts, parts=2)
        lazy = aggregate(out, thresholds=thresholds)
        patch.setattr(module, "ACCOUNT_ROWS_PER_PASS", account_rows)
        patch.setattr(module, "FINDINGS_PER_PASS", findings)
        work = Path(tmp) / "work"
        work.mkdir()
        eager = module.aggregate_scan_output(
            open_scan_output(out), thresholds=thresholds, work_dir=work
        )
        assert len(list(work.glob("account_posts-*.parquet"))) > 1 or account_rows >= len(accounts)
        for name in ("by_account", "by_clause", "by_day", "by_group", "repeat_offenders"):
            want = getattr(lazy, name).collect()
            got = getattr(eager, name).collect()
            assert got.equals(want), name
        sort = ["severity"]
        assert eager.by_severity.collect().sort(sort).equals(lazy.by_severity.collect().sort(sort))
