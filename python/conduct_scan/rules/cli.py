"""``conduct-scan rules``: the ruleset toolchain.

=========  ====================================================================  ==========
command    what                                                                   exit codes
=========  ====================================================================  ==========
list       rules with clause, views, match mode, severity, term/pattern counts    0, 2
check      load, compile and lint a ruleset directory or file                     0, 1, 2
test       run every rule's examples and counter-examples                         0, 1, 2
explain    which rules fire on a text, in which view, and what was vetoed         0, 2
eval       precision, recall and F1 on the labelled data (skips when absent)      0, 1, 2
profile    each rule's share of scan time and MB/s alone, slowest first           0, 2
diff       findings only one of two rulesets reports on an archive (shadow mode)  0, 2
=========  ====================================================================  ==========

Exit 1 means the command ran and found failures (lint errors, failing examples, missed
targets with ``--check-targets``); exit 2 means the ruleset could not be loaded or the command
was misused (the main group prints one line per ruleset problem).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from conduct_scan._core import Ruleset, Scanner
from conduct_scan.cli import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, compile_limit_options, fail
from conduct_scan.rules.diff import diff_rulesets
from conduct_scan.rules.diff import render as render_diff
from conduct_scan.rules.evaluate import (
    DATA_ENV,
    DATASETS,
    TARGETS,
    default_data_dir,
    evaluate,
    render_results,
)
from conduct_scan.rules.explain import explain as explain_text
from conduct_scan.rules.explain import render_plain, render_rich
from conduct_scan.rules.lint import ERROR, lint
from conduct_scan.rules.profile import profile as profile_rules
from conduct_scan.rules.profile import read_texts, render, sample_texts, slow_patterns
from conduct_scan.rules.selftest import run_examples


def _load(path: Path | None) -> Ruleset:
    """Load the ruleset at ``path``, or the bundled one."""
    return Ruleset.load() if path is None else Ruleset.load(path)


def _load_named(spec: str) -> Ruleset:
    """Load ``bundled`` or the ruleset file or directory ``spec``."""
    return Ruleset.load() if spec == "bundled" else Ruleset.load(spec)


ruleset_option = click.option(
    "--ruleset",
    "-r",
    "ruleset_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Ruleset file or directory (default: the bundled ruleset).",
)


def compile_limits(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--max-compile-seconds`` and ``--max-database-mb``, as ``scan`` has them."""
    for option in reversed(compile_limit_options):
        command = option(command)
    return command


@click.group()
def rules() -> None:
    """List, check, test, explain and evaluate rulesets."""


@rules.command("list")
@ruleset_option
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array of rule objects.")
@click.option("--clause", "clauses", multiple=True, help="Only rules of this clause (repeatable).")
def list_rules(ruleset_path: Path | None, as_json: bool, clauses: tuple[str, ...]) -> None:
    """List the rules: id, clause, severity, views, match mode, term and pattern counts."""
    data = json.loads(_load(ruleset_path).to_json())
    selected = [r for r in data["rules"] if not clauses or r["clause"] in clauses]
    if as_json:
        click.echo(json.dumps(selected, ensure_ascii=False, indent=2))
        return
    header = f"{'id':<34} {'clause':<6} {'severity':<8} {'views':<22} {'match':<9} terms patterns"
    click.echo(header)
    for r in selected:
        click.echo(
            f"{r['id']:<34} {r['clause']:<6} {r['severity']:<8} {'+'.join(r['views']):<22} "
            f"{r['match']:<9} {len(r['terms']):>5} {len(r['patterns']):>8}"
        )
    click.echo(f"{len(selected)} rules")


@rules.command("check")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@compile_limits
def check(path: Path, strict: bool, max_compile_seconds: float, max_database_mb: float) -> None:
    """Validate, compile and lint the ruleset at PATH.

    Loading reports every schema problem and every pattern Hyperscan rejects (exit 2); the lint
    then reports counter-examples that match (errors), duplicate and shadowed terms, short
    skeleton collapses and rules without examples (warnings). Exit 1 on lint errors.
    """
    ruleset = Ruleset.load(path)
    # Compiles every view's database: Hyperscan's final word, within the same limits as a scan.
    Scanner(ruleset, threads=1, max_compile_seconds=max_compile_seconds,
            max_database_mb=max_database_mb)  # fmt: skip
    issues = lint(ruleset)
    for issue in issues:
        click.echo(issue.describe())
    errors = sum(1 for i in issues if i.level == ERROR)
    warnings = len(issues) - errors
    for slow in slow_patterns(ruleset, sample_texts(5_000)):
        warnings += 1
        click.echo(
            f"warning: rule {slow.rule}: pattern {slow.pattern!r} alone costs "
            f"{100 * slow.share:.0f}% of the whole ruleset's scan time (see `rules profile`)"
        )
    rule_count = len(json.loads(ruleset.to_json())["rules"])
    click.echo(f"{path}: {rule_count} rules, {errors} errors, {warnings} warnings")
    if errors or (strict and warnings):
        sys.exit(EXIT_FINDINGS)


@rules.command("test")
@click.argument("path", required=False, type=click.Path(path_type=Path))
def test(path: Path | None) -> None:
    """Run every example (must be flagged by its rule) and counter-example (must not be).

    PATH defaults to the bundled ruleset. Each failure names the file, the rule, the text and
    the view; exit 1 when any fails.
    """
    report = run_examples(_load(path))
    for failure in report.failures:
        click.echo(failure.describe())
    click.echo(
        f"{report.rules} rules: {report.examples} examples, {report.counter_examples} "
        f"counter-examples, {len(report.failures)} failures"
    )
    if not report.ok:
        sys.exit(EXIT_FINDINGS)


@rules.command("explain")
@click.argument("text")
@ruleset_option
@click.option("--json", "as_json", is_flag=True, help="Print the explanation as JSON.")
@click.option(
    "--claims",
    "claims_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A claims file (CSV or Parquet) to compare TEXT with, besides the ruleset's.",
)
def explain(text: str, ruleset_path: Path | None, as_json: bool, claims_path: Path | None) -> None:
    """Show which rules fire on TEXT, in which view, and why other candidates were dropped.

    TEXT ``-`` reads standard input. Dropped candidates say why: vetoed by an unless term,
    inside an allow term, inside an innocent compound of the term, the post in another language
    than the rule's (the guessed language is shown), no near term within range, fewer matches
    than min_count. The known claim closest to TEXT is shown with its similarity.
    """
    if text == "-":
        text = sys.stdin.read()
    from conduct_scan.claims import claim_index

    ruleset = _load(ruleset_path)
    result = explain_text(
        Scanner(ruleset, threads=1), text, claim_index(ruleset, claims_path, threads=1)
    )
    if as_json:
        click.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
        return
    console = Console(highlight=False)
    if console.is_terminal:
        render_rich(result, console)
    else:
        click.echo(render_plain(result))


@rules.command("eval")
@ruleset_option
@click.option(
    "--data",
    "data_dir",
    type=click.Path(path_type=Path),
    default=None,
    help=f"Labelled data directory (default: ${DATA_ENV}, else ../shared/data of the repository).",
)
@click.option(
    "--dataset",
    "names",
    multiple=True,
    type=click.Choice(list(DATASETS)),
    help="Only this dataset split (repeatable).",
)
@click.option("--worst", default=5, show_default=True, help="Errors shown per dataset.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.option(
    "--check-targets", is_flag=True, help="Exit 1 when a dataset misses its quality target."
)
@click.option(
    "--reviews",
    "reviews_out",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Measured precision from the decisions stored in this scan output's reviews/ "
    "(with --ruleset: what that ruleset does to the reviewed findings) instead of the datasets.",
)
def eval_command(
    ruleset_path: Path | None,
    data_dir: Path | None,
    names: tuple[str, ...],
    worst: int,
    as_json: bool,
    check_targets: bool,
    reviews_out: Path | None,
) -> None:
    """Post-level precision, recall and F1 of a ruleset on the labelled datasets.

    ViHOS train and dev (Vietnamese; a post with a marked span is positive), Davidson tweets
    (English; hate or offensive) and the SMS spam collection (advertising clause only), each
    Davidson and SMS split into a 70% tune part and a fixed 30% holdout. Datasets that are
    not present are skipped; with none present the command says so and exits 0.
    """
    if reviews_out is not None:
        from conduct_scan.review.evaluate import evaluate_reviews, render

        table = evaluate_reviews(reviews_out, None if ruleset_path is None else _load(ruleset_path))
        if table is None:
            click.echo(f"no decisions stored in {reviews_out}/reviews/: skipped")
        elif as_json:
            click.echo(json.dumps(table.to_dicts(), ensure_ascii=False, indent=2))
        else:
            click.echo(render(table))
        sys.exit(EXIT_OK)
    directory = default_data_dir() if data_dir is None else data_dir
    if data_dir is not None and not directory.is_dir():
        fail(f"--data {directory}: not a directory", EXIT_USAGE)
    results = evaluate(_load(ruleset_path), directory, names or None)
    if not results:
        click.echo(f"no labelled data under {directory} (set ${DATA_ENV} or --data): skipped")
        sys.exit(EXIT_OK)
    if as_json:
        click.echo(json.dumps([r.as_dict(worst) for r in results], ensure_ascii=False, indent=2))
    else:
        click.echo(render_results(results, worst))
    missed = [r.name for r in results if r.name in TARGETS and TARGETS[r.name].misses(r.score)]
    if check_targets and missed:
        click.echo(f"targets missed: {', '.join(missed)}", err=True)
        sys.exit(EXIT_FINDINGS)


@rules.command("profile")
@ruleset_option
@click.option(
    "--data",
    "archive",
    type=click.Path(path_type=Path),
    default=None,
    help="Parquet file or directory with a `text` column (default: a generated sample).",
)
@click.option("--mb", default=20.0, show_default=True, help="MB of text read from --data.")
@click.option("--rounds", default=3, show_default=True, help="Timed scans per measurement.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def profile_command(
    ruleset_path: Path | None, archive: Path | None, mb: float, rounds: int, as_json: bool
) -> None:
    """Each rule's share of scan time and its MB/s alone, slowest first (one thread).

    Every rule is compiled alone and scans the same texts; its share is its time alone less
    the time of the ruleset without rules, over the sum of those. Without --data, texts of
    the `conduct-scan demo` generator are used.
    """
    ruleset = _load(ruleset_path)
    if archive is None:
        texts = sample_texts()
    else:
        if not archive.exists():
            fail(f"--data {archive}: no such file or directory", EXIT_USAGE)
        try:
            texts = read_texts(archive, mb)
        except (ValueError, OSError) as error:
            fail(f"--data {archive}: {error}", EXIT_USAGE)
    result = profile_rules(ruleset, texts, rounds)
    if as_json:
        click.echo(json.dumps(result.as_dict(), indent=2))
    else:
        click.echo(render(result))


@rules.command("diff")
@click.argument("old")
@click.argument("new")
@click.argument("sources", nargs=-1, required=True)
@click.option(
    "--out",
    "-o",
    "out",
    type=click.Path(path_type=Path),
    default=None,
    help="Write only_old.parquet, only_new.parquet and by_rule.parquet here.",
)
@click.option(
    "--text-column",
    "-t",
    "text_columns",
    multiple=True,
    default=("text",),
    show_default=True,
    help="Column to scan; repeat for several.",
)
@click.option("--id-column", default="post_id", show_default=True, help="Post id column.")
@click.option("--examples", default=2, show_default=True, help="Examples shown per rule and side.")
@click.option("--threads", type=int, default=None, help="Scanner threads (default: all cores).")
def diff(
    old: str,
    new: str,
    sources: tuple[str, ...],
    out: Path | None,
    text_columns: tuple[str, ...],
    id_column: str,
    examples: int,
    threads: int | None,
) -> None:
    """Scan SOURCE... with the OLD and the NEW ruleset and report the findings only one has.

    OLD and NEW are ruleset files or directories, or ``bundled``. Findings are the same when
    post, field, rule and evidence span are; the rest is counted per rule and clause, with
    examples, and with ``--out`` written as Parquet. Shadow mode before a ruleset release.
    """
    result = diff_rulesets(
        _load_named(old), _load_named(new), list(sources),
        text_columns=text_columns, id_column=id_column, threads=threads,
    )  # fmt: skip
    render_diff(result, Console(highlight=False, soft_wrap=True), examples)
    if out is not None:
        for path in result.write(out):
            click.echo(f"wrote {path}")
