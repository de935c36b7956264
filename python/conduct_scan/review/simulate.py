"""Decisions filled from the demo generator's ground truth (``demo --simulate-review``).

An archive written by :func:`conduct_scan.demo.generate_archive` with ``with_labels=True`` says,
per post, which of the generator's clauses (:data:`conduct_scan.demo.CLAUSES`: 4.5, 4.6a-e) it
was written to violate (``expected_clause``, null for an everyday post). A simulated reviewer
decides a finding of clause C from it:

- the post is an everyday post: ``not_violation``;
- the generator wrote it to violate C (4.5a and 4.5b are parts of 4.5): ``violation``;
- it wrote it to violate another of its clauses: ``not_violation`` (the finding names the wrong
  clause);
- C is not one of the generator's clauses (3.2 contemptuous address, say): ``unsure``, since the
  generator's truth says nothing about it.

The labels are read from the findings' ``source_file`` and ``row``.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pyarrow.parquet as pq

from conduct_scan.demo import CLAUSES
from conduct_scan.errors import InputError

REVIEWER = "demo-generator"


def _generator_clause(clause: str | None) -> str | None:
    if clause is None:
        return None
    return next((c for c in CLAUSES if clause == c or clause.startswith(c)), None)


def simulate_decisions(rows: pl.DataFrame) -> pl.DataFrame:
    """Fill ``decision``, ``note`` and ``reviewer`` of sample ``rows`` from the archive's labels.

    Raises
    ------
    InputError
        A finding's source file cannot be read or has no ``expected_clause`` column (an
        archive generated without labels).
    """
    expected: dict[tuple[str, int], str | None] = {}
    for (source,), group in rows.partition_by("source_file", as_dict=True).items():
        try:
            labels = pq.read_table(Path(str(source)), columns=["expected_clause"])
        except (OSError, KeyError, ValueError) as error:
            raise InputError(f"{source}: no ground truth to simulate a review ({error})") from None
        column = labels.column("expected_clause")
        for row in group.get_column("row").to_list():
            expected[(str(source), int(row))] = column[int(row)].as_py()
    decisions, notes = [], []
    for r in rows.select("source_file", "row", "clause_id").iter_rows(named=True):
        truth = expected[(str(r["source_file"]), int(r["row"]))]
        clause = _generator_clause(r["clause_id"])
        if clause is None:
            decision = "unsure"
            note = f"the generator does not write {r['clause_id']} posts"
        elif truth is None:
            decision, note = "not_violation", "an everyday post"
        elif truth == clause:
            decision, note = "violation", f"written to violate {truth}"
        else:
            decision, note = "not_violation", f"written to violate {truth}, not {clause}"
        decisions.append(decision)
        notes.append(note)
    return rows.with_columns(
        decision=pl.Series(decisions, dtype=pl.String),
        note=pl.Series(notes, dtype=pl.String),
        reviewer=pl.lit(REVIEWER),
    )


def simulate_review(audit: Path, review_dir: Path, *, seed: int, per_rule: int = 20) -> Path:
    """The loop of ``demo --simulate-review``: sample ``audit``'s findings, decide them from
    the ground truth, import the decisions and write the suggestions; return the decisions
    file (``review_dir/decisions.csv``; the sample and ``suggested.toml`` are next to it).
    """
    from conduct_scan.review.decisions import import_decisions
    from conduct_scan.review.sample import draw_sample, write_sample

    drawn = draw_sample(audit, per_rule=per_rule, seed=seed)
    write_sample(drawn, review_dir / "sample")
    decided = simulate_decisions(drawn.rows)
    decisions = review_dir / "decisions.csv"
    decided.write_csv(decisions, include_bom=True)
    result = import_decisions(audit, [decisions])
    if result.problems:  # the sample was drawn from this very output: a bug if it happens
        raise InputError("; ".join(result.problems))
    return decisions
