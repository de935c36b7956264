"""``--accounts`` of ``scan`` and ``audit``: the account audit after the post scan."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from conduct_scan._core import Ruleset
from conduct_scan.accounts import AccountColumns, audit_accounts
from conduct_scan.errors import InputError
from conduct_scan.write import write_json

EXIT_PARTIAL = 3


def run_account_audit(options: dict[str, Any]) -> dict[str, Any]:
    """Audits ``--accounts`` into ``--out`` and records the counts in the manifest."""
    out: Path = options["out"]
    path = options.get("ruleset_path")
    ruleset = Ruleset.load(str(path)) if path else Ruleset.load()
    try:
        columns = AccountColumns.parse(options.get("accounts_columns") or ())
        summary = audit_accounts(
            list(options["accounts"]),
            out,
            ruleset,
            columns=columns,
            batch_rows=options.get("batch_rows") or 65_536,
            threads=options.get("threads"),
        )
    except InputError as error:
        click.echo(f"conduct-scan: input error: {error}", err=True)
        sys.exit(EXIT_PARTIAL)
    counts = summary.to_dict()
    manifest_path = out / "manifest.json"
    if manifest_path.is_file():
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        manifest["accounts"] = counts
        write_json(manifest_path, manifest, indent=1)
    if not options.get("quiet"):
        skipped = "".join(
            f"; {rule} not run ({why})" for rule, why in summary.rules_not_run.items()
        )
        click.echo(
            f"{summary.accounts:,} accounts checked in {summary.seconds:.1f} s: "
            f"{summary.findings:,} findings on {summary.accounts_flagged:,} accounts "
            f"(clauses {', '.join(summary.clauses_assessed) or 'none'}){skipped}",
            err=True,
        )
    return counts
