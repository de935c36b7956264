"""The Python API of the native core: inputs, outputs, errors, threads, fork safety."""

from __future__ import annotations

import json
import multiprocessing
import threading
import time

import polars as pl
import pyarrow as pa
import pytest

import conduct_scan
from conduct_scan import ConductScanError, InputError, Ruleset, RulesetError, Scanner

RULES = """
[ruleset]
id = "api"
version = "1"

[[clause]]
id = "c"
title = "Clause"

[[rule]]
id = "ngu"
clause = "c"
terms = ["ngu", "đồ ngu"]
views = ["casefold", "fold"]

[[rule]]
id = "kill"
clause = "c"
terms = ["giết"]
unless = ["giết thời gian"]
"""


@pytest.fixture(scope="module")
def scanner() -> Scanner:
    return Scanner(Ruleset.from_toml(RULES, "api.toml"), threads=2)


def test_findings_table_schema(scanner: Scanner) -> None:
    table = scanner.scan(["Đồ NGU", "ok"])
    assert isinstance(table, pa.Table)
    assert table.column_names[:10] == [
        "row", "rule_id", "clause_id", "severity", "confidence",
        "view", "start", "end", "matched", "term",
    ]  # fmt: skip
    assert table.to_pylist()[0] == {
        "row": 0, "rule_id": "ngu", "clause_id": "c", "severity": "medium", "confidence": 1.0,
        "view": "casefold", "start": 0, "end": 6, "matched": "Đồ NGU", "term": "đồ ngu",
    }  # fmt: skip
    frame = pl.DataFrame(table)
    assert frame.height == 1


def test_metadata_counts_rows_nulls_and_bad_utf8(scanner: Scanner) -> None:
    binary = pa.array([b"ngu \xff", None, b"ok", "đồ ngu".encode()], type=pa.binary())
    table = scanner.scan(binary)
    meta = table.schema.metadata
    assert meta[b"conduct_scan.rows"] == b"4"
    assert meta[b"conduct_scan.null_rows"] == b"1"
    assert meta[b"conduct_scan.invalid_utf8_rows"] == b"1"
    assert table.column("matched").to_pylist() == ["ngu", "đồ ngu"]


def test_polars_series_and_views(scanner: Scanner) -> None:
    series = pl.Series(["mày ngu", None, "giết thời gian thôi"])
    table = scanner.scan(series)
    assert table.column("rule_id").to_pylist() == ["ngu"]


def test_row_numbers_run_across_chunks(scanner: Scanner) -> None:
    chunked = pa.chunked_array([["a", "ngu"], ["b", "c", "ngu"]])
    assert scanner.scan(chunked).column("row").to_pylist() == [1, 4]


def test_wrong_input_types_are_input_errors(scanner: Scanner) -> None:
    with pytest.raises(InputError, match="Arrow string column"):
        scanner.scan(pa.array([1, 2, 3]))
    with pytest.raises(InputError, match="list of str"):
        scanner.scan([1, 2])  # type: ignore[list-item]
    assert issubclass(InputError, ConductScanError)


def test_ruleset_errors_list_every_problem() -> None:
    bad = RULES + '\n[[rule]]\nid = "ngu"\nclause = "nope"\npatterns = ["(x", "y)"]\n'
    with pytest.raises(RulesetError) as caught:
        Ruleset.from_toml(bad, "bad.toml")
    reasons = [p[2] for p in caught.value.problems]
    assert any("duplicate rule id" in r for r in reasons)
    assert any("unknown clause `nope`" in r for r in reasons)
    assert sum("rejected by Hyperscan" in r for r in reasons) == 2
    assert all(p[0] == "bad.toml" and p[1] == "rule ngu" for p in caught.value.problems)


def test_ruleset_from_files_and_json(tmp_path: pytest.TempPathFactory) -> None:
    folder = tmp_path / "rules"  # type: ignore[operator]
    folder.mkdir()
    (folder / "a.toml").write_text(RULES, encoding="utf-8")
    loaded = Ruleset.load(folder)
    assert loaded.id == "api" and len(loaded.sha256) == 64
    data = json.loads(loaded.to_json())
    assert [r["id"] for r in data["rules"]] == ["ngu", "kill"]
    assert data["rules"][0]["views"] == ["casefold", "fold"]
    with pytest.raises(RulesetError, match="cannot read"):
        Ruleset.load(folder / "missing.toml")


def test_bundled_ruleset_loads() -> None:
    bundled = Ruleset.load()
    assert bundled.id == "vn-social-code-2021"
    assert "vn-social-code-2021" in Ruleset.bundled_names()
    Scanner(bundled)


def test_explain_reports_the_veto(scanner: Scanner) -> None:
    explained = scanner.explain("giết thời gian")
    assert explained == [
        {
            "rule_id": "kill", "clause_id": "c", "view": "casefold", "term": "giết",
            "start": 0, "end": 4, "outcome": "vetoed", "because": "giết thời gian",
        }
    ]  # fmt: skip


def test_options_are_checked() -> None:
    ruleset = Ruleset.from_toml(RULES)
    with pytest.raises(ValueError, match="literal_backend"):
        Scanner(ruleset, literal_backend="grep")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="threads"):
        Scanner(ruleset, threads=0)
    assert Scanner(ruleset, threads=3).threads == 3
    hyperscan = Scanner(ruleset, literal_backend="hyperscan")
    assert hyperscan.scan(["đồ ngu"]).num_rows == 1


def test_normalise_shows_views() -> None:
    assert conduct_scan.normalise("skeleton", "Đ.Ị.T mẹ") == "dit me"
    with pytest.raises(ValueError, match="unknown view"):
        conduct_scan.normalise("upper", "x")  # type: ignore[arg-type]


def test_gil_is_released_while_scanning(scanner: Scanner) -> None:
    # One native call (fewer rows than the bindings scan per call) of a few hundred ms.
    texts = pa.array(["xin chào các bạn, hôm nay trời đẹp quá " * 100] * 60_000)
    ticks = 0
    done = threading.Event()

    def scan() -> None:
        scanner.scan(texts)
        done.set()

    worker = threading.Thread(target=scan)
    started = time.perf_counter()
    worker.start()
    while not done.is_set():
        ticks += 1
        time.sleep(0)
    worker.join()
    elapsed = time.perf_counter() - started
    assert elapsed > 0.1, "scan too short to tell"
    # With the GIL held the loop above could not run while the scan does: a handful of ticks.
    assert ticks > 200, (ticks, elapsed)


def _scan_in_child(queue: multiprocessing.Queue[int]) -> None:
    scanner = _FORK_SCANNER
    queue.put(scanner.scan(["đồ ngu"] * 5000).num_rows)


_FORK_SCANNER: Scanner


def test_safe_after_fork(scanner: Scanner) -> None:
    global _FORK_SCANNER
    _FORK_SCANNER = scanner
    scanner.scan(["đồ ngu"] * 5000)  # the parent's thread pool now exists
    context = multiprocessing.get_context("fork")
    queue: multiprocessing.Queue[int] = context.Queue()
    child = context.Process(target=_scan_in_child, args=(queue,))
    child.start()
    child.join(timeout=60)
    assert child.exitcode == 0, "child hung or crashed after fork"
    assert queue.get(timeout=5) == 5000
