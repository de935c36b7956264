"""The report directory and its documents: files per format, summary.json, report.md,
report.html (self-contained, escaped), statements.jsonl (DSA shape), the CLI."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import click
import polars as pl
import pytest
from click.testing import CliRunner

from conduct_scan.report import DEFAULT_FORMATS, Thresholds, aggregate, write_report
from conduct_scan.report.cli import report as report_command
from conduct_scan.report.html import snippet
from conduct_scan.report.markdown import md
from conduct_scan.report.redact import KEY_ENV
from tests.report_fixtures import archive, generate, write_scan_output

PARQUET = {"by_account.parquet", "by_clause.parquet", "by_day.parquet", "repeat_offenders.parquet"}


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("out")
    archive(directory, seed=13, n_accounts=25, n_days=4)
    write_report(directory, formats=("html", "md", "json", "dsa"))
    return directory


def test_files_per_format(tmp_path: Path) -> None:
    archive(tmp_path)
    report = write_report(tmp_path)
    assert DEFAULT_FORMATS == ("html", "md", "json")
    assert {p.name for p in report.iterdir()} == PARQUET | {
        "summary.json", "report.md", "report.html",
    }  # fmt: skip
    report = write_report(tmp_path, formats="md")
    assert {p.name for p in report.iterdir()} == PARQUET | {"report.md"}
    report = write_report(tmp_path, formats=["dsa"])
    assert {p.name for p in report.iterdir()} == PARQUET | {"statements.jsonl"}
    with pytest.raises(ValueError, match="unknown report format"):
        write_report(tmp_path, formats="pdf")
    # Nothing half-written is left behind (`.lock` is the output directory's lock file).
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == [".lock"]


def test_summary_matches_the_aggregates(out: Path) -> None:
    summary = json.loads((out / "report" / "summary.json").read_text(encoding="utf-8"))
    violations = pl.read_parquet(out / "violations")
    accounts = pl.read_parquet(out / "accounts")
    totals = summary["totals"]
    assert summary["schema"] == "conduct-scan/report-summary/1"
    assert totals["findings"] == violations.height
    assert totals["posts_flagged"] == violations.select("source_file", "row").unique().height
    assert totals["posts_scanned"] == accounts["posts"].sum()
    assert totals["accounts"] == accounts["account_id"].n_unique()
    assert totals["flag_rate"] == pytest.approx(totals["posts_flagged"] / totals["posts_scanned"])
    assert sum(s["findings"] for s in summary["severities"].values()) == violations.height
    assert [g["group"] for g in summary["groups"]] == ["users", "officials", "agencies"]
    clauses = {c["id"]: c for c in summary["clauses"]}
    assert clauses["3.1"]["status"] == "not assessed" and clauses["3.1"]["findings"] is None
    assert clauses["4.5"]["references"][0]["effective"] == "2013-09-01"
    assert summary["ruleset"]["id"] == "test-rules"
    assert summary["scan"]["inputs_by_status"] == {"ok": 1, "failed": 1}
    assert summary["score"]["weights"] == {
        "info": 0, "low": 1, "medium": 2, "high": 4, "critical": 8,
    }  # fmt: skip
    assert summary["redacted"] is False
    assert (
        summary["repeat_offenders"]["count"]
        == pl.read_parquet(out / "report" / "repeat_offenders.parquet").height
    )


class Collector(HTMLParser):
    """Tags and attributes of a document."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def test_html_is_self_contained(out: Path) -> None:
    html = (out / "report" / "report.html").read_text(encoding="utf-8")
    parser = Collector()
    parser.feed(html)
    tags = parser.tags
    names = [t for t, _ in tags]
    assert "script" not in names
    assert "iframe" not in names and "object" not in names and "embed" not in names
    for tag, attrs in tags:
        for attribute in ("src", "srcset", "data", "poster"):
            assert attribute not in attrs or str(attrs[attribute]).startswith("data:"), tag
        if tag == "link":
            assert attrs.get("href", "").startswith("data:"), attrs  # the empty favicon only
        if tag == "a":
            assert re.match(r"(#|https?://)", attrs.get("href") or ""), attrs
    assert "@import" not in html and "url(http" not in html
    csp = next(a for t, a in tags if t == "meta" and a.get("http-equiv"))
    assert "default-src 'none'" in (csp["content"] or "")
    # Four inline SVG charts with unique ids.
    assert names.count("svg") == 4
    ids = [a["id"] for _, a in tags if a.get("id")]
    assert len(ids) == len(set(ids))


def test_html_says_what_the_code_is(out: Path) -> None:
    html = (out / "report" / "report.html").read_text(encoding="utf-8")
    assert "non-binding" in html
    assert "not a legal determination" in html
    assert "Decision 874/QĐ-BTTTT" in html
    assert "Không sử dụng từ ngữ thô tục" in html  # Vietnamese, unescaped UTF-8
    # Legal references with their dates; a superseded law says so.
    assert "2013-09-01 to 2024-12-25" in html and "superseded by decree-147-2024" in html
    assert "in force since 2020-04-15" in html
    # Not assessed clauses are listed as such.
    assert "Not assessed</h3>" in html and "Help protect children online" in html
    assert "needs account metadata, which the scan does not check" in html
    assert "no rule of the ruleset targets it" in html
    # A javascript: URL from the ruleset never becomes a link.
    assert "javascript:" not in html


def test_html_escapes_user_text(out: Path) -> None:
    html = (out / "report" / "report.html").read_text(encoding="utf-8")
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "<b>vãi</b>" not in html
    assert "&lt;against&gt;" in html  # ruleset text is escaped too


def test_snippet_marks_the_match() -> None:
    assert snippet("ab <x> cd", 3, "<x>") == "ab <mark>&lt;x&gt;</mark> cd"
    assert snippet(None, None, "a&b") == "a&amp;b"
    assert snippet("abc", 99, "b") == "abc"


def test_markdown(out: Path) -> None:
    text = (out / "report" / "report.md").read_text(encoding="utf-8")
    assert text.startswith("# Code of Conduct audit report")
    assert "non-binding" in text
    assert "<script>" not in text and "<b>" not in text
    # Every row of a table has as many cells as its header: user text cannot break a table.
    tables: list[list[str]] = [[]]
    for line in text.splitlines():
        if line.startswith("|"):
            tables[-1].append(line)
        elif tables[-1]:
            tables.append([])
    cells = re.compile(r"(?<!\\)\|")
    tables = [t for t in tables if t]
    assert len(tables) >= 4
    for table in tables:
        widths = {len(cells.findall(row)) for row in table}
        assert len(widths) == 1, table
    assert md("a|b\nc <d> `e`") == "a\\|b c &lt;d&gt; \\`e\\`"


def test_statements_have_the_dsa_shape(out: Path) -> None:
    lines = (out / "report" / "statements.jsonl").read_text(encoding="utf-8").splitlines()
    violations = pl.read_parquet(out / "violations")
    assert len(lines) == violations.select("source_file", "row").unique().height
    statements = [json.loads(line) for line in lines]
    for s in statements:
        assert s["decision_ground"] == "DECISION_GROUND_INCOMPATIBLE_CONTENT"
        assert s["category"].startswith("STATEMENT_CATEGORY_")
        assert s["category"] not in s["category_addition"]
        assert s["automated_detection"] == "Yes"
        assert s["content_type"] == ["CONTENT_TYPE_TEXT"]
        assert s["source_type"] == "SOURCE_VOLUNTARY"
        assert s["incompatible_content_ground"].startswith("Code of Conduct on Social Networks")
        assert len(s["incompatible_content_ground"]) <= 500
        assert s["incompatible_content_illegal"] in ("Yes", "No")
        ext = s["conduct_scan"]
        assert ext["clause_id"] in ext["clauses"]
        assert (s["incompatible_content_illegal"] == "Yes") == bool(ext["legal_references"])
    by_puid = {s["puid"]: s for s in statements}
    # A post of 2024-12-23 under 4.5: Decree 72/2013 still applied (until 2024-12-25).
    early = violations.filter(
        (pl.col("clause_id") == "4.5") & (pl.col("created_at").dt.date() < pl.date(2024, 12, 25))
    )
    if early.height:
        refs = by_puid[early["post_id"][0]]["conduct_scan"]["legal_references"]
        assert any(r.startswith("Decree 72/2013") for r in refs)
    late = violations.filter(
        (pl.col("clause_id") == "4.5") & (pl.col("created_at").dt.date() >= pl.date(2024, 12, 25))
    )
    if late.height:
        refs = by_puid[late["post_id"][0]]["conduct_scan"]["legal_references"]
        assert not any(r.startswith("Decree 72/2013") for r in refs)
        assert any(r.startswith("Decree 147/2024") for r in refs)


def test_statement_category_is_the_most_severe_clause(tmp_path: Path) -> None:
    violations, accounts = generate(8, n_accounts=1, flag_probability=1.0)
    post = violations.filter(pl.col("row") == violations["row"][0]).head(1)
    two = pl.concat(
        [
            post.with_columns(clause_id=pl.lit("4.6e"), severity=pl.lit("low")),
            post.with_columns(clause_id=pl.lit("4.5"), severity=pl.lit("critical")),
        ]
    )
    write_scan_output(tmp_path, two, accounts)
    report = write_report(tmp_path, formats="dsa")
    [statement] = [json.loads(x) for x in (report / "statements.jsonl").read_text().splitlines()]
    assert statement["category"] == "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH"
    assert statement["category_addition"] == ["STATEMENT_CATEGORY_SCAMS_AND_FRAUD"]
    assert statement["conduct_scan"]["clauses"] == ["4.5", "4.6e"]
    assert statement["conduct_scan"]["severity"] == "critical"


def test_an_empty_scan_gets_a_report(tmp_path: Path) -> None:
    archive(tmp_path, flag_probability=0.0)
    report = write_report(tmp_path, formats=("html", "md", "json", "dsa"))
    summary = json.loads((report / "summary.json").read_text())
    assert summary["totals"]["findings"] == 0
    assert (report / "statements.jsonl").read_text() == ""
    assert "No findings" in (report / "report.html").read_text()


def test_a_second_run_replaces_the_report(tmp_path: Path) -> None:
    archive(tmp_path)
    first = write_report(tmp_path, formats="md")
    (first / "stale.txt").write_text("old")
    second = write_report(tmp_path, formats="md")
    assert first == second and not (second / "stale.txt").exists()


def test_thresholds(tmp_path: Path) -> None:
    archive(tmp_path)
    strict = Thresholds(min_posts_flagged=10_000)
    report = write_report(tmp_path, formats="json", thresholds=strict)
    assert pl.read_parquet(report / "repeat_offenders.parquet").height == 0
    summary = json.loads((report / "summary.json").read_text())
    assert summary["repeat_offenders"]["thresholds"]["min_posts_flagged"] == 10_000
    assert aggregate(tmp_path, thresholds=Thresholds(0, 0.0, 0.0)).repeat_offenders.collect().height


def run(*args: str, env: dict[str, str] | None = None) -> Any:
    @click.group()
    def cli() -> None:
        pass

    cli.add_command(report_command)
    return CliRunner().invoke(cli, ["report", *args], env=env or {KEY_ENV: ""})


def test_cli(tmp_path: Path) -> None:
    archive(tmp_path)
    result = run(str(tmp_path), "--format", "html,json")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == str(tmp_path / "report" / "report.html")
    result = run(str(tmp_path), "--format", "md", "--min-posts-flagged", "1")
    assert result.exit_code == 0
    assert result.output.strip() == str(tmp_path / "report")


def test_cli_redact(tmp_path: Path) -> None:
    archive(tmp_path)
    result = run(str(tmp_path), "--redact")
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        f"conduct-scan: error: --redact needs a key: set ${KEY_ENV} or pass --key-file"
    ]
    result = run(str(tmp_path), "--redact", env={KEY_ENV: "x" * 32})
    assert result.exit_code == 0, result.output
    assert result.output.strip() == str(tmp_path / "report-redacted" / "report.html")
    key = tmp_path / "key"
    key.write_text("short")
    result = run(str(tmp_path), "--redact", "--key-file", str(key))
    assert result.exit_code == 2
    assert "at least 16" in result.output and len(result.output.strip().splitlines()) == 1


def test_cli_errors(tmp_path: Path) -> None:
    result = run(str(tmp_path), "--format", "pdf")
    assert result.exit_code == 2
    assert result.output.startswith("conduct-scan: error: unknown report format(s) pdf")
    result = run(str(tmp_path / "nowhere"))
    assert result.exit_code == 2
    assert result.output.strip() == f"conduct-scan: error: {tmp_path / 'nowhere'}: not a directory"


def test_charts_text_is_plain() -> None:
    """Log-scale ticks and ids with ``$`` stay plain text (no mathtext) in the SVG."""
    from conduct_scan.report.charts import flag_rate_chart, top_accounts_chart

    rates = pl.DataFrame({"bin": [0, 1, 19], "accounts": [5000, 3, 1]})
    svg = flag_rate_chart(rates, 10).svg
    assert "mathdefault" not in svg
    assert "1,000" in svg  # a log axis: ticks 1, 10, 100, 1,000 as plain numbers
    accounts = pl.DataFrame({"account_id": ["$x^2$ <b>&"], "score": [3.0], "group": ["users"]})
    svg = top_accounts_chart(accounts).svg
    assert "$x^2$ &lt;b&gt;&amp;" in svg
