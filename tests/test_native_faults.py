"""Faults of the native core seen from outside: a panic while scanning a row (injected with
``CONDUCT_SCAN_FAULT_PANIC_ON``) and hostile rulesets (patterns that match everywhere, rulesets
that take too long to compile or are too large), through the Python API and the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conduct_scan import Ruleset, Scanner
from conduct_scan.errors import RulesetError

CLI = [sys.executable, "-m", "conduct_scan"]
MARKER = "PANIC-HERE-7f3a"
HEAD = '[ruleset]\nid = "t"\nversion = "1"\n[[clause]]\nid = "c"\ntitle = "C"\n'
RULES = HEAD + '[[rule]]\nid = "ngu"\nclause = "c"\nterms = ["ngu"]\n'
# Hyperscan takes 0.4 s to compile this (a bounded repeat of a Unicode class; at {1,800} it
# takes 19.5 s and is refused as too large).
SLOW_PATTERN = r"(?:\w\s*){1,100}x"


def _run(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *map(str, args)], capture_output=True, text=True, timeout=300, check=False,
        env={**_quiet_environ(), **(env or {})},
    )  # fmt: skip


def _quiet_environ() -> dict[str, str]:
    """The environment without ``RUST_BACKTRACE``, which makes panics print on stderr."""
    return {k: v for k, v in os.environ.items() if k != "RUST_BACKTRACE"}


def _error_lines(result: subprocess.CompletedProcess[str]) -> list[str]:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert "Traceback" not in result.stderr and "panicked" not in result.stderr, result.stderr
    return lines


def test_a_panic_on_a_row_is_a_scan_error_naming_the_row() -> None:
    # The variable is read once per process: a child process of its own.
    code = f"""
import pyarrow as pa
from conduct_scan import Ruleset, Scanner, ScanError
scanner = Scanner(Ruleset.from_toml({RULES!r}), threads=2)
texts = [f"post {{i}} ngu" for i in range(70_000)]
texts[66_000] = "x {MARKER} y"
for column in (texts, pa.chunked_array([texts[:1000], texts[1000:]])):
    try:
        scanner.scan(column)
    except ScanError as error:
        print(error.row, "|", error.reason, "|", error)
texts[66_000] = "ngu"
print(scanner.scan(pa.array(texts)).num_rows)
"""
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False,
        env={**_quiet_environ(), "CONDUCT_SCAN_FAULT_PANIC_ON": MARKER},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # the panic message is not printed, it is in the error
    lines = result.stdout.splitlines()
    assert len(lines) == 3, lines
    for line in lines[:2]:
        row, reason, message = line.split(" | ")
        assert row == "66000"
        assert reason.startswith("fault injection")
        assert message.startswith("internal error on row 66000: fault injection")
    assert lines[2] == "70000"


def test_a_panic_fails_only_its_input_and_the_next_run_finishes(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    archive.mkdir()
    for name, texts in [("a", ["ngu", "ok"]), ("b", ["fine", f"bad {MARKER}", "ngu ngu"])]:
        table = pa.table({"post_id": [f"{name}{i}" for i in range(len(texts))],
                          "account_id": ["u"] * len(texts), "text": texts})  # fmt: skip
        pq.write_table(table, archive / f"{name}.parquet")
    rules = tmp_path / "rules.toml"
    rules.write_text(RULES, encoding="utf-8")
    out = tmp_path / "out"
    env = {"CONDUCT_SCAN_FAULT_PANIC_ON": MARKER}
    result = _run("scan", archive, "--out", out, "-r", rules, "-q", env=env)
    assert result.returncode == 3, result.stderr
    lines = _error_lines(result)
    assert len(lines) == 1, lines
    assert lines[0].startswith(
        f"conduct-scan: input error: {archive / 'b.parquet'}: column 'text', row 1 "
        "(post_id 'b1'): internal error in the scanner"
    ), lines
    assert not list((out / "violations").glob("b*")), "parts of the failed input were kept"
    again = _run("scan", archive, "--out", out, "-r", rules, "-q")
    assert again.returncode == 0, again.stderr
    violations = pq.read_table(out / "violations").to_pylist()
    assert sorted(v["post_id"] for v in violations) == ["a0", "b2", "b2"]


@pytest.mark.parametrize(
    ("pattern", "why"),
    [("a*", "matches the empty string"), ("ng[uư]?|", "matches the empty string"),
     (".", "matches any single character"), ("[^#]", "matches any single character")],
)  # fmt: skip
def test_rules_check_refuses_patterns_that_match_everywhere(
    tmp_path: Path, pattern: str, why: str
) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text(
        RULES + f'[[rule]]\nid = "everywhere"\nclause = "c"\npatterns = [\'{pattern}\']\n',
        encoding="utf-8",
    )
    result = _run("rules", "check", rules)
    assert result.returncode == 2
    lines = _error_lines(result)
    assert len(lines) == 1, lines
    quoted = '"' + pattern + '"'
    prefix = f"conduct-scan: ruleset error: {rules}: rule everywhere: patterns: pattern {quoted}"
    assert lines[0].startswith(prefix), lines
    assert why in lines[0]


def test_a_slow_ruleset_is_refused_within_the_limit(tmp_path: Path) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text(
        RULES + f'[[rule]]\nid = "slow"\nclause = "c"\npatterns = [\'{SLOW_PATTERN}\']\n',
        encoding="utf-8",
    )
    env = {"CONDUCT_SCAN_CACHE_DIR": ""}
    for command in (
        ["rules", "check", rules],
        ["scan", tmp_path, "--out", tmp_path / "o", "-r", rules],
    ):
        started = time.monotonic()
        result = _run(*command, "--max-compile-seconds", "0.05", env=env)
        took = time.monotonic() - started
        assert result.returncode == 2, result.stderr
        lines = _error_lines(result)
        assert lines == [
            f"conduct-scan: ruleset error: {rules}: rule slow: pattern {SLOW_PATTERN!r} in view "
            "`casefold` takes more than 0.05 s to compile (--max-compile-seconds); simplify it "
            "(large bounded repeats such as {1,500} are the usual cause)".replace("'", '"')
        ], lines
        assert took < 10, took


def test_compile_limits_through_the_api() -> None:
    ruleset = Ruleset.from_toml(RULES + '[[rule]]\nid = "b"\nclause = "c"\nterms = ["x", "y"]\n')
    with pytest.raises(RulesetError) as caught:
        Scanner(ruleset, max_database_mb=1e-6)
    ((file, item, reason),) = caught.value.problems
    assert (file, item) == ("<string>", "rule b")  # the rule with most terms
    assert "above the limit" in reason
    Scanner(ruleset, max_compile_seconds=None, max_database_mb=None)
    for bad in (0, -1, float("nan")):
        with pytest.raises(ValueError, match="max_compile_seconds must be a positive number"):
            Scanner(ruleset, max_compile_seconds=bad)
