"""``conduct-scan rules``: the ruleset toolchain."""

from __future__ import annotations

import click


@click.group()
def rules() -> None:
    """List, check, test, explain and evaluate rulesets."""
