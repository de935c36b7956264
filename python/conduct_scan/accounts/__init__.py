"""Account audits: real names (4.2), impersonation of state bodies (4.3), agency accounts (6.2).

``audit_accounts`` reads an accounts table (Parquet file, directory or glob) batch by batch and
checks it against the ruleset's ``[[account_rule]]`` entries: their terms and patterns are
compiled into a :class:`~conduct_scan._core.Scanner` (``Ruleset.account_text_ruleset()``) and
matched in the account text columns as Arrow arrays, through the same views and Hyperscan
databases as posts; their conditions on ``account_type`` and ``verified`` and the built-in
checks they call (``real_name``, ``missing_contact``, ``unverified``, ``near_copy``) are applied
per batch. Findings go to ``OUT/account_findings/*.parquet``; memory follows the batch, plus the
verified agency names ``near_copy`` compares with (read in a first pass over the same files).
"""

from __future__ import annotations

import json
import shutil
import time
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from conduct_scan._core import Ruleset, Scanner
from conduct_scan.accounts.names import check_name
from conduct_scan.accounts.near_copy import NearCopyIndex
from conduct_scan.errors import InputError
from conduct_scan.read import discover, is_text_type
from conduct_scan.write import write_json

__all__ = [
    "ACCOUNT_FINDINGS_SCHEMA",
    "ROLES",
    "AccountColumns",
    "AccountRuleSpec",
    "AccountsSummary",
    "audit_accounts",
    "check_accounts",
]

ROLES: Final = (
    "account_id", "display_name", "username", "bio", "account_type", "verified",
    "created_at", "website", "contact",
)  # fmt: skip
"""The columns an accounts table may have, by role (names configurable, ``account_id`` needed)."""

TEXT_FIELDS: Final = ("display_name", "username", "bio", "website", "contact")

ACCOUNT_FINDINGS_SCHEMA: Final = pa.schema(
    [
        pa.field("account_id", pa.string()),
        pa.field("clause_id", pa.string()),
        pa.field("rule_id", pa.string()),
        pa.field("field", pa.string()),
        pa.field("matched", pa.string()),
        pa.field("confidence", pa.float32()),
        pa.field("severity", pa.string()),
        pa.field("evidence", pa.string()),
    ]
)
"""``account_findings/*.parquet``: one row per finding on an account."""

FINDINGS_DIR: Final = "account_findings"
SUMMARY_FILE: Final = "_summary.json"

# account_type values (case-insensitive) of state agencies and officials, as the report groups
# them (report/aggregate.py ACCOUNT_GROUPS).
_AGENCY: Final = frozenset(
    {"agency", "agencies", "state_agency", "government", "government_agency"}
)
_OFFICIAL: Final = frozenset(
    {"official", "officials", "cadre", "civil_servant", "public_servant", "state_official",
     "state_employee"}
)  # fmt: skip
_TRUE: Final = frozenset({"true", "1", "yes", "y", "t", "verified"})

# What each built-in check needs besides account_id.
_CHECK_NEEDS: Final[Mapping[str, tuple[str, ...]]] = {
    "real_name": ("display_name",),
    "missing_contact": ("website|contact",),
    "unverified": ("verified",),
    "near_copy": ("display_name", "verified", "account_type"),
}


def _type_matches(account_type: str | None, wanted: Sequence[str]) -> bool:
    t = (account_type or "").strip().lower()
    for w in wanted:
        w = w.lower()
        if t == w or (w == "agency" and t in _AGENCY) or (w == "official" and t in _OFFICIAL):
            return True
    return False


@dataclass(frozen=True)
class AccountColumns:
    """Column names of the accounts table, by role."""

    names: Mapping[str, str] = field(default_factory=dict)

    def column(self, role: str) -> str:
        return self.names.get(role, role)

    @staticmethod
    def parse(pairs: Sequence[str]) -> AccountColumns:
        """From ``ROLE=COLUMN`` strings (``--accounts-column display_name=name``)."""
        names: dict[str, str] = {}
        for pair in pairs:
            role, sep, column = pair.partition("=")
            if not sep or not column or role not in ROLES:
                raise InputError(
                    f"--accounts-column {pair!r}: expected ROLE=COLUMN with ROLE one of "
                    f"{', '.join(ROLES)}"
                )
            names[role] = column
        return AccountColumns(names)


@dataclass(frozen=True)
class AccountRuleSpec:
    """An ``[[account_rule]]`` as the ruleset JSON gives it."""

    id: str
    clause: str
    severity: str
    confidence: float
    fields: tuple[str, ...]
    has_text: bool
    check: str | None
    params: Mapping[str, Any]
    account_types: tuple[str, ...]
    verified: bool | None
    exempt: Mapping[str, Any] | None
    examples: tuple[Mapping[str, Any], ...]
    counter_examples: tuple[Mapping[str, Any], ...]

    @staticmethod
    def all_of(ruleset: Ruleset) -> list[AccountRuleSpec]:
        return [
            AccountRuleSpec(
                id=r["id"],
                clause=r["clause"],
                severity=r["severity"] or "low",
                confidence=float(r["confidence"]),
                fields=tuple(r["fields"]),
                has_text=bool(r["terms"] or r["patterns"]),
                check=r.get("check"),
                params=r.get("params") or {},
                account_types=tuple(r["account_types"]),
                verified=r.get("verified"),
                exempt=r.get("exempt"),
                examples=tuple(r["examples"]),
                counter_examples=tuple(r["counter_examples"]),
            )
            for r in json.loads(ruleset.to_json()).get("account_rules", [])
        ]

    def needs(self) -> tuple[str, ...]:
        """The roles without which the rule is not run."""
        needed = list(_CHECK_NEEDS.get(self.check or "", ()))
        if self.account_types or (self.exempt and self.exempt.get("account_types")):
            needed.append("account_type")
        if self.verified is not None or (self.exempt and self.exempt.get("verified") is not None):
            needed.append("verified")
        if self.has_text and not self.check:
            needed.append("|".join(self.fields))
        return tuple(dict.fromkeys(needed))

    def applies(self, account_type: str | None, verified: bool | None) -> bool:
        """Whether the conditions on ``account_type`` and ``verified`` admit the account."""
        if self.account_types and not _type_matches(account_type, self.account_types):
            return False
        if self.verified is not None and bool(verified) != self.verified:
            return False
        if self.exempt:
            types = self.exempt.get("account_types") or []
            want = self.exempt.get("verified")
            type_ok = not types or _type_matches(account_type, types)
            verified_ok = want is None or bool(verified) == want
            if type_ok and verified_ok:
                return False
        return True


@dataclass
class AccountsSummary:
    """What an account audit did: counts for the manifest and the report."""

    source: list[str]
    accounts: int = 0
    findings: int = 0
    accounts_flagged: int = 0
    by_clause: dict[str, int] = field(default_factory=dict)
    by_rule: dict[str, int] = field(default_factory=dict)
    by_severity: dict[str, int] = field(default_factory=dict)
    columns: dict[str, str] = field(default_factory=dict)
    rules_run: list[str] = field(default_factory=list)
    rules_not_run: dict[str, str] = field(default_factory=dict)
    clauses_assessed: list[str] = field(default_factory=list)
    verified_agency_names: int = 0
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        d["accounts_per_second"] = round(self.accounts / self.seconds, 1) if self.seconds else 0.0
        d["seconds"] = round(self.seconds, 3)
        return d


def _as_bool(value: Any) -> bool | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return bool(value)
    return str(value).strip().lower() in _TRUE


class _Checker:
    """The account rules of a ruleset, compiled, applied to one batch at a time."""

    def __init__(self, ruleset: Ruleset, present: set[str], threads: int | None = None) -> None:
        self.rules = AccountRuleSpec.all_of(ruleset)
        self.present = present
        self.run: list[AccountRuleSpec] = []
        self.not_run: dict[str, str] = {}
        for rule in self.rules:
            # A role "a|b" needs one of the two.
            missing = [
                role for role in rule.needs() if not any(r in present for r in role.split("|"))
            ]
            if missing:
                self.not_run[rule.id] = "needs column " + ", ".join(
                    m.replace("|", " or ") for m in missing
                )
            else:
                self.run.append(rule)
        text_ids = {r.id for r in self.run if r.has_text}
        text_ruleset = ruleset.account_text_ruleset()
        self.scanner: Scanner | None = None
        if text_ids:
            self.scanner = Scanner(text_ruleset.select(sorted(text_ids)), threads=threads)
        self.index = NearCopyIndex([])

    def set_targets(self, targets: list[tuple[str, str]]) -> None:
        params: Mapping[str, Any] = next((r.params for r in self.run if r.check == "near_copy"), {})
        self.index = NearCopyIndex(
            targets,
            max_distance=int(params.get("max_distance", 2)),
            min_length=int(params.get("min_length", 6)),
        )

    def check(self, batch: pa.Table) -> pa.Table:
        """The findings of a batch whose columns are named by role."""
        n = batch.num_rows
        ids = batch.column("account_id").cast(pa.string()).to_pylist()
        types = (
            batch.column("account_type").cast(pa.string()).to_pylist()
            if "account_type" in batch.column_names
            else [None] * n
        )
        verified: list[bool | None] = (
            [_as_bool(v) for v in batch.column("verified").to_pylist()]
            if "verified" in batch.column_names
            else [None] * n
        )
        values: dict[str, list[str | None]] = {
            f: batch.column(f).to_pylist() for f in TEXT_FIELDS if f in batch.column_names
        }
        out: dict[str, list[Any]] = {name: [] for name in ACCOUNT_FINDINGS_SCHEMA.names}

        def emit(
            i: int, rule: AccountRuleSpec, fld: str, matched: str, conf: float, ev: str
        ) -> None:
            out["account_id"].append(ids[i])
            out["clause_id"].append(rule.clause)
            out["rule_id"].append(rule.id)
            out["field"].append(fld)
            out["matched"].append(matched)
            out["confidence"].append(round(conf, 4))
            out["severity"].append(rule.severity)
            out["evidence"].append(ev)

        by_id = {r.id: r for r in self.run}
        if self.scanner is not None:
            fields = sorted({f for r in self.run if r.has_text for f in r.fields} & set(values))
            for fld in fields:
                found = self.scanner.scan(batch.column(fld))
                seen: set[tuple[int, str]] = set()
                for row, rule_id, matched, conf, view in zip(
                    found.column("row").to_pylist(),
                    found.column("rule_id").to_pylist(),
                    found.column("matched").to_pylist(),
                    found.column("confidence").to_pylist(),
                    found.column("view").to_pylist(),
                    strict=True,
                ):
                    rule = by_id[rule_id]
                    if fld not in rule.fields or (row, rule_id) in seen:
                        continue
                    if not rule.applies(types[row], verified[row]):
                        continue
                    seen.add((row, rule_id))
                    text = values[fld][row] or ""
                    emit(row, rule, fld, matched, conf,
                         f"{fld} {_short(text)!r} names {matched!r} ({view} view); "
                         f"account_type {types[row] or 'unknown'}, "
                         f"{'verified' if verified[row] else 'not verified'}")  # fmt: skip
        for rule in self.run:
            if rule.check is None:
                continue
            for i in range(n):
                if not rule.applies(types[i], verified[i]):
                    continue
                self._builtin(rule, i, values, types, verified, emit)
        return pa.table(out, schema=ACCOUNT_FINDINGS_SCHEMA)

    def _builtin(
        self,
        rule: AccountRuleSpec,
        i: int,
        values: Mapping[str, list[str | None]],
        types: list[str | None],
        verified: list[bool | None],
        emit: Any,
    ) -> None:
        check = rule.check
        if check == "real_name":
            name = values["display_name"][i]
            if name is None:
                return
            verdict = check_name(name)
            foreign_ok = not rule.params.get("flag_foreign", False)
            if verdict.kind == "foreign" and not foreign_ok:
                emit(i, rule, "display_name", name, 0.3 * rule.confidence,
                     f"foreign personal name: {verdict.evidence}")  # fmt: skip
            elif verdict.flagged:
                emit(i, rule, "display_name", name, verdict.certainty * rule.confidence,
                     f"{verdict.kind}: {verdict.evidence}")  # fmt: skip
        elif check == "missing_contact":
            has = [
                f for f in ("website", "contact") if f in values and (values[f][i] or "").strip()
            ]
            if not has:
                absent = " and ".join(f for f in ("website", "contact") if f in values)
                emit(i, rule, absent.replace(" and ", "+"), "", rule.confidence,
                     f"{types[i] or 'account'} page without {absent}")  # fmt: skip
        elif check == "unverified":
            if not verified[i]:
                emit(i, rule, "verified", str(verified[i]).lower(), rule.confidence,
                     f"{types[i] or 'account'} account not verified by the provider")  # fmt: skip
        elif check == "near_copy":
            name = values["display_name"][i]
            if not name:
                return
            near = self.index.find(name)
            if near is not None:
                emit(i, rule, "display_name", name, rule.confidence * (1.0 - 0.1 * near.distance),
                     f"copies the verified agency {near.target!r} ({near.target_id}): "
                     f"{near.how}")  # fmt: skip


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _role_table(table: pa.Table, columns: AccountColumns, display: str) -> pa.Table:
    """The columns of a file renamed to their roles, text as strings."""
    out: dict[str, pa.ChunkedArray] = {}
    for role in ROLES:
        name = columns.column(role)
        if name not in table.column_names:
            continue
        col = table.column(name)
        if role in TEXT_FIELDS or role in ("account_id", "account_type"):
            if pa.types.is_dictionary(col.type):
                col = col.cast(col.type.value_type)
            if not (is_text_type(col.type) or pa.types.is_string(col.type)):
                try:
                    col = col.cast(pa.string())
                except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as e:
                    raise InputError(
                        f"{display}: accounts column {name!r} ({role}) is {col.type}, "
                        "expected a string"
                    ) from e
            if not pa.types.is_string(col.type) and not pa.types.is_large_string(col.type):
                col = col.cast(pa.string())
        out[role] = col
    return pa.table(out)


def _files(sources: Sequence[str]) -> list[tuple[Path, str]]:
    inputs, problems = discover(sources)
    if problems:
        p = problems[0]
        raise InputError(f"{p.source}: {p.reason}")
    return [(i.path, i.display) for i in inputs]


def _batches(
    files: list[tuple[Path, str]], columns: AccountColumns, batch_rows: int, roles: Sequence[str]
) -> Iterator[pa.Table]:
    for path, display in files:
        try:
            pf = pq.ParquetFile(path)
        except (pa.ArrowInvalid, OSError) as e:
            raise InputError(f"{display}: not a readable Parquet file ({e})") from e
        names = pf.schema_arrow.names
        id_col = columns.column("account_id")
        if id_col not in names:
            raise InputError(
                f"{display}: missing accounts column {id_col!r} (account_id; columns: "
                f"{', '.join(names)})"
            )
        wanted = [columns.column(r) for r in roles if columns.column(r) in names]
        for batch in pf.iter_batches(batch_size=batch_rows, columns=wanted):
            yield _role_table(pa.Table.from_batches([batch]), columns, display)


def _present(files: list[tuple[Path, str]], columns: AccountColumns) -> set[str]:
    """Roles every file has (a check runs only when all files have what it needs)."""
    present: set[str] | None = None
    for path, display in files:
        try:
            names = set(pq.read_schema(path).names)
        except (pa.ArrowInvalid, OSError) as e:
            raise InputError(f"{display}: not a readable Parquet file ({e})") from e
        roles = {r for r in ROLES if columns.column(r) in names}
        present = roles if present is None else present & roles
    return present or set()


def _verified_agencies(
    files: list[tuple[Path, str]], columns: AccountColumns, batch_rows: int
) -> list[tuple[str, str]]:
    targets: list[tuple[str, str]] = []
    roles = ("account_id", "display_name", "account_type", "verified")
    for batch in _batches(files, columns, batch_rows, roles):
        types = batch.column("account_type").to_pylist()
        ver = batch.column("verified").to_pylist()
        for i, (t, v) in enumerate(zip(types, ver, strict=True)):
            if _as_bool(v) and _type_matches(t, ("agency",)):
                name = batch.column("display_name")[i].as_py()
                if name:
                    targets.append((str(batch.column("account_id")[i].as_py()), name))
    return targets


def audit_accounts(
    sources: Sequence[str],
    out: str | Path,
    ruleset: Ruleset,
    *,
    columns: AccountColumns | None = None,
    batch_rows: int = 65_536,
    threads: int | None = None,
) -> AccountsSummary:
    """Check an accounts table against the ruleset's account rules into ``OUT/account_findings``.

    The directory is replaced as a whole (the accounts table is a snapshot, not a stream): the
    findings are written to a temporary directory first. Returns the counts (also written to
    ``account_findings/_summary.json``).
    """
    started = time.perf_counter()
    columns = columns or AccountColumns()
    files = _files(list(sources))
    present = _present(files, columns)
    checker = _Checker(ruleset, present, threads)
    summary = AccountsSummary(source=[d for _, d in files])
    summary.columns = {r: columns.column(r) for r in sorted(present)}
    summary.rules_run = [r.id for r in checker.run]
    summary.rules_not_run = dict(checker.not_run)
    summary.clauses_assessed = sorted({r.clause for r in checker.run})
    if any(r.check == "near_copy" for r in checker.run):
        targets = _verified_agencies(files, columns, batch_rows)
        checker.set_targets(targets)
        summary.verified_agency_names = len(checker.index)
    out = Path(out)
    final = out / FINDINGS_DIR
    tmp = out / (FINDINGS_DIR + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    writer: pq.ParquetWriter | None = None
    part = 0
    try:
        for batch in _batches(files, columns, batch_rows, ROLES):
            summary.accounts += batch.num_rows
            found = checker.check(batch)
            if found.num_rows == 0:
                continue
            if writer is None:
                writer = pq.ParquetWriter(tmp / f"part-{part:05d}.parquet", ACCOUNT_FINDINGS_SCHEMA)
            writer.write_table(found)
            summary.findings += found.num_rows
            # One row per account in an accounts table: distinct per batch is distinct overall,
            # and memory does not grow with the number of accounts.
            summary.accounts_flagged += pc.count_distinct(found.column("account_id")).as_py()
            for key, col in (("by_clause", "clause_id"), ("by_rule", "rule_id"),
                             ("by_severity", "severity")):  # fmt: skip
                counts: dict[str, int] = getattr(summary, key)
                for v in pc.value_counts(found.column(col)).to_pylist():
                    counts[v["values"]] = counts.get(v["values"], 0) + int(v["counts"])
            if writer is not None and summary.findings >= (part + 1) * 1_000_000:
                writer.close()
                writer = None
                part += 1
        if writer is not None:
            writer.close()
        summary.seconds = time.perf_counter() - started
        write_json(tmp / SUMMARY_FILE, summary.to_dict(), indent=1)
        shutil.rmtree(final, ignore_errors=True)
        tmp.rename(final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return summary


def read_summary(out: str | Path) -> dict[str, Any] | None:
    """The summary of the last account audit into ``out``, or None."""
    path = Path(out) / FINDINGS_DIR / SUMMARY_FILE
    if not path.is_file():
        return None
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def check_accounts(
    ruleset: Ruleset,
    accounts: Sequence[Mapping[str, Any]],
    *,
    targets: Sequence[Mapping[str, Any]] = (),
) -> pa.Table:
    """Check a few accounts given as dicts of role → value (what ``rules test`` runs).

    ``targets`` are further accounts whose verified agency names ``near_copy`` compares with
    (the accounts themselves are also used).
    """
    rows = [dict(a) for a in accounts]
    for i, row in enumerate(rows):
        row.setdefault("account_id", f"example-{i + 1}")
        for k, v in list(row.items()):
            if isinstance(v, str):
                row[k] = unicodedata.normalize("NFC", v) if k != "display_name" else v
    present = {k for row in rows for k in row if k in ROLES}
    cols: dict[str, list[Any]] = {r: [row.get(r) for row in rows] for r in present}
    table = pa.table(
        {
            k: pa.array([None if v is None else (v if k == "verified" else str(v)) for v in vals])
            for k, vals in cols.items()
        }
    )
    checker = _Checker(ruleset, present, threads=1)
    everyone = [*rows, *(dict(t) for t in targets)]
    checker.set_targets(
        [
            (str(t.get("account_id", "")), str(t["display_name"]))
            for t in everyone
            if t.get("display_name")
            and _as_bool(t.get("verified"))
            and _type_matches(t.get("account_type"), ("agency",))
        ]
    )
    return checker.check(table)
