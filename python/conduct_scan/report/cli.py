"""``conduct-scan report OUT``: aggregate a scan output and write its report."""

from __future__ import annotations

from pathlib import Path

import click

from conduct_scan.errors import ConductScanError, OutputLockedError, OutputWriteError
from conduct_scan.report.aggregate import Thresholds
from conduct_scan.report.redact import KEY_ENV, load_key
from conduct_scan.report.write import DEFAULT_FORMATS, parse_formats, write_report
from conduct_scan.store import Location

_DEFAULTS = Thresholds()


def resolve_key(key_file: Path | None) -> bytes:
    """Return the redaction key from ``key_file`` or ``$CONDUCT_SCAN_REDACT_KEY``.

    For the commands that take ``--redact``: exits with a one-line error (code 2) when there is
    no key, or it cannot be read, or it is too short.
    """
    from conduct_scan.cli import EXIT_USAGE, fail

    try:
        key = load_key(key_file)
    except ConductScanError as error:
        fail(str(error), EXIT_USAGE)
    if key is None:
        fail(f"--redact needs a key: set ${KEY_ENV} or pass --key-file", EXIT_USAGE)
    return key


@click.command("report")
@click.argument("out", type=Location())
@click.option(
    "--format",
    "formats",
    default=",".join(DEFAULT_FORMATS),
    show_default=True,
    metavar="LIST",
    help="Comma-separated documents to write: html (report.html), md (report.md), json "
    "(summary.json), dsa (statements.jsonl, draft DSA statements of reasons). The Parquet "
    "aggregates are always written.",
)
@click.option(
    "--redact",
    is_flag=True,
    help=f"Write OUT/report-redacted/: account and post ids as keyed pseudonyms (key from "
    f"${KEY_ENV} or --key-file), no matched text or context.",
)
@click.option(
    "--key-file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="File holding the redaction key (at least 16 bytes).",
)
@click.option(
    "--min-posts-flagged",
    type=click.IntRange(min=0),
    default=_DEFAULTS.min_posts_flagged,
    show_default=True,
    help="Repeat offender: at least this many flagged posts.",
)
@click.option(
    "--min-flag-rate",
    type=click.FloatRange(0.0, 1.0),
    default=_DEFAULTS.min_flag_rate,
    show_default=True,
    help="Repeat offender: at least this share of scanned posts flagged.",
)
@click.option(
    "--min-score",
    type=click.FloatRange(min=0.0),
    default=_DEFAULTS.min_score,
    show_default=True,
    help="Repeat offender: at least this score.",
)
@click.option("--wait-lock", type=click.FloatRange(min=0), default=0, metavar="SECONDS",
              help="When a scan is writing OUT, wait this long for it (default: fail at once, "
                   "exit 4).")  # fmt: skip
def report(
    out: Path | str,
    formats: str,
    redact: bool,
    key_file: Path | None,
    min_posts_flagged: int,
    min_flag_rate: float,
    min_score: float,
    wait_lock: float,
) -> None:
    """Aggregate the scan output OUT and write its report to OUT/report/.

    Prints the path of report.html (of the report directory without html). Exit 4 when a scan
    is writing OUT (see --wait-lock).
    """
    from conduct_scan.cli import EXIT_LOCKED, EXIT_USAGE, EXIT_WRITE, fail

    try:
        chosen = parse_formats(formats)
    except ValueError as error:
        fail(str(error), EXIT_USAGE)
    if key_file is not None and not redact:
        fail("--key-file is only used with --redact", EXIT_USAGE)
    key = resolve_key(key_file) if redact else None
    if isinstance(out, str):  # an object store's URL
        from conduct_scan.store_output import write_report_at

        try:
            url = write_report_at(
                out,
                wait_lock,
                formats=chosen,
                redact=redact,
                redact_key=key,
                thresholds=Thresholds(min_posts_flagged, min_flag_rate, min_score),
            )
        except OutputLockedError as error:
            fail(str(error), EXIT_LOCKED)
        except OutputWriteError as error:
            fail(str(error), EXIT_WRITE)
        except ConductScanError as error:
            fail(str(error), EXIT_USAGE)
        click.echo(f"{url}/report.html" if "html" in chosen else url)
        return
    try:
        directory = write_report(
            out,
            formats=chosen,
            redact=redact,
            redact_key=key,
            thresholds=Thresholds(min_posts_flagged, min_flag_rate, min_score),
            wait_lock=wait_lock,
        )
    except OutputLockedError as error:
        fail(str(error), EXIT_LOCKED)
    except ConductScanError as error:
        fail(str(error), EXIT_USAGE)
    click.echo(str(directory / "report.html" if "html" in chosen else directory))
