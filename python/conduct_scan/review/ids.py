"""The stable id of a finding and the decisions a reviewer can give it.

A finding is the same finding when its post, field (text column), rule and character span are
the same: that is what a re-scan, or the next night's scan of the same posts, produces again.
The id hashes those five values (SHA-256, 20 hex digits), so it is short enough for a
spreadsheet and says nothing readable about the post. A redacted sample uses a keyed hash
(HMAC-SHA256 with the redaction key) instead, so that the id cannot be recomputed from guessed
post ids by someone without the key; ``review import`` resolves both kinds.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Final

import polars as pl

DECISIONS: Final = ("violation", "not_violation", "unsure")
"""Values of a sample's ``decision`` column (empty: not decided yet)."""

KEY_COLUMNS: Final = ("post_id", "field", "rule_id", "start", "end")
"""What identifies a finding across scans."""

_DIGITS = 20


def _material(post: object, field: object, rule: object, start: object, end: object) -> bytes:
    # The unit separator cannot occur in ids typed by people; None is kept apart from "".
    parts = ["\0" if v is None else str(v) for v in (post, field, rule, start, end)]
    return "\x1f".join(parts).encode("utf-8")


def finding_ids(frame: pl.DataFrame, key: bytes | None = None) -> pl.Series:
    """Return the id of each finding of ``frame`` (which has the :data:`KEY_COLUMNS`).

    Parameters
    ----------
    frame
        Findings (``OUT/violations`` rows or a sample).
    key
        With a redaction key: keyed ids (``k`` + 20 hex digits), as redacted samples carry.
    """
    columns = [frame.get_column(c).to_list() for c in KEY_COLUMNS]
    if key is None:
        ids = [
            hashlib.sha256(_material(*row)).hexdigest()[:_DIGITS]
            for row in zip(*columns, strict=True)
        ]
    else:
        ids = [
            "k" + hmac.digest(key, b"finding\0" + _material(*row), "sha256").hex()[:_DIGITS]
            for row in zip(*columns, strict=True)
        ]
    return pl.Series("finding_id", ids, dtype=pl.String)
