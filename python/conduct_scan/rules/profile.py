"""``rules profile``: what each rule costs the scan, slowest first.

Every rule is compiled alone (with the ruleset's allow-list) and timed scanning the same texts
on one thread, as YARA-X reports its slow rules. A rule's *share* is its time alone less the
time of a ruleset without rules (building the views, scanning the allow-list), over the sum of
those differences: what the scan would save without it, roughly, since one database of every
rule costs less than the sum of its parts. ``rules check`` uses :func:`slow_patterns` to warn
about a pattern that alone costs more than a few percent of the whole ruleset's scan.
"""

from __future__ import annotations

import json
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as ds

from conduct_scan._core import Ruleset, Scanner

SLOW_PATTERN_SHARE = 0.05
"""A pattern costing more than this share of the whole ruleset's scan time is reported."""


@dataclass(frozen=True)
class RuleCost:
    """One rule's cost: seconds alone, MB/s alone and share of the ruleset's scan time."""

    rule: str
    seconds: float
    mb_per_s: float
    share: float

    def as_dict(self) -> dict[str, object]:
        return {
            "rule": self.rule,
            "seconds": round(self.seconds, 4),
            "mb_per_s": round(self.mb_per_s, 1),
            "share": round(self.share, 4),
        }


@dataclass(frozen=True)
class Profile:
    """The whole ruleset's scan and every rule's cost, slowest first."""

    megabytes: float
    posts: int
    seconds: float
    baseline_seconds: float
    rules: list[RuleCost]

    @property
    def mb_per_s(self) -> float:
        return self.megabytes / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict[str, object]:
        return {
            "megabytes": round(self.megabytes, 2),
            "posts": self.posts,
            "seconds": round(self.seconds, 4),
            "mb_per_s": round(self.mb_per_s, 1),
            "baseline_seconds": round(self.baseline_seconds, 4),
            "rules": [r.as_dict() for r in self.rules],
        }


def _seconds(scanner: Scanner, texts: pa.Array | pa.ChunkedArray, rounds: int) -> float:
    """Median wall time of ``rounds`` scans after one warm-up."""
    scanner.scan(texts)
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        scanner.scan(texts)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def read_texts(archive: Path, megabytes: float) -> pa.ChunkedArray:
    """The ``text`` column of a Parquet file or directory, up to about ``megabytes`` MB."""
    dataset = ds.dataset(archive, format="parquet", partitioning="hive")
    if "text" not in dataset.schema.names:
        raise ValueError(f"{archive}: no `text` column")
    chunks: list[pa.Array] = []
    size = 0
    for batch in dataset.to_batches(columns=["text"]):
        column = batch.column(0).cast(pa.large_string())
        chunks.append(column)
        size += column.nbytes
        if size >= megabytes * 1e6:
            break
    return pa.chunked_array(chunks, type=pa.large_string())


def sample_texts(posts: int = 20_000) -> pa.ChunkedArray:
    """Texts of the ``conduct-scan demo`` generator (seeded), when no archive is given."""
    import tempfile

    from conduct_scan.demo import generate_archive

    with tempfile.TemporaryDirectory() as tmp:
        generate_archive(Path(tmp) / "demo", posts=posts, days=1)
        return read_texts(Path(tmp) / "demo", float("inf"))


def _bytes(texts: pa.ChunkedArray) -> int:
    import pyarrow.compute as pc

    return int(pc.sum(pc.binary_length(texts)).as_py() or 0)


def _rule_ids(ruleset: Ruleset) -> list[str]:
    return [r["id"] for r in json.loads(ruleset.to_json())["rules"]]


def profile(ruleset: Ruleset, texts: pa.ChunkedArray, rounds: int = 3) -> Profile:
    """Time the whole ruleset, a ruleset without rules and each rule alone, on one thread."""
    megabytes = _bytes(texts) / 1e6
    whole = _seconds(Scanner(ruleset, threads=1), texts, rounds)
    baseline = _seconds(Scanner(ruleset.select([]), threads=1), texts, rounds)
    alone = {
        rule: _seconds(Scanner(ruleset.select([rule]), threads=1), texts, rounds)
        for rule in _rule_ids(ruleset)
    }
    extra = {rule: max(seconds - baseline, 0.0) for rule, seconds in alone.items()}
    total = sum(extra.values()) or 1.0
    costs = [
        RuleCost(rule, seconds, megabytes / seconds if seconds else 0.0, extra[rule] / total)
        for rule, seconds in alone.items()
    ]
    costs.sort(key=lambda c: c.seconds, reverse=True)
    return Profile(megabytes, len(texts), whole, baseline, costs)


def render(result: Profile) -> str:
    """The profile as a table, slowest rule first."""
    lines = [
        f"{result.posts} posts, {result.megabytes:.1f} MB: whole ruleset "
        f"{result.mb_per_s:.0f} MB/s on 1 thread; without rules (views, allow-list) "
        f"{result.megabytes / result.baseline_seconds:.0f} MB/s",
        f"{'rule':<36} {'share':>6} {'MB/s alone':>10}",
    ]
    for cost in result.rules:
        lines.append(f"{cost.rule:<36} {100 * cost.share:>5.1f}% {cost.mb_per_s:>10.0f}")
    return "\n".join(lines)


@dataclass(frozen=True)
class SlowPattern:
    """A pattern that alone costs ``share`` of the whole ruleset's scan time."""

    rule: str
    pattern: str
    share: float


_EMPTY = '[ruleset]\nid = "p"\nversion = "1"\n[[clause]]\nid = "c"\ntitle = "c"\n'


def _one_rule(views: list[str], match: str, key: str, values: list[str], name: str) -> Ruleset:
    toml = _EMPTY + (
        f'[[rule]]\nid = "p"\nclause = "c"\nviews = {json.dumps(views)}\nmatch = "{match}"\n'
        f"{key} = {json.dumps(values, ensure_ascii=False)}\n"
    )
    return Ruleset.from_toml(toml, name=name)


def slow_patterns(
    ruleset: Ruleset, texts: pa.ChunkedArray, threshold: float = SLOW_PATTERN_SHARE
) -> list[SlowPattern]:
    """Patterns that alone cost more than ``threshold`` of the whole ruleset's scan time.

    A pattern's cost is the time of a rule of its own (its rule's views and match mode) less
    that of the same rule with one term that never matches instead (the views still built),
    both on one thread; slowest first.
    """
    whole = _seconds(Scanner(ruleset, threads=1), texts, 3)
    baselines: dict[tuple[str, ...], float] = {}
    slow = []
    for rule in json.loads(ruleset.to_json())["rules"]:
        views, match = rule["views"], rule["match"]
        if tuple(views) not in baselines:
            blank = _one_rule(views, match, "terms", ["qzxqzxq"], "baseline")
            baselines[tuple(views)] = _seconds(Scanner(blank, threads=1), texts, 3)
        for pattern in rule["patterns"]:
            alone = _one_rule(views, match, "patterns", [pattern], f"pattern of {rule['id']}")
            cost = _seconds(Scanner(alone, threads=1), texts, 3) - baselines[tuple(views)]
            if cost / whole > threshold:
                slow.append(SlowPattern(rule["id"], pattern, cost / whole))
    slow.sort(key=lambda p: p.share, reverse=True)
    return slow
