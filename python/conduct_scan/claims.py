"""Known debunked claims: the ruleset's ``[[claim]]`` entries and a claims file (``--claims``).

A claims file is CSV or Parquet with one row per phrasing: ``id`` and ``text`` are required;
``verdict``, ``source_url``, ``debunked`` (YYYY-MM-DD), ``clause`` (default 4.6d), ``severity``
and ``notes`` are optional and taken from the first row of an id. Several rows with the same
``id`` are several phrasings of one claim. The claims are validated by the Rust core with the
ruleset's (unique ids, known clause, enough words, dates, links) and matched there
(``conduct_scan._core.ClaimIndex``, word-shingle similarity in the fold view).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from conduct_scan._core import DEFAULT_CLAIM_THRESHOLD, ClaimIndex, Ruleset
from conduct_scan.errors import InputError

#: Columns a claims file may have.
CLAIM_COLUMNS = ("id", "text", "verdict", "source_url", "debunked", "clause", "severity", "notes")
REQUIRED_COLUMNS = ("id", "text")


def read_claims_file(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """The claims of a CSV or Parquet file, rows of one id merged into its phrasings."""
    file = Path(path)
    try:
        if file.suffix.lower() == ".parquet":
            table = pq.read_table(file)
        else:
            as_strings = {c: pa.string() for c in CLAIM_COLUMNS}
            convert = pacsv.ConvertOptions(strings_can_be_null=True, column_types=as_strings)
            table = pacsv.read_csv(file, convert_options=convert)
    except FileNotFoundError:
        raise InputError(f"{file}: claims file not found") from None
    except (pa.ArrowInvalid, OSError) as error:
        raise InputError(f"{file}: not a readable claims file (CSV or Parquet): {error}") from None
    missing = [c for c in REQUIRED_COLUMNS if c not in table.column_names]
    if missing:
        raise InputError(
            f"{file}: claims file lacks column(s) {', '.join(missing)} "
            f"(columns: {', '.join(table.column_names)})"
        )
    unknown = [c for c in table.column_names if c not in CLAIM_COLUMNS]
    if unknown:
        raise InputError(
            f"{file}: unknown claims column(s) {', '.join(unknown)} "
            f"(expected {', '.join(CLAIM_COLUMNS)})"
        )
    claims: dict[str, dict[str, Any]] = {}
    for i, row in enumerate(table.to_pylist()):
        claim_id = row.get("id")
        text = row.get("text")
        if not claim_id or not str(claim_id).strip():
            raise InputError(f"{file}: row {i + 1}: empty id")
        if not text or not str(text).strip():
            raise InputError(f"{file}: row {i + 1} (claim {claim_id}): empty text")
        claim_id = str(claim_id).strip()
        if claim_id not in claims:
            entry: dict[str, Any] = {"id": claim_id, "phrasings": []}
            for key in ("verdict", "source_url", "debunked", "clause", "severity", "notes"):
                value = row.get(key)
                if value is not None and str(value).strip():
                    entry[key] = str(value).strip()
            claims[claim_id] = entry
        claims[claim_id]["phrasings"].append(str(text))
    return list(claims.values())


def claim_index(
    ruleset: Ruleset,
    claims_file: str | os.PathLike[str] | None = None,
    *,
    threshold: float = DEFAULT_CLAIM_THRESHOLD,
    context: int = 0,
    threads: int | None = None,
) -> ClaimIndex | None:
    """The ruleset's claims and the file's, compiled; None when there are none at all."""
    extra = read_claims_file(claims_file) if claims_file is not None else None
    index = ClaimIndex(
        ruleset,
        json.dumps(extra, ensure_ascii=False) if extra is not None else None,
        source=str(claims_file) if claims_file is not None else "<claims>",
        threshold=threshold,
        context=context,
        threads=threads,
    )
    return index if index.claims else None


def claims_digest(index: ClaimIndex | None) -> str | None:
    """SHA-256 of the claims matched (so that a changed claims file re-scans the inputs)."""
    if index is None:
        return None
    settings = {"claims": json.loads(index.claims_json()), "threshold": round(index.threshold, 6)}
    return hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()
