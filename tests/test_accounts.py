"""Account audits: the name check, near-copies, account rules, and an end-to-end audit."""

from __future__ import annotations

import json
import subprocess
import sys
import unicodedata
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conduct_scan._core import Ruleset, RulesetError
from conduct_scan.accounts import ACCOUNT_FINDINGS_SCHEMA, check_accounts
from conduct_scan.accounts.names import check_name, syllable_problem
from conduct_scan.accounts.near_copy import NearCopyIndex, levenshtein, name_key

ROOT = Path(__file__).resolve().parent.parent
RULESET = ROOT / "rulesets" / "vn-social-code-2021"


@pytest.fixture(scope="module")
def ruleset() -> Ruleset:
    return Ruleset.load(str(RULESET))


NFD = "NFD"

PERSONAL = [
    "Nguyễn Thị Hoa",
    "Trần Văn Nam",
    "NGUYEN VAN AN",
    "nguyen thi lan anh",
    "Nguyễn Ngọc Bảo Anh",
    "Tôn Nữ Thị Ninh",
    "Âu Dương Minh Khang",
    "Tôn Thất Thuyết",
    "Lê Quang Liêm",
    "Huỳnh Thúy Quỳnh",
    "Phạm Nhật Vượng",
    "Ngô Bảo Châu",
    "Đặng Thái Sơn",
    "ĐẶNG THÁI SƠN",
    "Dang Thai Son",
    "Bùi Gia Khiêm",
    unicodedata.normalize(NFD, "Nguyễn Thị Hoa"),
    unicodedata.normalize(NFD, "Trương Mỹ Lan"),
    # Given names that are also nickname words, initials, both parents' family names, royal
    # compound and minority family names: real people, not signals.
    "Bùi Thị Xinh",
    "Cao Văn Trai",
    "Nguyễn T. Hoa",
    "Bùi Lê Ngọc Mai Tuyết Trinh",
    "Công Huyền Tôn Nữ Thị Hoa",
    "Khuất Văn Khang",
    "Ksor Phước",
    "Giàng A Chu",
    "Cầm Thị Hương",
]
FOREIGN = [
    "Sarah Johnson", "John O'Brien", "Jean-Pierre Dubois", "Иван Петров", "Kim Kardashian",
    "Min-jun Park", "王小明", "田中 太郎", "김민준", "สมชาย ใจดี", "Mia Kim",
]  # fmt: skip
NOT_PERSONAL = [
    ("Bé Heo Cute 😘", "symbols"),
    ("xXx_Sát_Thủ_xXx", "symbols"),
    ("Shop Mỹ Phẩm Giá Rẻ", "shop"),
    ("Mộc Store", "shop"),
    ("Nguyễn\u200bVăn\u200bAn", "hidden_characters"),
    ("Nguyễn Văn An 1995", "symbols"),
    ("Cỏ Dại", "no_family_name"),
    ("Mưa Bụi", "no_family_name"),
    ("Mưa Bụi Buồn", "shop"),
    ("Sleepy Panda", "shop"),
    ("Nguyễn Văn Anhhh", "malformed"),
    ("Lê Thị Bàc", "malformed"),
    ("Тrần Văn Nam", "mixed_scripts"),  # Cyrillic Т
    ("Thỏ", "single_word"),
    ("Trần Bé Xinh", "shop"),  # two nickname words
    ("Xinh Xinh", "shop"),
    ("Lê Thị Cute", "shop"),  # not a Vietnamese syllable
    ("Su Su Buồn", "shop"),  # written with diacritics, "Su" is not the family name Sử
    ("Cong an thanh pho Ha Noi", "malformed"),  # six words, not written as a name
    ("Nguyễn Văn A B C D E", "malformed"),
]


@pytest.mark.parametrize("name", PERSONAL)
def test_vietnamese_personal_names_pass(name: str) -> None:
    verdict = check_name(name)
    assert verdict.kind == "vietnamese", verdict
    assert not verdict.flagged


@pytest.mark.parametrize("name", FOREIGN)
def test_foreign_personal_names_are_recognised_not_flagged(name: str) -> None:
    verdict = check_name(name)
    assert verdict.kind == "foreign", verdict
    assert not verdict.flagged


@pytest.mark.parametrize(("name", "kind"), NOT_PERSONAL)
def test_non_names_are_signals_with_a_reason(name: str, kind: str) -> None:
    verdict = check_name(name)
    assert verdict.kind == kind, verdict
    assert 0 < verdict.certainty <= 1
    assert verdict.evidence


def test_nicknames_are_less_certain_than_hidden_characters() -> None:
    assert check_name("Thỏ").certainty < check_name("Nguyễn\u200bVăn An").certainty


@pytest.mark.parametrize(
    ("word", "ok"),
    [
        ("nguyễn", True), ("hoa", True), ("khuya", True), ("nghiêng", True), ("quyết", True),
        ("giữa", True), ("gìn", True), ("thuở", True), ("oanh", True), ("khuỷu", True),
        ("tóc", True), ("học", True), ("bàc", False), ("bảt", False), ("cinh", False),
        ("kanh", False), ("gha", False), ("nghu", False), ("anhh", False), ("shop", False),
        ("cute", False), ("nguyen", True), ("truong", True), ("xyz", False), ("hóà", False),
    ],
)  # fmt: skip
def test_syllable_rules(word: str, ok: bool) -> None:
    assert (syllable_problem(word) is None) is ok, syllable_problem(word)


def test_levenshtein_bounded() -> None:
    assert levenshtein("bocongan", "bocongan", 2) == 0
    assert levenshtein("bocongan", "bocogan", 2) == 1
    assert levenshtein("bocongan", "boyte", 2) == 3


VERIFIED = [
    ("bocongan", "Bộ Công an"),
    ("boyte", "Bộ Y tế"),
    ("cqcp", "Cổng Thông tin điện tử Chính phủ"),
]


@pytest.mark.parametrize(
    ("name", "how"),
    [
        ("Bộ Công an", "same"),
        ("BỘ CÔNG AN", "same"),
        ("Bo Cong An", "same"),
        ("B0 Công An", "same"),  # leetspeak digit
        ("Вộ Công Аn", "same"),  # Cyrillic В and А
        ("Bộ  Công   an", "same"),  # spacing
        ("B.ộ C.ô.n.g An", "same"),
        ("Bộ Công An Việt Nam", "contains"),
        ("Bộ Cônq an", "edit distance 1"),
        ("Cổng Thông tin điện tử Chính phũ", "same"),
        ("Cổng Thôngtin điệntử Chinh phu", "same"),
        ("Cổng Thông tin điện tủ Chính phụ", "same"),
        ("Cổng Thông tin điện tữ Chánh phủ", "edit distance 1"),
    ],
)
def test_near_copies_of_verified_names(name: str, how: str) -> None:
    index = NearCopyIndex(VERIFIED, min_length=5)
    near = index.find(name)
    assert near is not None, name_key(name)
    assert near.how == how


@pytest.mark.parametrize("name", ["Bộ Cơm Gà", "Nguyễn Văn An", "Bộ Tài chính", "Công an tỉnh"])
def test_other_names_are_not_near_copies(name: str) -> None:
    assert NearCopyIndex(VERIFIED, min_length=5).find(name) is None


def _flags(ruleset: Ruleset, accounts: list[dict[str, object]]) -> dict[str, set[str]]:
    table = check_accounts(ruleset, accounts)
    assert table.schema.equals(ACCOUNT_FINDINGS_SCHEMA)
    out: dict[str, set[str]] = {}
    for row in table.to_pylist():
        out.setdefault(row["account_id"], set()).add(row["clause_id"])
    return out


def test_the_real_agency_is_never_flagged(ruleset: Ruleset) -> None:
    real = [
        {"account_id": f"agency-{i}", "display_name": name, "username": slug, "account_type": t,
         "verified": True, "bio": f"Trang thông tin chính thức của {name}",
         "website": "https://example.gov.vn", "contact": "1900"}
        for i, (name, slug, t) in enumerate([
            ("Bộ Công an", "bocongan", "agency"),
            ("Công an tỉnh Nghệ An", "congan.nghean", "agency"),
            ("UBND Phường Bến Nghé", "ubnd.bennghe", "state_agency"),
            ("Tòa án nhân dân tối cao", "toaan", "government"),
            ("Đại tá Nguyễn Văn Hùng", "congan.hung", "official"),
        ])
    ]  # fmt: skip
    copies = [
        {"account_id": "fake-1", "display_name": "Bộ Công An Việt Nam", "account_type": "user",
         "verified": False, "username": "bocongan.vn", "bio": "", "website": None, "contact": None},
        {"account_id": "fake-2", "display_name": "B0 Công An", "account_type": "page",
         "verified": False, "username": "x", "bio": "", "website": None, "contact": None},
        {"account_id": "fake-3", "display_name": "Công an tỉnh Nghệ An", "account_type": "agency",
         "verified": False, "username": "congan.nghean2", "bio": "", "website": None,
         "contact": None},
    ]  # fmt: skip
    flags = _flags(ruleset, real + copies)
    for account in real:
        assert account["account_id"] not in flags, flags.get(str(account["account_id"]))
    assert "4.3" in flags["fake-1"] and "4.3" in flags["fake-2"]
    # An unverified agency account with a verified agency's name: impersonation, and 6.2.
    assert {"4.3", "6.2"} <= flags["fake-3"]


def test_conditions_and_missing_columns(ruleset: Ruleset) -> None:
    # Without website/contact columns the missing-contact rules are not run (and not flagged).
    flags = _flags(ruleset, [
        {"account_id": "a", "display_name": "UBND Xã Tân Phú", "account_type": "agency",
         "verified": False},
        {"account_id": "b", "display_name": "Bé Heo Cute 😘", "account_type": "user"},
        {"account_id": "c", "display_name": "Bé Heo Cute 😘", "account_type": "shop"},
        {"account_id": "d", "display_name": "Nguyễn Thị Hoa", "account_type": "user"},
    ])  # fmt: skip
    # An unverified agency account is a 6.2 finding, and its state name a 4.3 claim.
    assert flags["a"] == {"4.3", "6.2"}
    assert flags["b"] == {"4.2"}
    assert "c" not in flags and "d" not in flags


def test_account_rule_validation() -> None:
    head = '[ruleset]\nid = "t"\nversion = "1"\n[[clause]]\nid = "c"\ntitle = "C"\n'
    bad = [
        ('[[account_rule]]\nid = "a"\nclause = "c"\ncheck = "nope"\n', "unknown check `nope`"),
        ('[[account_rule]]\nid = "a"\nclause = "c"\nterms = ["x"]\nfields = ["email"]\n',
         "unknown field `email`"),
        ('[[account_rule]]\nid = "a"\nclause = "c"\nterms = ["x"]\n', "need `fields`"),
        ('[[account_rule]]\nid = "a"\nclause = "zz"\ncheck = "real_name"\n', "unknown clause"),
        ('[[account_rule]]\nid = "a"\nclause = "c"\n', "neither terms, patterns nor a check"),
        ('[[account_rule]]\nid = "a"\nclause = "c"\nfields = ["bio"]\npatterns = ["(a"]\n',
         "rejected by Hyperscan"),
        ('[[account_rule]]\nid = "a"\nclause = "c"\ncheck = "real_name"\ncolor = 1\n',
         "unknown field `color`"),
    ]  # fmt: skip
    for text, reason in bad:
        with pytest.raises(RulesetError) as info:
            Ruleset.from_toml(head + text, "t.toml")
        assert any(reason in p[2] for p in info.value.problems), info.value.problems
        assert any(p[1] == "account_rule a" for p in info.value.problems)
    ok = Ruleset.from_toml(
        head + '[[account_rule]]\nid = "a"\nclause = "c"\nfields = ["bio"]\nterms = ["x"]\n',
        "t.toml",
    )
    assert json.loads(ok.account_text_ruleset().to_json())["rules"][0]["id"] == "a"


def test_bundled_ruleset_has_account_rules_for_the_three_clauses() -> None:
    rules = json.loads(Ruleset.load().to_json())["account_rules"]
    assert {r["clause"] for r in rules} == {"4.2", "4.3", "6.2"}


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "conduct_scan", *args], capture_output=True, text=True, timeout=300
    )


@pytest.fixture(scope="module")
def audited(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from conduct_scan.demo import archive_accounts, generate_archive
    from conduct_scan.demo_accounts import generate_accounts

    root = tmp_path_factory.mktemp("acct")
    generate_archive(root / "archive", posts=2_000, days=1, accounts=400, seed=7)
    ids, types = archive_accounts(accounts=400, seed=7)
    table = generate_accounts(ids, types, seed=7, impersonator_share=0.05)
    # Custom column names, configured on the command line.
    table = table.rename_columns(["uid" if c == "account_id" else c for c in table.column_names])
    pq.write_table(table, root / "accounts.parquet")
    done = _cli("audit", str(root / "archive"), "--out", str(root / "out"), "-r", str(RULESET),
                "--accounts", str(root / "accounts.parquet"), "--accounts-column",
                "account_id=uid", "-q", "--format", "html,md,json")  # fmt: skip
    assert done.returncode == 0, done.stderr
    return root


def test_end_to_end_audit_assesses_the_three_clauses(audited: Path) -> None:
    out = audited / "out"
    findings = pl.read_parquet(out / "account_findings" / "*.parquet")
    assert findings.columns == ACCOUNT_FINDINGS_SCHEMA.names
    assert set(findings["clause_id"]) == {"4.2", "4.3", "6.2"}
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["accounts"]["findings"] == findings.height
    assert manifest["accounts"]["accounts"] == 400
    by_clause = pl.read_parquet(out / "report" / "by_clause.parquet")
    status = dict(zip(by_clause["clause_id"], by_clause["status"], strict=True))
    assert status["4.2"] == status["4.3"] == status["6.2"] == "assessed"
    found = dict(zip(by_clause["clause_id"], by_clause["findings"], strict=True))
    assert found["4.3"] == findings.filter(pl.col("clause_id") == "4.3").height
    by_account = pl.read_parquet(out / "report" / "by_account.parquet")
    flagged = by_account.filter(pl.col("account_findings") > 0)
    assert flagged.height == findings["account_id"].n_unique()
    md = (out / "report" / "report.md").read_text()
    assert "## Accounts: real names, impersonation, agency accounts" in md
    section = md.split("## Accounts: real names")[1].split("\n## ")[0]
    rows = [ln for ln in section.splitlines() if ln.startswith("| 4.") or ln.startswith("| 6.")]
    evidence = [ln for ln in rows if ln.count("|") > 6]
    assert evidence and evidence[0].startswith("| 4.3")  # impersonators first
    html = (out / "report" / "report.html").read_text()
    assert 'id="account-audit"' in html


def test_redacted_report_pseudonymises_account_findings(audited: Path) -> None:
    out = audited / "out"
    key = audited / "key"
    key.write_text("0123456789abcdef0123")
    done = _cli("report", str(out), "--redact", "--key-file", str(key), "--format", "md,html")
    assert done.returncode == 0, done.stderr
    findings = pl.read_parquet(out / "account_findings" / "*.parquet")
    md = (out / "report-redacted" / "report.md").read_text()
    html = (out / "report-redacted" / "report.html").read_text()
    for account_id, matched in findings.select("account_id", "matched").head(50).iter_rows():
        assert f"| {account_id} |" not in md
        if matched and len(matched) > 6:
            assert matched not in md.split("## Accounts")[1].split("\n## ")[0]
    by_account = pl.read_parquet(out / "report-redacted" / "by_account.parquet")
    assert by_account["account_id"].str.starts_with("acct-").all()
    assert "(redacted)" in html


def test_missing_columns_are_reported_and_bad_input_is_one_line(tmp_path: Path) -> None:
    from conduct_scan.demo import generate_archive

    generate_archive(tmp_path / "archive", posts=200, days=1, accounts=50, seed=3)
    pq.write_table(
        pa.table({"account_id": ["a", "b"], "display_name": ["Bé Heo Cute 😘", "Lê Văn Tám"],
                  "account_type": ["user", "user"]}),
        tmp_path / "acc.parquet",
    )  # fmt: skip
    done = _cli("scan", str(tmp_path / "archive"), "--out", str(tmp_path / "out"),
                "--accounts", str(tmp_path / "acc.parquet"))  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "acct.agency.unverified not run (needs column verified)" in done.stderr
    summary = json.loads((tmp_path / "out" / "manifest.json").read_text())["accounts"]
    # Impersonation rules spare verified accounts: without `verified` they are not run.
    assert summary["clauses_assessed"] == ["4.2"]
    assert "acct.impersonation.near-copy" in summary["rules_not_run"]
    assert summary["findings"] == 1
    pq.write_table(pa.table({"name": ["x"]}), tmp_path / "bad.parquet")
    done = _cli("scan", str(tmp_path / "archive"), "--out", str(tmp_path / "out"),
                "--accounts", str(tmp_path / "bad.parquet"))  # fmt: skip
    assert done.returncode == 3
    assert "Traceback" not in done.stderr
    assert "missing accounts column 'account_id'" in done.stderr


def test_extending_ruleset_can_disable_account_rules() -> None:
    text = (
        '[ruleset]\nid = "mine"\nversion = "1"\nextends = "bundled"\n'
        'disable = ["acct.real-name"]\n'
        '[[account_rule]]\nid = "mine.shop"\nclause = "4.2"\ncheck = "missing_contact"\n'
        'account_types = ["shop"]\n'
    )
    rules = {
        r["id"] for r in json.loads(Ruleset.from_toml(text, "m.toml").to_json())["account_rules"]
    }
    assert "acct.real-name" not in rules
    assert {"mine.shop", "acct.agency.unverified"} <= rules
    with pytest.raises(RulesetError) as info:
        Ruleset.from_toml(text.replace("acct.real-name", "acct.nope"), "m.toml")
    assert any("no rule `acct.nope`" in p[2] for p in info.value.problems)
    dup = text + '[[rule]]\nid = "mine.shop"\nclause = "4.2"\nterms = ["x"]\n'
    with pytest.raises(RulesetError) as info:
        Ruleset.from_toml(dup, "m.toml")
    assert any("duplicate rule id" in p[2] for p in info.value.problems)


def test_generated_accounts_are_seeded_and_varied() -> None:
    from conduct_scan.demo_accounts import generate_accounts

    a = generate_accounts(n=3_000, seed=5, with_labels=True)
    assert a.equals(generate_accounts(n=3_000, seed=5, with_labels=True))
    assert not a.equals(generate_accounts(n=3_000, seed=6, with_labels=True))
    frame = pl.from_arrow(a)
    assert isinstance(frame, pl.DataFrame)
    kinds = set(frame["kind"])
    assert {"vi_name", "foreign", "nickname_emoji", "shop_page", "agency", "official"} <= kinds
    assert any(k.startswith("copy_") for k in kinds)
    assert frame["account_id"].n_unique() == 3_000
    assert 0.1 < frame["label_4_2"].mean() < 0.5  # type: ignore[operator]
    assert frame["label_4_3"].sum() > 10


def test_fail_on_counts_account_findings(tmp_path: Path) -> None:
    """A CI gate with --fail-on must not pass an archive whose only problem is an impersonator."""
    import datetime as dt

    posts = pa.table({
        "post_id": ["p1", "p2"], "account_id": ["a", "b"],
        "created_at": [dt.datetime(2026, 1, 2, 8, 0)] * 2,
        "text": ["Hôm nay trời đẹp, cả nhà đi chơi công viên.", "Chúc mọi người cuối tuần vui."],
    })  # fmt: skip
    pq.write_table(posts, tmp_path / "posts.parquet")
    pq.write_table(
        pa.table({"account_id": ["a", "b"],
                  "display_name": ["Công An Tỉnh Hà Giang", "Lê Văn Tám"],
                  "account_type": ["user", "user"], "verified": [False, False]}),
        tmp_path / "acc.parquet",
    )  # fmt: skip
    base = ("scan", str(tmp_path / "posts.parquet"), "-q", "--fail-on", "high", "--fresh")
    clean = _cli(*base, "--out", str(tmp_path / "out1"))
    assert clean.returncode == 0, clean.stderr
    gated = _cli(
        *base, "--out", str(tmp_path / "out2"), "--accounts", str(tmp_path / "acc.parquet")
    )
    assert gated.returncode == 1, gated.stderr
    findings = pl.read_parquet(tmp_path / "out2" / "account_findings" / "*.parquet")
    assert set(findings.filter(pl.col("severity") == "high")["account_id"]) == {"a"}
    accounts = ("--accounts", str(tmp_path / "acc.parquet"))
    lenient = _cli("scan", str(tmp_path / "posts.parquet"), "-q", "--fail-on", "critical",
                   "--out", str(tmp_path / "out3"), *accounts)  # fmt: skip
    assert lenient.returncode == 0, lenient.stderr
