"""Pseudonyms for reports that leave the trust boundary (``--redact``).

Account ids (and post ids, which lead back to accounts) are replaced by keyed hashes:
``acct-`` or ``post-`` followed by the first 24 hex digits (96 bits) of
``HMAC-SHA256(key, kind + NUL + id)``. The same key gives the same pseudonym every night, so
trends stay comparable; without the key a pseudonym cannot be reversed or recomputed from a
guessed id. The kind prefix keeps account and post pseudonyms unlinkable. The key comes from the
environment or a file and is never written to the output.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import polars as pl

from conduct_scan.errors import InputError

KEY_ENV = "CONDUCT_SCAN_REDACT_KEY"
"""Environment variable holding the redaction key (UTF-8 text)."""

MIN_KEY_BYTES = 16
"""Shortest key accepted: a short key can be found by brute force from known ids."""

_DIGITS = 24

Kind = Literal["account", "post"]


def load_key(
    key_file: str | Path | None = None, environ: Mapping[str, str] | None = None
) -> bytes | None:
    """Read the redaction key from ``key_file``, else from ``$CONDUCT_SCAN_REDACT_KEY``.

    Parameters
    ----------
    key_file
        A file holding the key (its bytes, one trailing newline ignored).
    environ
        The environment to read (default ``os.environ``).

    Returns
    -------
    bytes or None
        The key; None when neither source gives one.

    Raises
    ------
    conduct_scan.InputError
        The key file cannot be read, or the key is shorter than :data:`MIN_KEY_BYTES`.
    """
    environ = os.environ if environ is None else environ
    if key_file is not None:
        try:
            key = Path(key_file).read_bytes()
        except OSError as error:
            raise InputError(f"{key_file}: cannot read the redaction key: {error}") from error
        key = key[:-1] if key.endswith(b"\n") else key
        key = key[:-1] if key.endswith(b"\r") else key
        source = str(key_file)
    elif environ.get(KEY_ENV):
        key = environ[KEY_ENV].encode("utf-8")
        source = f"${KEY_ENV}"
    else:
        return None
    if len(key) < MIN_KEY_BYTES:
        raise InputError(
            f"{source}: the redaction key is {len(key)} bytes; use at least {MIN_KEY_BYTES}"
        )
    return key


@dataclass(frozen=True)
class Pseudonymiser:
    """Turns ids into keyed pseudonyms.

    Parameters
    ----------
    key
        The secret key (at least :data:`MIN_KEY_BYTES` bytes).
    """

    key: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if len(self.key) < MIN_KEY_BYTES:
            raise ValueError(f"the redaction key must have at least {MIN_KEY_BYTES} bytes")

    def pseudonym(self, kind: Kind, value: str | None) -> str | None:
        """Return ``acct-<hex>`` or ``post-<hex>`` for ``value``; None stays None."""
        if value is None:
            return None
        digest = hmac.digest(self.key, kind.encode() + b"\0" + value.encode("utf-8"), "sha256")
        prefix = "acct" if kind == "account" else "post"
        return f"{prefix}-{digest.hex()[:_DIGITS]}"

    def account(self, value: str | None) -> str | None:
        """Return the pseudonym of an account id."""
        return self.pseudonym("account", value)

    def post(self, value: str | None) -> str | None:
        """Return the pseudonym of a post id."""
        return self.pseudonym("post", value)

    def expr(self, column: str, kind: Kind) -> pl.Expr:
        """Replace ``column`` by its pseudonyms, as a lazy Polars expression (per batch)."""
        pseudonym = self.pseudonym

        def batch(values: pl.Series) -> pl.Series:
            out = [pseudonym(kind, value) for value in values.to_list()]
            return pl.Series(values.name, out, dtype=pl.String)

        return (
            pl.col(column)
            .cast(pl.String)
            .map_batches(batch, return_dtype=pl.String, is_elementwise=True)
            .alias(column)
        )
