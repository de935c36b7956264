"""Read what ``conduct-scan scan`` wrote: the first step of the report.

``OUT/violations/`` and ``OUT/accounts/`` are opened lazily (``pl.scan_parquet``, never loaded
whole); ``OUT/ruleset.json`` and ``OUT/manifest.json`` are small and read eagerly. The schemas
are the contract in the README ("Audit output"); a missing directory or file counts as empty, so
a scan that found nothing (or an archive without account columns) still gets a report.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa

from conduct_scan import write
from conduct_scan.errors import InputError


def _polars_schema(schema: pa.Schema) -> dict[str, pl.DataType]:
    return dict(pl.DataFrame(schema.empty_table()).schema)


# The pipeline's Arrow schemas are the single definition of the scan output (README, "Audit
# output"); these are their Polars spellings.
VIOLATIONS_SCHEMA: dict[str, pl.DataType] = _polars_schema(write.VIOLATIONS_SCHEMA)
"""Columns of ``OUT/violations/*.parquet``."""

ACCOUNTS_SCHEMA: dict[str, pl.DataType] = _polars_schema(write.ACCOUNTS_SCHEMA)
"""Columns of ``OUT/accounts/*.parquet``: posts scanned per account, day and input file."""

# Columns a scan may leave out (the archive had no such column); read as nulls.
_OPTIONAL = {"account_type", "created_at", "day", "context", "context_start", "term", "field"}


@dataclass(frozen=True)
class Law:
    """A binding law that clauses of the Code point to."""

    id: str
    title: str
    title_vi: str = ""
    effective: str | None = None
    until: str | None = None
    superseded_by: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Reference:
    """A clause's pointer to a law, resolved (``law`` is None for an unknown law id)."""

    law_id: str
    article: str | None
    note: str | None
    law: Law | None

    def label(self) -> str:
        """Return ``Title, Art. 5(1)`` (the law id when the law is unknown)."""
        name = self.law.title if self.law else self.law_id
        return f"{name}, {self.article}" if self.article else name

    def in_force(self, day: str | None) -> bool:
        """Return whether the law applied on ``day`` (``YYYY-MM-DD``; None: on any day)."""
        if self.law is None or day is None:
            return self.law is not None
        starts = self.law.effective
        ends = self.law.until
        return (starts is None or starts <= day) and (ends is None or day < ends)


@dataclass(frozen=True)
class Clause:
    """A clause of the Code as the ruleset describes it."""

    id: str
    title: str
    title_vi: str = ""
    description: str = ""
    binds: tuple[str, ...] = ()
    check: tuple[str, ...] = ("text",)
    severity: str = "medium"
    references: tuple[Reference, ...] = ()
    dsa_category: str | None = None

    @property
    def assessable(self) -> bool:
        """Whether scanning can assess it (``check`` is not empty)."""
        return bool(self.check)


@dataclass(frozen=True)
class Rule:
    """A rule of the ruleset, as far as the report needs it."""

    id: str
    clause: str
    description: str = ""
    severity: str | None = None


@dataclass(frozen=True)
class RulesetInfo:
    """``OUT/ruleset.json``: the ruleset the scan used."""

    id: str = "unknown"
    version: str = ""
    title: str = ""
    description: str = ""
    notes: str = ""
    sha256: str = ""
    laws: tuple[Law, ...] = ()
    clauses: tuple[Clause, ...] = ()
    rules: tuple[Rule, ...] = ()
    present: bool = True

    def clause(self, clause_id: str) -> Clause | None:
        """Return the clause with this id, if the ruleset has it."""
        return next((c for c in self.clauses if c.id == clause_id), None)


@dataclass(frozen=True)
class ScanOutput:
    """The scan output directory, opened lazily."""

    root: Path
    violations: pl.LazyFrame
    accounts: pl.LazyFrame
    ruleset: RulesetInfo
    manifest: dict[str, Any] = field(default_factory=dict)


def open_scan_output(out: str | Path) -> ScanOutput:
    """Open ``OUT`` as written by ``conduct-scan scan``.

    Parameters
    ----------
    out
        The scan's output directory.

    Returns
    -------
    ScanOutput
        Lazy violations and accounts, the ruleset and the manifest (``{}`` when absent).

    Raises
    ------
    InputError
        ``out`` is not a directory, holds none of ``violations/``, ``accounts/``,
        ``manifest.json``, or a file in it cannot be read.
    """
    root = Path(out)
    if not root.is_dir():
        raise InputError(f"{root}: not a directory")
    if not any((root / name).exists() for name in ("violations", "accounts", "manifest.json")):
        raise InputError(f"{root}: not a scan output (no violations/, accounts/ or manifest.json)")
    return ScanOutput(
        root=root,
        violations=_scan(root / "violations", VIOLATIONS_SCHEMA),
        accounts=_scan(root / "accounts", ACCOUNTS_SCHEMA),
        ruleset=read_ruleset(root / "ruleset.json"),
        manifest=_read_json(root / "manifest.json") or {},
    )


def _scan(folder: Path, schema: dict[str, pl.DataType]) -> pl.LazyFrame:
    files = sorted(folder.glob("**/*.parquet")) if folder.is_dir() else []
    if not files:
        return pl.LazyFrame(schema=schema)
    try:
        frame = pl.scan_parquet(files, hive_partitioning=False)
        present = frame.collect_schema()
    except (OSError, pl.exceptions.PolarsError) as error:
        raise InputError(f"{folder}: cannot read Parquet: {error}") from error
    missing = [name for name in schema if name not in present]
    required = [name for name in missing if name not in _OPTIONAL]
    if required:
        raise InputError(f"{folder}: missing column(s) {', '.join(required)}")
    columns: list[pl.Expr] = []
    for name, dtype in schema.items():
        if name in missing:
            columns.append(pl.lit(None, dtype=dtype).alias(name))
        elif isinstance(dtype, pl.Datetime) and present[name] != dtype:
            column = pl.col(name)
            found = present[name]
            if isinstance(found, pl.Datetime) and found.time_zone is None:
                column = column.dt.replace_time_zone("UTC")  # naive times are UTC (README)
            columns.append(column.cast(dtype).alias(name))
        elif present[name] != dtype:
            columns.append(pl.col(name).cast(dtype).alias(name))
        else:
            columns.append(pl.col(name))
    return frame.select(columns)


def _read_json(path: Path) -> Any:
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputError(f"{path}: cannot read JSON: {error}") from error


def read_ruleset(path: Path) -> RulesetInfo:
    """Read ``ruleset.json`` (``Ruleset.to_json()``); an absent file gives an empty ruleset."""
    data = _read_json(path)
    if data is None:
        return RulesetInfo(present=False)
    if not isinstance(data, dict):
        raise InputError(f"{path}: expected a JSON object")
    try:
        laws = tuple(
            Law(
                id=str(law["id"]),
                title=str(law.get("title") or law["id"]),
                title_vi=str(law.get("title_vi") or ""),
                effective=law.get("effective"),
                until=law.get("until"),
                superseded_by=law.get("superseded_by"),
                url=law.get("url"),
            )
            for law in data.get("laws") or []
        )
        by_id = {law.id: law for law in laws}
        clauses = tuple(
            Clause(
                id=str(clause["id"]),
                title=str(clause.get("title") or ""),
                title_vi=str(clause.get("title_vi") or ""),
                description=str(clause.get("description") or ""),
                binds=tuple(clause.get("binds") or ()),
                check=tuple(clause.get("check") if clause.get("check") is not None else ("text",)),
                severity=str(clause.get("severity") or "medium"),
                references=tuple(
                    Reference(
                        law_id=str(ref["law"]),
                        article=ref.get("article"),
                        note=ref.get("note"),
                        law=by_id.get(str(ref["law"])),
                    )
                    for ref in clause.get("references") or []
                ),
                dsa_category=clause.get("dsa_category"),
            )
            for clause in data.get("clauses") or []
        )
        rules = tuple(
            Rule(
                id=str(rule["id"]),
                clause=str(rule["clause"]),
                description=str(rule.get("description") or ""),
                severity=rule.get("severity"),
            )
            for rule in data.get("rules") or []
        )
    except (KeyError, TypeError) as error:
        raise InputError(f"{path}: not a ruleset ({error!r} missing or malformed)") from error
    return RulesetInfo(
        id=str(data.get("id") or "unknown"),
        version=str(data.get("version") or ""),
        title=str(data.get("title") or ""),
        description=str(data.get("description") or ""),
        notes=str(data.get("notes") or ""),
        sha256=str(data.get("sha256") or ""),
        laws=laws,
        clauses=clauses,
        rules=rules,
    )
