"""Writing audit results so that an interrupted run never leaves a half-written file behind.

Every file is written under a temporary name (``*.tmp``) and renamed into place when complete;
an input counts as done only once its state file (``.state/<input>.json``) exists, which is
written after all of its parts. A run that is killed at any moment therefore leaves complete
parts of done inputs, possibly complete parts of one unfinished input (removed and redone by
the next run), and temporary files (removed).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from conduct_scan.errors import ScanError

VIOLATIONS = "violations"
ACCOUNTS = "accounts"
STATE = ".state"
TMP_SUFFIX = ".tmp"

VIOLATIONS_SCHEMA = pa.schema(
    [
        ("post_id", pa.string()),
        ("account_id", pa.string()),
        ("account_type", pa.string()),
        ("created_at", pa.timestamp("us", tz="UTC")),
        ("field", pa.string()),
        ("rule_id", pa.string()),
        ("clause_id", pa.string()),
        ("severity", pa.string()),
        ("confidence", pa.float32()),
        ("view", pa.string()),
        ("start", pa.int64()),
        ("end", pa.int64()),
        ("matched", pa.string()),
        ("term", pa.string()),
        ("context", pa.string()),
        ("context_start", pa.int32()),
        ("source_file", pa.string()),
        ("row", pa.int64()),
    ]
)

# Columns with few distinct values get dictionary encoding; ids, evidence and context do not
# (trying a dictionary on unique strings costs time for nothing).
DICTIONARY_COLUMNS = {
    "violations": ["account_type", "field", "rule_id", "clause_id", "severity", "view", "term",
                   "source_file"],
    "accounts": ["account_type", "source_file"],
}  # fmt: skip

ACCOUNTS_SCHEMA = pa.schema(
    [
        ("account_id", pa.string()),
        ("account_type", pa.string()),
        ("day", pa.date32()),
        ("posts", pa.int64()),
        ("source_file", pa.string()),
    ]
)


def prepare(out: Path) -> None:
    """Creates the output directory and checks it is writable; removes leftover temporary files."""
    try:
        for sub in (VIOLATIONS, ACCOUNTS, STATE):
            (out / sub).mkdir(parents=True, exist_ok=True)
        probe = out / STATE / f"probe{TMP_SUFFIX}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as error:
        raise ScanError(f"{out}: cannot write the output directory ({error.strerror})") from None
    for sub in (VIOLATIONS, ACCOUNTS, STATE, "."):
        for leftover in (out / sub).glob(f"*{TMP_SUFFIX}"):
            leftover.unlink(missing_ok=True)


def write_json(path: Path, data: Any) -> None:
    """Writes JSON atomically."""
    tmp = path.with_name(path.name + TMP_SUFFIX)
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, path)


class PartWriter:
    """Writes one input's rows of ``schema`` as numbered parts, streaming, each part at most
    ``rows_per_part`` rows, each renamed into place when complete.
    """

    def __init__(
        self, directory: Path, key: str, schema: pa.Schema, rows_per_part: int = 1_000_000
    ) -> None:
        self.directory = directory
        self.key = key
        self.schema = schema
        self.rows_per_part = rows_per_part
        self.parts: list[str] = []
        self.rows = 0
        self._writer: pq.ParquetWriter | None = None
        self._tmp: Path | None = None
        self._rows_in_part = 0

    def _name(self) -> str:
        return f"{self.key}.{len(self.parts):04d}.parquet"

    def write(self, table: pa.Table) -> None:
        if table.num_rows == 0:
            return
        if self._writer is None:
            self._tmp = self.directory / (self._name() + TMP_SUFFIX)
            self._writer = pq.ParquetWriter(
                self._tmp,
                self.schema,
                compression="zstd",
                use_dictionary=DICTIONARY_COLUMNS.get(self.directory.name, True),
            )
        self._writer.write_table(table)
        self.rows += table.num_rows
        self._rows_in_part += table.num_rows
        if self._rows_in_part >= self.rows_per_part:
            self._seal()

    def _seal(self) -> None:
        if self._writer is None or self._tmp is None:
            return
        self._writer.close()
        name = self._name()
        os.replace(self._tmp, self.directory / name)
        self.parts.append(name)
        self._writer, self._tmp, self._rows_in_part = None, None, 0

    def close(self) -> list[str]:
        """Seals the last part; returns the part names."""
        self._seal()
        return self.parts

    def abort(self) -> None:
        """Drops the part being written."""
        if self._writer is not None:
            self._writer.close()
        if self._tmp is not None:
            self._tmp.unlink(missing_ok=True)
        self._writer, self._tmp = None, None


def remove_outputs(out: Path, key: str) -> None:
    """Removes everything an input wrote, before it is scanned (again)."""
    (out / STATE / f"{key}.json").unlink(missing_ok=True)
    for sub in (VIOLATIONS, ACCOUNTS):
        for part in (out / sub).glob(f"{key}.*"):
            part.unlink(missing_ok=True)


def read_state(out: Path, key: str) -> dict[str, Any] | None:
    """The state an input left when it was last completed, if any."""
    path = out / STATE / f"{key}.json"
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return data
    except (OSError, ValueError):
        return None


def all_states(out: Path) -> list[dict[str, Any]]:
    """The states of every input completed in ``out``."""
    states = []
    for path in sorted((out / STATE).glob("*.json")):
        try:
            states.append(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            continue
    return states
