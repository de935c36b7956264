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
130   interrupted (Ctrl-C)
====  ===========================================================================
"""

from __future__ import annotations

import sys
from typing import Any, NoReturn

import click

from conduct_scan import __version__
from conduct_scan._core import HYPERSCAN_VERSION
from conduct_scan.errors import ConductScanError, InputError, RulesetError

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_PARTIAL = 3
EXIT_INTERRUPTED = 130


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    """Print ``conduct-scan: error: <message>`` on stderr and exit with ``code``."""
    click.echo(f"conduct-scan: error: {message}", err=True)
    sys.exit(code)


class Cli(click.Group):
    """The command group; turns the package's exceptions into one-line errors."""

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


def _register() -> None:
    """Attach the subcommands that live next to the step they drive."""
    from conduct_scan.rules.cli import rules

    main.add_command(rules)


_register()
