"""The CLI as a person runs it: at a pseudo-terminal (pexpect), 80 and 40 columns wide.

Every other CLI test captures the output, so the CLI never sees a terminal there and draws no
progress; these tests are the ones that would have caught a progress bar that crashes before
the first file is read. Each asserts no traceback, the documented exit code, the progress text
on the way (files, posts, MB/s, ETA) and the final summary line.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

pexpect = pytest.importorskip("pexpect", reason="pexpect drives the pseudo-terminal")

from conduct_scan.demo import generate_archive  # noqa: E402

CLI = [sys.executable, "-m", "conduct_scan"]
WIDTHS = [80, 40]
ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07")
DISPLAY = re.compile(r"(\d+/\d+ files|[\d.,]+ MB/s|loading the ruleset|compiling the ruleset)")
COLOUR = re.compile(r"\x1b\[[0-9;]*m")
SUMMARY = re.compile(
    r"\d+ files scanned, \d+ already audited, \d+ failed: [\d,]+ posts, [\d.,]+ MB of text at "
    r"[\d.,]+ MB/s, [\d,]+ findings -> "
)


class Terminal:
    """What one command printed at a pseudo-terminal, and how it ended."""

    def __init__(self, raw: str, status: int | None, signal_status: int | None) -> None:
        self.raw = raw
        self.status = status
        self.signal_status = signal_status

    @property
    def text(self) -> str:
        """The output without escape sequences (each redraw of the display still there)."""
        return ANSI.sub("", self.raw)

    def frames(self) -> list[str]:
        """Every line as drawn: redraws are separated by carriage returns."""
        return [f for line in self.text.split("\n") for f in line.split("\r") if f.strip()]

    def assert_clean(self) -> None:
        assert "Traceback" not in self.text, self.text
        assert "panicked" not in self.text, self.text


def spawn(args: list[str], columns: int, env: dict[str, str] | None = None) -> Any:
    environment = {**os.environ, "TERM": "xterm-256color", "COLUMNS": str(columns)}
    environment.pop("NO_COLOR", None)
    environment.update(env or {})
    return pexpect.spawn(
        CLI[0], [*CLI[1:], *args], dimensions=(24, columns), env=environment,
        encoding="utf-8", codec_errors="replace", timeout=180,
    )  # fmt: skip


def run(args: list[str], columns: int = 80, env: dict[str, str] | None = None) -> Terminal:
    child = spawn(args, columns, env)
    child.expect(pexpect.EOF)
    child.close()
    return Terminal(child.before, child.exitstatus, child.signalstatus)


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("archive")
    generate_archive(path, posts=6_000, days=3, rows_per_file=1_000, seed=11)
    return path


@pytest.fixture()
def out(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path / "out"


def assert_progress_drawn(term: Terminal, columns: int) -> None:
    frames = term.frames()
    last = max(i for i, f in enumerate(frames) if re.search(r"\d+/\d+ files", f))
    drawn = " ".join(frames[: last + 2])
    for text in ("files", "posts", "MB/s", "ETA"):
        assert text in drawn, term.text
    # The display fits the terminal: nothing wraps into a mess of half-redrawn lines.
    display = [f for f in frames if DISPLAY.match(f)]
    assert display and all(len(f.rstrip()) <= columns for f in display), display


@pytest.mark.parametrize("columns", WIDTHS)
def test_scan_draws_progress_and_ends_with_the_summary(
    archive: Path, out: Path, columns: int
) -> None:
    term = run(["scan", str(archive), "--out", str(out)], columns)
    term.assert_clean()
    assert term.status == 0, term.text
    assert_progress_drawn(term, columns)
    assert SUMMARY.search(term.text.replace("\r\n", " ").replace("\n", " ")), term.text
    assert len(list((out / "violations").glob("*.parquet"))) >= 1


@pytest.mark.parametrize("columns", WIDTHS)
def test_audit_prints_the_report_path(archive: Path, out: Path, columns: int) -> None:
    term = run(["audit", str(archive), "--out", str(out), "--format", "md,json"], columns)
    term.assert_clean()
    assert term.status == 0, term.text
    assert_progress_drawn(term, columns)
    flat = re.sub(r"\s*\r?\n", "", term.text)
    assert "report:" in flat and (out / "report" / "report.md").is_file(), term.text


@pytest.mark.parametrize("columns", WIDTHS)
def test_demo_at_a_terminal(tmp_path: Path, columns: int) -> None:
    term = run(["demo", "--out", str(tmp_path / "demo"), "--posts", "3000", "--days", "2"], columns)
    term.assert_clean()
    assert term.status == 0, term.text
    assert "sample archive: 3,000 posts" in term.text.replace("\r\n", "")
    assert_progress_drawn(term, columns)
    assert (tmp_path / "demo" / "audit" / "report" / "report.html").is_file()


@pytest.mark.parametrize("columns", WIDTHS)
def test_report_at_a_terminal(archive: Path, out: Path, columns: int) -> None:
    assert run(["scan", str(archive), "--out", str(out), "-q"], columns).status == 0
    term = run(["report", str(out), "--format", "html,json"], columns)
    term.assert_clean()
    assert term.status == 0, term.text
    assert "report.html" in re.sub(r"\s*\r?\n", "", term.text)


@pytest.mark.parametrize("columns", WIDTHS)
def test_rules_explain_at_a_terminal(columns: int) -> None:
    term = run(["rules", "explain", "Đ.ị.t mẹ mày, đồ ngu"], columns)
    term.assert_clean()
    assert term.status == 0, term.text
    assert "kept" in term.text and "4.6c" in term.text, term.text
    # At a terminal the evidence is highlighted (not the plain [[...]] markers of a pipe).
    assert COLOUR.search(term.raw) and "[[" not in term.text


@pytest.fixture()
def labelled_data(tmp_path: Path) -> Path:
    """A small labelled set in the shared data's layout (ViHOS format)."""
    vihos = tmp_path / "data" / "vi" / "vihos"
    vihos.mkdir(parents=True)
    rows = [("đồ ngu như bò", list(range(3, 6))), ("hôm nay trời đẹp", []),
            ("địt mẹ mày", list(range(0, 3))), ("cảm ơn bạn nhiều", [])]  # fmt: skip
    pl.DataFrame(
        {"content": [r[0] for r in rows], "index_spans": [str(r[1]) for r in rows]}
    ).write_csv(vihos / "dev.csv")
    return tmp_path / "data"


@pytest.mark.parametrize("columns", WIDTHS)
def test_rules_eval_at_a_terminal(labelled_data: Path, columns: int) -> None:
    term = run(["rules", "eval", "--data", str(labelled_data), "--dataset", "vihos-dev"], columns)
    term.assert_clean()
    assert term.status == 0, term.text
    assert "vihos-dev" in term.text, term.text


# Error paths -------------------------------------------------------------------------------


@pytest.mark.parametrize("columns", WIDTHS)
def test_missing_file(tmp_path: Path, columns: int) -> None:
    missing = tmp_path / "nope.parquet"
    term = run(["scan", str(missing), "--out", str(tmp_path / "out")], columns)
    term.assert_clean()
    assert term.status == 2, term.text
    flat = re.sub(r"\s*\r?\n", "", term.text)
    assert "nope.parquet" in flat and "conduct-scan: error: nothing to scan" in flat, term.text


@pytest.mark.parametrize("columns", WIDTHS)
def test_bad_ruleset(archive: Path, tmp_path: Path, columns: int) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text('[ruleset]\nid = "x"\nversion = "1"\n[[rule]]\nid = "r"\nclause = "nope"\n'
                     'terms = ["a"]\n')  # fmt: skip
    term = run(["scan", str(archive), "--out", str(tmp_path / "out"), "-r", str(rules)], columns)
    term.assert_clean()
    assert term.status == 2, term.text
    flat = re.sub(r"\s*\r?\n", "", term.text)
    assert "conduct-scan: ruleset error:" in flat and "rules.toml" in flat, term.text


@pytest.mark.parametrize("columns", WIDTHS)
def test_unwritable_out(archive: Path, tmp_path: Path, columns: int) -> None:
    # Root may write anywhere, so the output directory is made impossible, not forbidden:
    # its parent is a regular file.
    blocker = tmp_path / "file"
    blocker.write_text("")
    term = run(["scan", str(archive), "--out", str(blocker / "out")], columns)
    term.assert_clean()
    assert term.status == 2, term.text
    flat = re.sub(r"\s*\r?\n", "", term.text)
    assert "cannot write the output directory" in flat, term.text


# Terminal conventions ------------------------------------------------------------------------


def test_no_color_is_honoured(archive: Path, out: Path) -> None:
    term = run(["scan", str(archive), "--out", str(out)], 80, env={"NO_COLOR": "1"})
    term.assert_clean()
    assert term.status == 0
    assert_progress_drawn(term, 80)
    assert not COLOUR.search(term.raw.replace("\x1b[0m", "")), repr(term.raw[:400])


def test_dumb_terminal_gets_plain_lines(archive: Path, out: Path) -> None:
    term = run(["scan", str(archive), "--out", str(out)], 80, env={"TERM": "dumb"})
    term.assert_clean()
    assert term.status == 0
    assert "\x1b[" not in term.raw, repr(term.raw[:400])
    assert re.search(r"\d+/\d+ files, [\d,]+ posts, [\d.]+ MB/s, ETA", term.raw), term.raw
    assert SUMMARY.search(term.raw), term.raw


def test_quiet_prints_only_errors(archive: Path, tmp_path: Path) -> None:
    term = run(["scan", str(archive), "--out", str(tmp_path / "out"), "--quiet"], 80)
    assert term.status == 0 and term.text.strip() == "", term.text
    missing = tmp_path / "missing.parquet"
    term = run(["scan", str(missing), "--out", str(tmp_path / "out2"), "--quiet"], 80)
    lines = [line for line in term.text.splitlines() if line.strip()]
    assert term.status == 2 and lines and all(line.startswith("conduct-scan: ") for line in lines)


def test_first_run_says_it_is_compiling(archive: Path, out: Path, tmp_path: Path) -> None:
    cache = tmp_path / "empty-cache"
    term = run(["scan", str(archive), "--out", str(out)], 80,
               env={"CONDUCT_SCAN_CACHE_DIR": str(cache)})  # fmt: skip
    term.assert_clean()
    assert term.status == 0
    assert "compiling the ruleset" in term.text, term.text
    match = re.search(r"compiled the ruleset in ([\d.]+) s \(cached for the next runs\)", term.text)
    assert match, term.text
    # The summary's MB/s is the scan's, not diluted by the compile.
    manifest = (out / "manifest.json").read_text()
    assert '"compile_seconds"' in manifest


# Ctrl-C --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def big_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Twelve files large enough that a scan is still running when Ctrl-C arrives."""
    seed = tmp_path_factory.mktemp("seed")
    generate_archive(seed, posts=20_000, days=1, rows_per_file=20_000, seed=5)
    table = pq.read_table(next(seed.rglob("*.parquet")))
    path = tmp_path_factory.mktemp("big")
    for i in range(12):
        ids = pa.array([f"{i}-{n}" for n in range(table.num_rows)])
        pq.write_table(table.set_column(table.schema.get_field_index("post_id"), "post_id", ids),
                       path / f"part-{i:02d}.parquet")  # fmt: skip
    return path


def _findings(out: Path) -> pl.DataFrame:
    keys = ["source_file", "row", "field", "rule_id", "start", "end", "view", "matched"]
    return pl.read_parquet(out / "violations" / "*.parquet").select(keys).sort(keys)


def _posts(out: Path) -> pl.DataFrame:
    frame = pl.read_parquet(out / "accounts" / "*.parquet")
    return frame.group_by("account_id").agg(pl.col("posts").sum()).sort("account_id")


def test_ctrl_c_keeps_the_work_and_the_same_command_finishes_it(
    big_archive: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    args = ["scan", str(big_archive), "--out", str(out), "--threads", "1", "--batch-rows", "2000"]
    child = spawn(args, 80)
    child.expect(r"[1-9]\d*/12 files")
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    term = Terminal(child.before, child.exitstatus, child.signalstatus)
    term.assert_clean()
    assert child.exitstatus == 130, term.text
    flat = re.sub(r"\s*\r?\n", "", term.text)
    kept = re.search(r"interrupted: (\d+) of 12 inputs are complete and kept in .*; run the "
                     r"same command again to finish the rest", flat)  # fmt: skip
    assert kept and 1 <= int(kept.group(1)) < 12, term.text

    again = run(args, 80)
    again.assert_clean()
    assert again.status == 0, again.text
    assert re.search(rf"{12 - int(kept.group(1))} files scanned, {kept.group(1)} already audited",
                     again.text.replace("\r\n", "")), again.text  # fmt: skip

    clean = tmp_path / "clean"
    assert run(["scan", str(big_archive), "--out", str(clean), "-q"], 80).status == 0
    assert _findings(out).equals(_findings(clean))
    assert _posts(out).equals(_posts(clean))


def test_a_broken_display_never_stops_the_scan(
    archive: Path, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Drawing raises on every frame: the scan completes and says once that the bar is gone."""
    from click.testing import CliRunner
    from rich.console import Console

    from conduct_scan import cli, progress

    def broken(self: progress.ProgressBar, width: int) -> Iterator[str]:
        raise KeyError("files")
        yield ""

    monkeypatch.setattr(progress.ProgressBar, "_render", broken)
    monkeypatch.setattr(
        progress, "Console", lambda stderr: Console(stderr=True, force_terminal=True, width=80)
    )
    result = CliRunner().invoke(cli.main, ["scan", str(archive), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output.count("progress display stopped (KeyError") == 1, result.output
    assert SUMMARY.search(result.output)
    shutil.rmtree(out)
