"""Shadow mode (``conduct-scan rules diff``): scan an archive with two rulesets and compare.

Both rulesets go through the ordinary pipeline (:func:`conduct_scan.pipeline.scan_archive`), so
the comparison sees exactly what a nightly audit would report. A finding is the same in both
when the post (input file, row, field), the rule id and the evidence span are the same; every
other finding is *only old* (the new ruleset no longer reports it) or *only new*. The summary
counts them per rule and clause, with examples, which is what a rule author reads before a
release: what goes, what comes, and why.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from rich.console import Console
from rich.table import Table

from conduct_scan._core import Ruleset
from conduct_scan.errors import InputError
from conduct_scan.pipeline import scan_archive

#: Columns that identify one finding across the two scans.
KEY = ["source_file", "row", "field", "rule_id", "start", "end"]
#: Columns kept for each differing finding.
COLUMNS = [*KEY, "post_id", "clause_id", "severity", "view", "term", "matched", "context"]


@dataclass(frozen=True)
class RulesetDiff:
    """The findings only one of two rulesets has on an archive."""

    old: dict[str, str]
    new: dict[str, str]
    posts: int
    #: Findings of the old ruleset that the new one does not report.
    only_old: pl.DataFrame
    #: Findings of the new ruleset that the old one did not report.
    only_new: pl.DataFrame
    #: Findings both report.
    common: int
    #: Posts (input file, row) the old ruleset flags and the new one does not flag at all.
    posts_unflagged: int = 0
    #: Posts the new ruleset flags and the old one did not flag at all.
    posts_newly_flagged: int = 0

    def by_rule(self) -> pl.DataFrame:
        """One row per rule and clause: findings only in old, only in new, and posts concerned."""

        def count(frame: pl.DataFrame, name: str) -> pl.DataFrame:
            return frame.group_by("rule_id", "clause_id").agg(
                pl.len().alias(f"only_{name}"),
                pl.struct("source_file", "row").n_unique().alias(f"posts_only_{name}"),
            )

        joined = count(self.only_old, "old").join(
            count(self.only_new, "new"), on=["rule_id", "clause_id"], how="full", coalesce=True
        )
        return (
            joined.with_columns(pl.col(pl.UInt32).fill_null(0).cast(pl.Int64))
            .with_columns((pl.col("only_new") - pl.col("only_old")).alias("change"))
            .sort(["change", "rule_id"])
        )

    def examples(self, side: str, rule_id: str, n: int = 3) -> list[str]:
        """Up to ``n`` contexts of findings of ``rule_id`` only in ``side`` (``old``/``new``)."""
        frame = self.only_old if side == "old" else self.only_new
        rows = frame.filter(pl.col("rule_id") == rule_id).head(n)
        return [_one_line(c or m) for c, m in zip(rows["context"], rows["matched"], strict=True)]

    def write(self, out: Path) -> list[Path]:
        """Write ``only_old.parquet``, ``only_new.parquet`` and ``by_rule.parquet`` into ``out``."""
        out.mkdir(parents=True, exist_ok=True)
        paths = [out / "only_old.parquet", out / "only_new.parquet", out / "by_rule.parquet"]
        for frame, path in zip((self.only_old, self.only_new, self.by_rule()), paths, strict=True):
            frame.write_parquet(path)
        return paths


def _one_line(text: str, width: int = 100) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _findings(out: Path) -> pl.DataFrame:
    parts = sorted((out / "violations").glob("*.parquet"))
    if not parts:
        return pl.DataFrame(schema=dict.fromkeys(COLUMNS, pl.String)).with_columns(
            pl.col("row", "start", "end").cast(pl.Int64)
        )
    return pl.read_parquet(parts, columns=COLUMNS)


def diff_rulesets(
    old: Ruleset,
    new: Ruleset,
    sources: list[str],
    *,
    text_columns: tuple[str, ...] = ("text",),
    id_column: str = "post_id",
    threads: int | None = None,
    **scan_options: Any,
) -> RulesetDiff:
    """Scan ``sources`` with ``old`` and with ``new`` and return the findings only one has.

    ``scan_options`` are passed to :func:`scan_archive` (columns, window, batch size).

    Raises
    ------
    InputError
        An input cannot be read (the first scan's error; nothing is compared).
    """
    with tempfile.TemporaryDirectory(prefix="conduct-scan-diff-") as tmp:
        outs = {}
        summaries = {}
        for name, ruleset in (("old", old), ("new", new)):
            outs[name] = Path(tmp) / name
            summaries[name] = scan_archive(
                sources,
                outs[name],
                ruleset,
                text_columns=text_columns,
                id_column=id_column,
                threads=threads,
                **scan_options,
            )
            summary = summaries[name]
            if summary.source_problems:
                problem = summary.source_problems[0]
                raise InputError(f"{problem['source']}: {problem['reason']}")
            if summary.failed:
                raise InputError(f"{summary.failed[0].path}: {summary.failed[0].error}")
        before, after = _findings(outs["old"]), _findings(outs["new"])
    only_old = before.join(after.select(KEY), on=KEY, how="anti").sort(KEY)
    only_new = after.join(before.select(KEY), on=KEY, how="anti").sort(KEY)
    post = ["source_file", "row"]
    flagged_old, flagged_new = before.select(post).unique(), after.select(post).unique()
    return RulesetDiff(
        old={"id": old.id, "version": old.version, "sha256": old.sha256},
        new={"id": new.id, "version": new.version, "sha256": new.sha256},
        posts=summaries["new"].total("posts_scanned"),
        only_old=only_old,
        only_new=only_new,
        common=before.height - only_old.height,
        posts_unflagged=flagged_old.join(flagged_new, on=post, how="anti").height,
        posts_newly_flagged=flagged_new.join(flagged_old, on=post, how="anti").height,
    )


def render(result: RulesetDiff, console: Console, examples: int = 2) -> None:
    """Print the per-rule table, then examples of what went and what came, with rich."""
    console.print(
        f"old {result.old['id']} {result.old['version']}  ->  new {result.new['id']} "
        f"{result.new['version']}: {result.posts:,} posts; {result.common:,} findings in both, "
        f"{result.only_old.height:,} only old, {result.only_new.height:,} only new; "
        f"{result.posts_unflagged:,} posts no longer flagged, {result.posts_newly_flagged:,} newly "
        "flagged"
    )
    table = Table(show_edge=False, header_style="bold")
    for name, justify in (
        ("rule", "left"),
        ("clause", "left"),
        ("only old", "right"),
        ("only new", "right"),
        ("posts old", "right"),
        ("posts new", "right"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    rows = result.by_rule()
    for r in rows.iter_rows(named=True):
        table.add_row(
            r["rule_id"],
            r["clause_id"],
            f"{r['only_old']:,}",
            f"{r['only_new']:,}",
            f"{r['posts_only_old']:,}",
            f"{r['posts_only_new']:,}",
        )
    if rows.height:
        console.print(table)
    if examples <= 0:
        return
    for r in rows.iter_rows(named=True):
        for side in ("old", "new"):
            if r[f"only_{side}"]:
                console.print(f"[bold]{r['rule_id']}[/bold] only {side}:")
                for line in result.examples(side, r["rule_id"], examples):
                    console.print(f"  {line}", markup=False)
