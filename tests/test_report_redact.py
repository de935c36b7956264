"""``--redact``: no raw account id, post id, matched text or context in any output file; stable
keyed pseudonyms; the key never written; keys from the environment or a file."""

from __future__ import annotations

import json
import re
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import pytest

from conduct_scan import InputError
from conduct_scan.report import KEY_ENV, Pseudonymiser, load_key, write_report
from tests.report_fixtures import archive

KEY = b"a night-after-night secret key"
ALL_FORMATS = ("html", "md", "json", "dsa")


def file_texts(directory: Path) -> dict[str, str]:
    """Every file of a report as text: Parquet files decoded (values, statistics, metadata),
    other files as they are."""
    texts = {}
    for path in sorted(directory.rglob("*")):
        if not path.is_file():
            continue
        if path.suffix == ".parquet":
            table = pq.read_table(path)
            metadata = pq.ParquetFile(path).metadata
            stats = [
                str(metadata.row_group(g).column(c).statistics)
                for g in range(metadata.num_row_groups)
                for c in range(metadata.num_columns)
            ]
            texts[path.name] = (
                pl.from_arrow(table).write_json() + str(metadata.metadata) + "".join(stats)
            )
        else:
            texts[path.name] = path.read_bytes().decode("utf-8")
    return texts


def secrets(out: Path) -> dict[str, set[str]]:
    violations = pl.read_parquet(out / "violations")
    accounts = pl.read_parquet(out / "accounts")
    return {
        "account": set(violations["account_id"]) | set(accounts["account_id"]),
        "post": set(violations["post_id"]),
        "matched": set(violations["matched"]),
        "context": set(violations["context"]),
    }


def test_redacted_report_leaks_no_id_or_text(tmp_path: Path) -> None:
    a = archive(tmp_path, seed=21, n_accounts=20)
    report = write_report(tmp_path, formats=ALL_FORMATS, redact=True, redact_key=KEY)
    assert report == tmp_path / "report-redacted"
    texts = file_texts(report)
    assert set(texts) == {
        "by_account.parquet", "by_clause.parquet", "by_day.parquet", "repeat_offenders.parquet",
        "summary.json", "statements.jsonl", "report.md", "report.html",
    }  # fmt: skip
    hidden = secrets(tmp_path)
    # Account ids are long and distinctive: no substring anywhere. Escaping in HTML/Markdown
    # could hide a match, so the unescaped text is searched too.
    for name, text in texts.items():
        plain = text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
        plain = plain.replace("&#x27;", "'").replace("&quot;", '"').replace("\\", "")
        for kind, values in hidden.items():
            for value in values:
                if kind == "post":
                    # Post ids are short ("post-1-23"): whole tokens only.
                    found = re.search(rf"(?<![\w-]){re.escape(value)}(?![\w-])", plain)
                else:
                    found = value in plain or value in text
                assert not found, f"{kind} {value!r} in {name}"
        assert KEY.decode() not in text, f"the key is in {name}"
    # Pseudonyms are there instead.
    by_account = pl.read_parquet(report / "by_account.parquet")
    pseudonymiser = Pseudonymiser(KEY)
    assert set(by_account["account_id"]) == {pseudonymiser.account(a) for a in hidden["account"]}
    assert by_account.height == a.accounts["account_id"].n_unique()
    summary = json.loads(texts["summary.json"])
    assert summary["redacted"] is True


def test_unredacted_report_does_show_them(tmp_path: Path) -> None:
    """The check above is meaningful: without --redact the same ids and texts are there."""
    archive(tmp_path, seed=21, n_accounts=20)
    report = write_report(tmp_path, formats=ALL_FORMATS)
    assert report == tmp_path / "report"
    texts = file_texts(report)
    hidden = secrets(tmp_path)
    everything = "".join(texts.values())
    assert all(account in everything for account in hidden["account"])
    assert any(post in texts["statements.jsonl"] for post in hidden["post"])
    assert "Đ.ị.t" in texts["report.html"] or "ĐỤ MÁ" in texts["report.html"]


def test_same_key_same_pseudonyms_across_nights(tmp_path: Path) -> None:
    first, second, third = tmp_path / "n1", tmp_path / "n2", tmp_path / "n3"
    archive(first, seed=1)
    archive(second, seed=2)  # another night: other posts, the same accounts
    archive(third, seed=1)
    one = pl.read_parquet(write_report(first, redact=True, redact_key=KEY) / "by_account.parquet")
    two = pl.read_parquet(write_report(second, redact=True, redact_key=KEY) / "by_account.parquet")
    other = pl.read_parquet(
        write_report(third, redact=True, redact_key=b"another key, 16+ bytes")
        / "by_account.parquet"
    )
    assert set(one["account_id"]) == set(two["account_id"])
    assert not set(one["account_id"]) & set(other["account_id"])
    assert all(re.fullmatch(r"acct-[0-9a-f]{24}", p) for p in one["account_id"])


def test_pseudonyms() -> None:
    p = Pseudonymiser(KEY)
    assert p.account("x") == p.account("x") != p.account("y")
    assert p.account("x") != p.post("x").replace("post-", "acct-")  # kinds are not linkable
    assert p.account(None) is None
    assert "key" not in repr(p) and KEY.decode() not in repr(p)
    frame = pl.DataFrame({"account_id": ["x", None, "y"]})
    assert frame.select(p.expr("account_id", "account"))["account_id"].to_list() == [
        p.account("x"), None, p.account("y")
    ]  # fmt: skip
    with pytest.raises(ValueError, match="at least 16"):
        Pseudonymiser(b"short")


def test_load_key(tmp_path: Path) -> None:
    assert load_key(None, {}) is None
    assert load_key(None, {KEY_ENV: "k" * 20}) == b"k" * 20
    file = tmp_path / "key"
    file.write_bytes(KEY + b"\n")
    assert load_key(file, {KEY_ENV: "ignored when a file is given"}) == KEY
    file.write_bytes(b"short\n")
    with pytest.raises(InputError, match="at least 16"):
        load_key(file, {})
    with pytest.raises(InputError, match="cannot read"):
        load_key(tmp_path / "missing", {})
    with pytest.raises(InputError, match="at least 16"):
        load_key(None, {KEY_ENV: "short"})


def test_redact_needs_a_key(tmp_path: Path) -> None:
    archive(tmp_path)
    with pytest.raises(ValueError, match="redact_key"):
        write_report(tmp_path, redact=True)
    assert not (tmp_path / "report-redacted").exists()
