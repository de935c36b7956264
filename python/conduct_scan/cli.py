"""The ``conduct-scan`` command line.

Every error a user can cause ends as one line on stderr naming the file, rule or column and
what is wrong, with a documented exit code; never a traceback:

====  ===========================================================================
code  meaning
====  ===========================================================================
0     completed
1     completed, and findings at or above ``--fail-on`` exist (CI gates)
2     usage or ruleset error: nothing was scanned
3     completed, but some inputs failed (named on stderr and in the manifest)
4     the output directory is in use by another run (its pid is named); nothing was done
5     an output file cannot be written (disk full, quota, I/O error): the file and the error
      are named, completed inputs are kept, the same command again finishes the work
130   interrupted (Ctrl-C)
====  ===========================================================================
"""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar, NoReturn

import click

from conduct_scan import __version__
from conduct_scan._core import (
    DEFAULT_MAX_COMPILE_SECONDS,
    DEFAULT_MAX_DATABASE_MB,
    HYPERSCAN_VERSION,
)
from conduct_scan.errors import (
    ConductScanError,
    InputError,
    OutputLockedError,
    OutputWriteError,
    RulesetError,
)
from conduct_scan.pipeline import DEFAULT_BATCH_BYTES, DEFAULT_BATCH_ROWS
from conduct_scan.severity import SEVERITIES, count_at_or_above
from conduct_scan.store import Location

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_PARTIAL = 3
EXIT_LOCKED = 4
EXIT_WRITE = 5
EXIT_INTERRUPTED = 130


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    """Print ``conduct-scan: error: <message>`` on stderr and exit with ``code``."""
    click.echo(f"conduct-scan: error: {message}", err=True)
    sys.exit(code)


LAZY_COMMANDS = {
    "campaigns": "conduct_scan.campaigns_cli:campaigns",
    "report": "conduct_scan.report.cli:report",
    "review": "conduct_scan.review.cli:review",
    "rules": "conduct_scan.rules.cli:rules",
    "sample": "conduct_scan.review.cli:sample",
}
"""The subcommands that live next to the step they drive, imported when they are named: the
report stack (Polars, pandas, matplotlib) took ~1 s of CPU at every start, ``scan`` included."""


def _load_command(name: str) -> click.Command:
    module, attribute = LAZY_COMMANDS[name].split(":")
    command: click.Command = getattr(importlib.import_module(module), attribute)
    if name == "rules" and isinstance(command, click.Group) and "suggest" not in command.commands:
        from conduct_scan.review.cli import suggest_command

        command.add_command(suggest_command)
    return command


class Cli(click.Group):
    """The command group; turns the package's exceptions into one-line errors."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is None and cmd_name in LAZY_COMMANDS:
            command = _load_command(cmd_name)
            self.add_command(command, cmd_name)
        return command

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except RulesetError as error:
            problems = getattr(error, "problems", None) or []
            lines = [
                f"{file}: {item}: {reason}" if item else f"{file}: {reason}"
                for file, item, reason in problems
            ] or [str(error)]
            for line in lines:
                click.echo(f"conduct-scan: ruleset error: {line}", err=True)
            sys.exit(EXIT_USAGE)
        except InputError as error:
            fail(str(error))
        except OutputLockedError as error:
            fail(str(error), EXIT_LOCKED)
        except OutputWriteError as error:
            fail(f"{error}; the inputs completed before are kept, run the same command again "
                 "to finish", EXIT_WRITE)  # fmt: skip
        except ConductScanError as error:
            fail(str(error))
        except KeyboardInterrupt:
            click.echo("conduct-scan: interrupted", err=True)
            sys.exit(EXIT_INTERRUPTED)
        except BrokenPipeError:
            sys.exit(EXIT_OK)


@click.group(cls=Cli, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(
    __version__, message=f"conduct-scan %(version)s (Hyperscan {HYPERSCAN_VERSION})"
)
def main() -> None:
    """Code-of-Conduct audits of social-network post archives (Decision 874/QĐ-BTTTT)."""


compile_limit_options = [
    click.option("--max-compile-seconds", type=click.FloatRange(min=0, min_open=True),
                 default=DEFAULT_MAX_COMPILE_SECONDS, show_default=True,
                 help="Refuse a ruleset that takes longer to compile, naming the rule to blame."),
    click.option("--max-database-mb", type=click.FloatRange(min=0, min_open=True),
                 default=DEFAULT_MAX_DATABASE_MB, show_default=True,
                 help="Refuse a ruleset whose Hyperscan database for one view is larger."),
]  # fmt: skip


def _scan_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options shared by ``scan`` and ``audit``."""
    options = [
        click.argument("sources", nargs=-1, required=True),
        click.option("--out", "-o", required=True, type=Location(),
                     help="Output directory or object-store URL (s3://, gs://; incremental: "
                          "inputs already audited are skipped)."),
        click.option("--ruleset", "-r", "ruleset_path", type=click.Path(path_type=Path),
                     help="Ruleset file or directory (default: the bundled ruleset)."),
        click.option("--text-column", "-t", "text_columns", multiple=True, default=("text",),
                     show_default=True, help="Column to scan; repeat for several (title, body)."),
        click.option("--id-column", default="post_id", show_default=True),
        click.option("--account-column", default="account_id", show_default=True),
        click.option("--time-column", default="created_at", show_default=True,
                     help="Post time (optional unless --since/--until is given)."),
        click.option("--account-type-column", default="account_type", show_default=True,
                     help="Account type (user, official, agency), used when present."),
        click.option("--since", type=click.DateTime(_TIME_FORMATS),
                     help="Only posts created at or after this time (UTC)."),
        click.option("--until", type=click.DateTime(_TIME_FORMATS),
                     help="Only posts created before this time (UTC)."),
        click.option("--threads", type=click.IntRange(min=1),
                     help="Scanner threads (default: all cores)."),
        click.option("--batch-rows", type=click.IntRange(min=1), default=DEFAULT_BATCH_ROWS,
                     show_default=True, help="Rows read and scanned at a time (bounds memory)."),
        click.option("--batch-bytes", type=BYTES, default=DEFAULT_BATCH_BYTES,
                     show_default="64M",
                     help="Bytes of text read and scanned at a time, with --batch-rows (bounds "
                          "memory whatever the size of the posts; 512K, 64M, 1G)."),
        click.option("--wait-lock", type=click.FloatRange(min=0), default=0, metavar="SECONDS",
                     help="When another run is writing --out, wait this long for it "
                          "(default: fail at once, exit 4)."),
        click.option("--resume", is_flag=True,
                     help="Continue an interrupted run: inputs already complete in --out are "
                          "skipped (every run does this; the flag says so explicitly)."),
        click.option("--fresh", is_flag=True, help="Discard earlier results in --out first."),
        click.option("--fail-on", type=click.Choice(SEVERITIES),
                     help="Exit 1 when findings (of posts or of --accounts) at or above this "
                          "severity exist (CI gates)."),
        click.option("--quiet", "-q", is_flag=True,
                     help="No progress bar or summary (errors still)."),
        click.option("--log-json", is_flag=True, help="Print a one-line JSON summary on stdout."),
        click.option("--claims", "claims_path", type=click.Path(dir_okay=False, path_type=Path),
                     help="Known debunked claims (CSV or Parquet: id, text, verdict, source_url, "
                          "debunked, clause), matched with the ruleset's [[claim]]s."),
        click.option("--accounts", "accounts", multiple=True, metavar="PATH",
                     help="Accounts table (Parquet file, directory or glob; repeatable) to check "
                          "against the account rules (clauses 4.2, 4.3, 6.2)."),
        click.option("--accounts-column", "accounts_columns", multiple=True, metavar="ROLE=NAME",
                     help="Column name of an accounts role (account_id, display_name, username, "
                          "bio, account_type, verified, created_at, website, contact)."),
        *compile_limit_options,
        click.option("--engine", type=click.Choice(["local", "spark"]), default="local",
                     show_default=True,
                     help="local: this machine; spark: Apache Spark (pip install "
                          "'conduct-scan[spark]'), see README \"Scaling out\"."),
        click.option("--spark-master", metavar="URL",
                     help="Spark master for --engine spark (local[2], spark://..., yarn, k8s://...;"
                          " default: Spark's own, e.g. from spark-submit)."),
        click.option("--spark-conf", multiple=True, metavar="KEY=VALUE",
                     help="A Spark setting for --engine spark; repeat for several."),
        click.option("--skip-bad-files", is_flag=True,
                     help="--engine spark: audit the other inputs when some cannot be read "
                          "(default: the job fails naming the file, nothing is published)."),
    ]  # fmt: skip
    for option in reversed(options):
        command = option(command)
    return command


class _Bytes(click.ParamType):  # type: ignore[type-arg]
    """A size: bytes, or with a K, M or G suffix (powers of 1024)."""

    name = "size"
    units: ClassVar[dict[str, int]] = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        text = str(value).strip().upper().removesuffix("B")
        unit = text[-1:] if text[-1:] in self.units else ""
        try:
            size = int(float(text[: len(text) - len(unit)]) * self.units[unit])
        except ValueError:
            self.fail(f"{value!r} is not a size (e.g. 65536, 512K, 64M, 1G)", param, ctx)
        if size < 1:
            self.fail(f"{value!r} is not a positive size", param, ctx)
        return size


BYTES = _Bytes()

_TIME_FORMATS = ["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S%z"]


def _run_scan(options: dict[str, Any]) -> Any:
    """Runs the pipeline for ``scan``/``audit``; prints errors and the summary; returns it."""
    from conduct_scan.pipeline import Interrupted
    from conduct_scan.progress import progress_bar

    out: Path = options["out"]
    quiet = options["quiet"]
    try:
        with progress_bar(enabled=not quiet) as progress:
            summary = _scan(options, progress)
    except Interrupted as stop:
        click.echo(
            f"conduct-scan: interrupted: {stop.complete_inputs} of {stop.total_inputs} inputs "
            f"are complete and kept in {out}; run the same command again to finish the rest",
            err=True,
        )
        sys.exit(EXIT_INTERRUPTED)
    for problem in summary.source_problems:
        click.echo(f"conduct-scan: input error: {problem['source']}: {problem['reason']}", err=True)
    for failed in summary.failed:
        click.echo(f"conduct-scan: input error: {failed.error}", err=True)
    totals = summary.to_dict()
    if not quiet:
        click.echo(
            f"{totals['inputs_scanned']} files scanned, {totals['inputs_already_audited']} already "
            f"audited, {totals['inputs_failed']} failed: {totals['posts_scanned']:,} posts, "
            f"{totals['bytes_scanned'] / 1e6:,.1f} MB of text at "
            f"{totals['megabytes_per_second']:,.1f} MB/s, {totals['findings']:,} findings -> {out}",
            err=True,
        )
    if options.get("accounts"):
        from conduct_scan.accounts.cli import run_account_audit

        totals["accounts"] = options["account_counts"] = run_account_audit(options)
    if options["log_json"]:
        click.echo(json.dumps(totals, ensure_ascii=False))
    if not summary.inputs:
        fail("nothing to scan: no Parquet files in the sources given")
    return summary


def _scan(options: dict[str, Any], progress: Any) -> Any:
    from conduct_scan.pipeline import scan_archive

    if options.get("engine") == "spark":
        if options.get("claims_path") is not None:
            # Silently scanning without the file's claims would under-report clause 4.6d.
            fail("--claims is not supported with --engine spark yet (the ruleset's own "
                 "[[claim]]s are matched); put the claims in a ruleset that extends the bundled "
                 "one, or use --engine local")  # fmt: skip
        from conduct_scan.spark import scan_from_cli

        return scan_from_cli(options)
    return scan_archive(
        options["sources"],
        options["out"],
        options["ruleset_path"],
        **scan_keywords(options),
        threads=options["threads"],
        batch_rows=options["batch_rows"],
        batch_bytes=options.get("batch_bytes", DEFAULT_BATCH_BYTES),
        fresh=options["fresh"],
        progress=progress,
        max_compile_seconds=options.get("max_compile_seconds", DEFAULT_MAX_COMPILE_SECONDS),
        max_database_mb=options.get("max_database_mb", DEFAULT_MAX_DATABASE_MB),
        claims=options.get("claims_path"),
    )


def scan_keywords(options: dict[str, Any]) -> dict[str, Any]:
    """The options of ``scan``/``audit`` as the keyword arguments that ``scan_archive`` and
    ``conduct_scan.spark.scan_spark`` share (one mapping for both engines).
    """
    return {
        "text_columns": options["text_columns"],
        "id_column": options["id_column"],
        "account_column": options["account_column"],
        "time_column": options["time_column"] or None,
        "account_type_column": options["account_type_column"] or None,
        "since": options["since"],
        "until": options["until"],
        "wait_lock": options.get("wait_lock", 0.0),
    }


def _campaigns(out: Path, threads: int | None, wait_lock: float, quiet: bool) -> None:
    from conduct_scan.campaigns import CampaignOptions
    from conduct_scan.campaigns_cli import run_campaigns

    run_campaigns(out, CampaignOptions(), threads, wait_lock, quiet)


def _exit_code(summary: Any, fail_on: str | None, accounts: dict[str, Any] | None = None) -> int:
    """The documented exit code; ``--fail-on`` counts account findings as well as posts'."""
    if summary.failed or summary.source_problems:
        return EXIT_PARTIAL
    if not fail_on:
        return EXIT_OK
    account_findings = count_at_or_above((accounts or {}).get("by_severity") or {}, fail_on)
    if summary.findings_at_or_above(fail_on) or account_findings:
        return EXIT_FINDINGS
    return EXIT_OK


@main.command()
@_scan_options
def scan(**options: Any) -> None:
    """Scan Parquet archives (files, directories, globs) into OUT.

    Writes OUT/violations/*.parquet, OUT/accounts/*.parquet, OUT/manifest.json. Exit codes:
    0 completed, 1 findings at or above --fail-on, 2 usage or ruleset error (nothing scanned),
    3 completed but some inputs failed, 4 OUT in use by another run, 5 an output file cannot
    be written (disk full), 130 interrupted.
    """
    summary = _run_scan(options)
    sys.exit(_exit_code(summary, options["fail_on"], options.get("account_counts")))


def _write_report(
    out: Path | str,
    formats: str,
    redact: bool,
    key_file: Path | None,
    quiet: bool,
    wait_lock: float = 0.0,
) -> None:
    from conduct_scan.report import write_report
    from conduct_scan.report.cli import resolve_key

    key = resolve_key(key_file) if redact else None
    chosen = tuple(f.strip() for f in formats.split(",") if f.strip())
    if isinstance(out, str):  # an object store's URL
        from conduct_scan.store_output import write_report_at

        url = write_report_at(out, wait_lock, formats=chosen, redact=redact, redact_key=key)
        if not quiet:
            click.echo(f"report: {url}/report.html" if "html" in chosen else url, err=True)
        return
    report_dir = write_report(
        out, formats=chosen, redact=redact, redact_key=key, wait_lock=wait_lock
    )
    if not quiet:
        html = report_dir / "report.html"
        click.echo(f"report: {html if html.exists() else report_dir}", err=True)


@main.command()
@_scan_options
@click.option(
    "--format",
    "formats",
    default="html,md,json",
    show_default=True,
    help="Report formats: html, md, json (summary.json), dsa (statements.jsonl).",
)
@click.option("--redact", is_flag=True, help="Pseudonymise accounts and drop matched text.")
@click.option("--key-file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Redaction key file (default: $CONDUCT_SCAN_REDACT_KEY).")  # fmt: skip
@click.option(
    "--no-campaigns",
    is_flag=True,
    help="Skip the copy-paste campaigns step (`conduct-scan campaigns OUT`).",
)
def audit(formats: str, redact: bool, key_file: Path | None, no_campaigns: bool,
          **options: Any) -> None:  # fmt: skip
    """Scan Parquet archives into OUT, find copy-paste campaigns, then write the audit report
    (OUT/report/).
    """
    summary = _run_scan(options)
    if not no_campaigns:
        _campaigns(options["out"], options["threads"], options["wait_lock"], options["quiet"])
    _write_report(options["out"], formats, redact, key_file, options["quiet"], options["wait_lock"])
    sys.exit(_exit_code(summary, options["fail_on"], options.get("account_counts")))


@main.command()
@click.option("--out", "-o", default="demo-out", show_default=True,
              type=click.Path(file_okay=False, path_type=Path))  # fmt: skip
@click.option("--posts", type=click.IntRange(min=100), default=50_000, show_default=True)
@click.option("--days", type=click.IntRange(min=1), default=5, show_default=True)
@click.option("--seed", type=int, default=2021, show_default=True)
@click.option("--quiet", "-q", is_flag=True)
@click.option("--simulate-review", is_flag=True,
              help="Then sample the findings, decide them from the generator's ground "
                   "truth, and import the decisions (DIR/review/).")  # fmt: skip
def demo(out: Path, posts: int, days: int, seed: int, quiet: bool, simulate_review: bool) -> None:
    """Generate a realistic sample archive and audit it (what `make demo` runs)."""
    from conduct_scan.demo import generate_archive

    archive = out / "archive"
    if archive.exists():
        import shutil

        shutil.rmtree(archive)
    summary = generate_archive(
        archive, posts=posts, days=days, seed=seed, with_labels=simulate_review
    )
    if not quiet:
        click.echo(
            f"sample archive: {summary.posts:,} posts by {summary.accounts:,} accounts over "
            f"{summary.days} days in {summary.files} files -> {archive}",
            err=True,
        )
    accounts_dir = _demo_accounts(out, seed, quiet)
    audit_dir = out / "audit"
    options: dict[str, Any] = {
        "sources": (str(archive),), "out": audit_dir, "ruleset_path": None,
        "text_columns": ("title", "text"), "id_column": "post_id", "account_column": "account_id",
        "time_column": "created_at", "account_type_column": "account_type", "since": None,
        "until": None, "threads": None, "batch_rows": DEFAULT_BATCH_ROWS, "fresh": True,
        "quiet": quiet, "log_json": False, "fail_on": None, "resume": False,
        "accounts": (str(accounts_dir),), "accounts_columns": (),
    }  # fmt: skip
    summary_ = _run_scan(options)
    _campaigns(audit_dir, None, 0.0, quiet)
    if simulate_review:
        from conduct_scan.review.simulate import simulate_review as review_from_truth

        decisions = review_from_truth(audit_dir, out / "review", seed=seed)
        if not quiet:
            click.echo(f"simulated review: {decisions} imported into {audit_dir}/reviews/; "
                       f"next: conduct-scan rules suggest {audit_dir}", err=True)  # fmt: skip
    _write_report(audit_dir, "html,md,json", False, None, quiet)
    sys.exit(_exit_code(summary_, None))


def _demo_accounts(out: Path, seed: int, quiet: bool) -> Path:
    """Write the demo archive's accounts table (names, shops, agencies, impersonators)."""
    import pyarrow.parquet as pq

    from conduct_scan.demo import archive_accounts
    from conduct_scan.demo_accounts import generate_accounts

    ids, types = archive_accounts(seed=seed)
    table = generate_accounts(ids, types, seed=seed)
    directory = out / "accounts"
    directory.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, directory / "accounts.parquet", compression="zstd")
    if not quiet:
        click.echo(f"accounts table: {table.num_rows:,} accounts -> {directory}", err=True)
    return directory
