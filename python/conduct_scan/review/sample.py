"""``conduct-scan sample``: a stratified random sample of findings for auditors to review.

Strata are rules (``--by-view``: rule and view). Each stratum gets a simple random sample of
``per_rule`` findings (all of them when it has fewer); ``per_clause`` also gives each clause at
least that many, shared among its rules in proportion to their findings. Within a stratum the
findings are ordered by their stable id and drawn with ``random.Random(seed, stratum)``, so the
same scan output and seed give the same sample whatever the order of the parts on disk.

Every row carries its stratum, the stratum's population (findings in the scan output) and sample
size, and the seed, so that precision can be weighted back to the population; a JSON file next
to the sample records the same per stratum.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from conduct_scan.report.redact import Pseudonymiser
from conduct_scan.report.scan_output import open_scan_output
from conduct_scan.review.ids import KEY_COLUMNS, finding_ids

SAMPLE_COLUMNS = (
    "finding_id",
    "decision",
    "note",
    "reviewer",
    "rule_id",
    "clause_id",
    "severity",
    "view",
    "field",
    "term",
    "matched",
    "evidence",
    "context",
    "post_id",
    "account_id",
    "created_at",
    "start",
    "end",
    "source_file",
    "row",
    "stratum",
    "stratum_population",
    "stratum_sample",
    "seed",
)
"""Columns of a sample, in order: the three a reviewer fills first."""


@dataclass(frozen=True)
class Sample:
    """A drawn sample: its rows, its strata (``stratum``, ``rule_id``, ``clause_id``,
    ``population``, ``sample``) and its seed.
    """

    rows: pl.DataFrame
    strata: pl.DataFrame
    seed: int


def stratum_sizes(
    populations: dict[str, tuple[str, int]], per_rule: int, per_clause: int
) -> dict[str, int]:
    """Sample size of each stratum: ``per_rule``, raised to the stratum's share of
    ``per_clause`` (by population) within its clause, never above the population.

    ``populations`` maps a stratum to ``(clause_id, findings)``.
    """
    clause_total: dict[str, int] = {}
    for clause, n in populations.values():
        clause_total[clause] = clause_total.get(clause, 0) + n
    sizes = {}
    for stratum, (clause, n) in populations.items():
        share = math.ceil(per_clause * n / clause_total[clause]) if per_clause else 0
        sizes[stratum] = min(n, max(per_rule, share))
    return sizes


def draw_sample(
    out: str | Path,
    *,
    per_rule: int = 20,
    per_clause: int = 0,
    by_view: bool = False,
    seed: int = 0,
    redact_key: bytes | None = None,
) -> Sample:
    """Draw a stratified sample of the findings of the scan output ``out``.

    Parameters
    ----------
    out
        A scan output directory.
    per_rule
        Findings per stratum (rule, or rule and view).
    per_clause
        At least this many per clause, shared among its rules by population.
    by_view
        Stratify by rule and view instead of rule.
    seed
        Seed of the draw.
    redact_key
        Redact the sample as ``report --redact`` does: keyed pseudonyms for post and account
        ids, keyed finding ids, no matched text, context or source location.
    """
    scan = open_scan_output(out)
    keys = (
        scan.violations.select(*KEY_COLUMNS, "clause_id", "view")
        .with_row_index("index")
        .collect(engine="streaming")
    )
    keys = keys.with_columns(finding_ids(keys))
    stratum = pl.col("rule_id")
    if by_view:
        stratum = pl.concat_str(pl.col("rule_id"), pl.lit("|"), pl.col("view"))
    keys = keys.with_columns(stratum=stratum.fill_null("(none)"))
    strata = (
        keys.group_by("stratum")
        .agg(
            rule_id=pl.col("rule_id").first(),
            clause_id=pl.col("clause_id").first(),
            population=pl.len().cast(pl.Int64),
        )
        .sort("stratum")
    )
    sizes = stratum_sizes(
        {r["stratum"]: (r["clause_id"] or "", r["population"]) for r in strata.to_dicts()},
        per_rule,
        per_clause,
    )
    strata = strata.with_columns(
        sample=pl.col("stratum").replace_strict(sizes, return_dtype=pl.Int64)
    )
    chosen: list[int] = []
    for (name,), group in (
        keys.sort("finding_id").partition_by("stratum", as_dict=True, maintain_order=True).items()
    ):
        picks = random.Random(f"{seed}\0{name}").sample(range(group.height), sizes[str(name)])
        chosen.extend(group.get_column("index").gather(sorted(picks)).to_list())
    rows = (
        scan.violations.with_row_index("index")
        .filter(pl.col("index").is_in(pl.Series(chosen, dtype=pl.UInt32).implode()))
        .collect(engine="streaming")
    )
    rows = rows.join(keys.select("index", "finding_id", "stratum"), on="index").join(
        strata.select(
            "stratum",
            stratum_population=pl.col("population"),
            stratum_sample=pl.col("sample"),
        ),
        on="stratum",
    )
    rows = rows.with_columns(
        decision=pl.lit("", dtype=pl.String),
        note=pl.lit("", dtype=pl.String),
        reviewer=pl.lit("", dtype=pl.String),
        evidence=_evidence(),
        seed=pl.lit(seed, dtype=pl.Int64),
    )
    if redact_key is not None:
        pseudonymiser = Pseudonymiser(redact_key)
        rows = rows.with_columns(finding_ids(rows, redact_key)).with_columns(
            pseudonymiser.expr("account_id", "account"),
            pseudonymiser.expr("post_id", "post"),
            *(pl.lit(None, dtype=rows.schema[c]).alias(c)
              for c in ("matched", "evidence", "context", "source_file", "row")),
        )  # fmt: skip
    rows = rows.sort("stratum", "finding_id").select(SAMPLE_COLUMNS)
    return Sample(rows=rows, strata=strata, seed=seed)


def _evidence() -> pl.Expr:
    """The context with the match marked «like this» (the whole match when there is none)."""
    start = pl.col("context_start").cast(pl.Int64)
    length = pl.col("matched").str.len_chars().cast(pl.Int64)
    context = pl.col("context")
    marked = pl.concat_str(
        context.str.slice(0, start),
        pl.lit("«"),
        context.str.slice(start, length),
        pl.lit("»"),
        context.str.slice(start + length),
    )
    return pl.when(context.is_null() | start.is_null()).then(pl.col("matched")).otherwise(marked)


def write_sample(sample: Sample, path: str | Path) -> list[Path]:
    """Write ``sample`` as ``PATH.parquet``, ``PATH.csv`` (UTF-8 with a BOM, which spreadsheet
    programs need to show Vietnamese) and ``PATH.json`` (seed and strata); return the paths.
    A ``.csv`` or ``.parquet`` suffix on ``path`` is dropped first.
    """
    base = Path(path)
    if base.suffix.lower() in {".csv", ".parquet", ".json"}:
        base = base.with_suffix("")
    base.parent.mkdir(parents=True, exist_ok=True)
    written = [base.with_suffix(".parquet"), base.with_suffix(".csv"), base.with_suffix(".json")]
    sample.rows.write_parquet(written[0])
    sample.rows.write_csv(written[1], include_bom=True)
    record: dict[str, Any] = {
        "schema": "conduct-scan/sample/1",
        "created_at": dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
        "seed": sample.seed,
        "findings": sample.rows.height,
        "strata": sample.strata.to_dicts(),
    }
    written[2].write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n", "utf-8")
    return written
