"""``conduct-scan sample`` and ``conduct-scan review import``: the CLI of the review loop."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from conduct_scan.report.redact import KEY_ENV, load_key


def _key(key_file: Path | None, required: bool) -> bytes | None:
    from conduct_scan.cli import EXIT_USAGE, fail
    from conduct_scan.errors import ConductScanError

    try:
        key = load_key(key_file)
    except ConductScanError as error:
        fail(str(error), EXIT_USAGE)
    if key is None and required:
        fail(f"--redact needs a key: set ${KEY_ENV} or pass --key-file", EXIT_USAGE)
    return key


@click.command("sample")
@click.argument("out", type=click.Path(path_type=Path, file_okay=False))
@click.option(
    "--per-rule",
    type=click.IntRange(min=0),
    default=20,
    show_default=True,
    help="Findings drawn from each rule (all of a rule with fewer).",
)
@click.option(
    "--per-clause",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="At least this many per clause, shared among its rules by their findings.",
)
@click.option("--by-view", is_flag=True, help="Stratify by rule and view instead of rule.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the draw.")
@click.option(
    "--out",
    "-o",
    "target",
    type=click.Path(path_type=Path),
    default=None,
    help="Where to write FILE.parquet, FILE.csv and FILE.json "
    "(default: OUT/samples/sample-<seed>).",
)
@click.option(
    "--redact",
    is_flag=True,
    help=f"Pseudonymise post and account ids, drop matched text and context (key from "
    f"${KEY_ENV} or --key-file).",
)
@click.option("--key-file", type=click.Path(path_type=Path, dir_okay=False),
              help="File holding the redaction key.")  # fmt: skip
def sample(
    out: Path,
    per_rule: int,
    per_clause: int,
    by_view: bool,
    seed: int,
    target: Path | None,
    redact: bool,
    key_file: Path | None,
) -> None:
    """Draw a stratified random sample of OUT's findings for review.

    Fill in `decision` (violation, not_violation, unsure), optionally `note` and `reviewer`,
    then run `conduct-scan review import OUT FILE...`.
    """
    from conduct_scan.cli import EXIT_USAGE, fail
    from conduct_scan.review.sample import draw_sample, write_sample

    if per_rule == 0 and per_clause == 0:
        fail("--per-rule and --per-clause are both 0: nothing to sample", EXIT_USAGE)
    key = _key(key_file, required=True) if redact else None
    drawn = draw_sample(
        out, per_rule=per_rule, per_clause=per_clause, by_view=by_view, seed=seed, redact_key=key
    )
    paths = write_sample(drawn, target or out / "samples" / f"sample-{seed}")
    strata = drawn.strata
    click.echo(
        f"sampled {drawn.rows.height:,} of {int(strata['population'].sum() or 0):,} findings "
        f"from {strata.height} strata (seed {seed}) -> {paths[1]}",
        err=True,
    )
    click.echo(str(paths[1]))


@click.group("review")
def review() -> None:
    """Import reviewers' decisions on sampled findings."""


@review.command("import")
@click.argument("out", type=click.Path(path_type=Path, file_okay=False))
@click.argument("decisions", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--reviewer",
    default=None,
    help="Reviewer of files without a filled reviewer column (default: file name).",
)
@click.option(
    "--key-file",
    type=click.Path(path_type=Path, dir_okay=False),
    help=f"Redaction key of redacted samples (default: ${KEY_ENV}).",
)
@click.option("--wait-lock", type=click.FloatRange(min=0), default=0, metavar="SECONDS",
              help="When a scan is writing OUT, wait this long for it.")  # fmt: skip
def import_command(
    out: Path,
    decisions: tuple[Path, ...],
    reviewer: str | None,
    key_file: Path | None,
    wait_lock: float,
) -> None:
    """Validate filled-in samples and store their decisions in OUT/reviews/.

    Bad rows (unknown finding id, bad decision) are named one per line and left out; the rest
    are imported. Exit 0, or 3 when some rows or files were left out.
    """
    from conduct_scan.cli import EXIT_OK, EXIT_PARTIAL
    from conduct_scan.review.decisions import import_decisions

    key = _key(key_file, required=False)
    result = import_decisions(
        out, decisions, reviewer=reviewer, redact_key=key, wait_lock=wait_lock
    )
    for problem in result.problems:
        click.echo(f"conduct-scan: input error: {problem}", err=True)
    where = f" -> {result.path}" if result.path else ""
    click.echo(
        f"imported {result.imported:,} decisions, {len(result.problems):,} rows or files "
        f"left out, {result.undecided:,} rows without a decision{where}",
        err=True,
    )
    sys.exit(EXIT_PARTIAL if result.problems else EXIT_OK)


@click.command("suggest")
@click.argument("out", type=click.Path(path_type=Path, file_okay=False))
@click.option(
    "--extends",
    "extends",
    default="bundled",
    show_default=True,
    help="The ruleset the scan used, which the suggestions extend ('bundled', "
    "'bundled:<name>' or a path, written relative to the output file).",
)
@click.option(
    "--write",
    "-w",
    "target",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Extension ruleset to write (default: OUT/reviews/suggested.toml).",
)
@click.option(
    "--max-lost",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Confirmed violations the entries of one rule may lose in all.",
)
@click.option(
    "--min-removed",
    type=click.IntRange(min=1),
    default=2,
    show_default=True,
    help="Rejected findings an entry must remove to be suggested.",
)
@click.option("--top", type=click.IntRange(min=1), default=5, show_default=True,
              help="Entries per rule at most.")  # fmt: skip
def suggest_command(
    out: Path, extends: str, target: Path | None, max_lost: int, min_removed: int, top: int
) -> None:
    """Suggest allow/unless entries from the findings reviewers rejected in OUT.

    Writes an extension ruleset of [[amend]] tables for a rule author to review (never a
    change to the ruleset itself), and checks it by scanning the reviewed contexts.
    """
    import json

    from rich.console import Console
    from rich.table import Table

    from conduct_scan import Ruleset
    from conduct_scan.cli import EXIT_USAGE, fail
    from conduct_scan.review.decisions import load_reviews
    from conduct_scan.review.suggest import check, render_extension, suggest

    if load_reviews(out).is_empty():
        fail(f"no decisions stored in {out / 'reviews'}: run `conduct-scan review import` first",
             EXIT_USAGE)  # fmt: skip
    found = suggest(out, max_lost=max_lost, min_removed=min_removed, top=top)
    path = target or out / "reviews" / "suggested.toml"
    info = (
        json.loads((out / "ruleset.json").read_text("utf-8"))
        if (out / "ruleset.json").exists()
        else {}
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        render_extension(found, extends=extends, base_id=str(info.get("id") or "bundled"),
                         source=str(out / "reviews")),
        encoding="utf-8",
    )  # fmt: skip
    table = Table()
    for name in ("rule", "rejected", "confirmed", "entry", "removes", "loses"):
        table.add_column(name, no_wrap=name in ("rule", "entry"))
    for s in found:
        if not s.entries:
            table.add_row(s.rule_id, str(s.rejected), str(s.confirmed), "(none)", "", "")
        for i, e in enumerate(s.entries):
            first = i == 0
            table.add_row(s.rule_id if first else "", str(s.rejected) if first else "",
                          str(s.confirmed) if first else "", f"{e.kind} {e.term!r}",
                          str(e.removes), str(e.loses))  # fmt: skip
    Console(soft_wrap=True).print(table)
    base = Ruleset.load() if extends == "bundled" else (
        Ruleset.load(path.parent / extends) if not extends.startswith("bundled:") else None
    )  # fmt: skip
    if base is not None and any(s.entries for s in found):
        checked = check(out, base, Ruleset.load(path))
        click.echo(
            f"checked on the reviewed contexts: removes {checked.rejected_removed} of "
            f"{checked.rejected} rejected findings, loses {checked.confirmed_lost} of "
            f"{checked.confirmed} confirmed",
            err=True,
        )
    click.echo(str(path))
