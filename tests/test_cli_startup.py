"""``conduct-scan scan`` does not import the report stack, and the lazy subcommands still work."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from click.testing import CliRunner

from conduct_scan.cli import LAZY_COMMANDS, main

REPORT_STACK = ("polars", "matplotlib", "conduct_scan.report.aggregate")
"""pandas is not in the list: pyarrow imports it itself the first time it converts a Python
value (``pa.scalar``, ``pa.array`` of a list), which the pipeline does."""

PROBE = """
import json, sys
from conduct_scan.cli import main
try:
    main(sys.argv[1:], standalone_mode=False)
finally:
    heavy = [m for m in {stack!r} if m in sys.modules]
    print(json.dumps(heavy), file=sys.stderr)
"""


def _loaded_by(args: list[str]) -> list[str]:
    probe = PROBE.format(stack=REPORT_STACK)
    done = subprocess.run(
        [sys.executable, "-c", probe, *args], capture_output=True, text=True, check=True
    )
    loaded: list[str] = json.loads(done.stderr.strip().splitlines()[-1])
    return loaded


def test_scan_does_not_import_the_report_stack(tmp_path: Path) -> None:
    archive = tmp_path / "posts.parquet"
    pq.write_table(
        pa.table({"post_id": ["1", "2"], "account_id": ["a", "b"],
                  "text": ["Đồ ngu!", "xin chào"]}),
        archive,
    )  # fmt: skip
    out = tmp_path / "out"
    assert _loaded_by(["scan", str(archive), "--out", str(out), "-q"]) == []
    assert (out / "manifest.json").exists()
    # The same process naming a report-side command does load it (the probe is not blind).
    assert "polars" in _loaded_by(["report", "--help"])


def test_every_lazy_command_loads_and_is_listed() -> None:
    runner = CliRunner()
    listing = runner.invoke(main, ["--help"])
    assert listing.exit_code == 0
    for name in LAZY_COMMANDS:
        assert f"  {name} " in listing.output
        shown = runner.invoke(main, [name, "--help"])
        assert shown.exit_code == 0, shown.output
        assert "Usage:" in shown.output
    # `rules suggest` lives in the review module and is attached when `rules` is loaded.
    assert runner.invoke(main, ["rules", "suggest", "--help"]).exit_code == 0
