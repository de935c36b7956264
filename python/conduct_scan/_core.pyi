"""Type stubs of the native module ``conduct_scan._core`` (Rust, PyO3)."""

from collections.abc import Sequence
from os import PathLike
from typing import Any, Literal, final

import pyarrow as pa
from typing_extensions import Self

__all__ = [
    "DEFAULT_CLAIM_THRESHOLD",
    "DEFAULT_MAX_COMPILE_SECONDS",
    "DEFAULT_MAX_DATABASE_MB",
    "HYPERSCAN_VERSION",
    "BareHyperscan",
    "ClaimIndex",
    "ConductScanError",
    "DocFrequency",
    "InputError",
    "Ruleset",
    "RulesetError",
    "ScanError",
    "Scanner",
    "__version__",
    "components",
    "guess_language",
    "minhash_bands",
    "normalise",
    "pair_jaccard",
]

__version__: str
HYPERSCAN_VERSION: str
DEFAULT_MAX_COMPILE_SECONDS: float
DEFAULT_MAX_DATABASE_MB: float

class ConductScanError(Exception):
    """Base class of every conduct_scan error."""

class RulesetError(ConductScanError):
    """A ruleset is invalid; ``problems`` lists (file, item, reason) for each problem."""

    problems: list[tuple[str, str | None, str]]

class ScanError(ConductScanError):
    """Scanning failed. On an internal error (a panic in the core, a bug), ``row`` is the row of
    the texts given to ``Scanner.scan`` being scanned (or None) and ``reason`` the message.
    """

    row: int | None
    reason: str

class InputError(ConductScanError):
    """The input cannot be scanned (wrong type or column)."""

@final
class Ruleset:
    """A validated ruleset (TOML), parsed and checked by the Rust core."""

    @staticmethod
    def load(path: str | PathLike[str] | None = None) -> Ruleset:
        """Load a ruleset file or directory; ``None`` loads the bundled ruleset."""
    @staticmethod
    def from_toml(text: str, name: str = "<string>") -> Ruleset:
        """Parse a ruleset from TOML text; ``name`` is used in error messages."""
    @staticmethod
    def bundled(name: str) -> Ruleset:
        """Load a bundled ruleset by name."""
    def select(self, ids: list[str]) -> Ruleset:
        """The same ruleset with only the rules whose ids are in ``ids`` (and its allow-list)."""
    def account_text_ruleset(self) -> Ruleset:
        """The account rules' terms and patterns as post rules with the same ids."""
    @staticmethod
    def bundled_names() -> list[str]:
        """Names of the bundled rulesets."""
    @property
    def id(self) -> str: ...
    @property
    def version(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def sha256(self) -> str: ...
    @property
    def files(self) -> list[str]: ...
    def to_json(self) -> str:
        """The whole ruleset as JSON: id, version, laws, clauses, rules, allow-list."""

@final
class Scanner:
    """A compiled ruleset that scans texts in parallel with the GIL released."""

    def __new__(
        cls,
        ruleset: Ruleset,
        threads: int | None = None,
        literal_backend: Literal["aho-corasick", "hyperscan"] = "hyperscan",
        context: int = 0,
        max_compile_seconds: float | None = ...,
        max_database_mb: float | None = ...,
    ) -> Self: ...
    @property
    def ruleset(self) -> Ruleset: ...
    @property
    def threads(self) -> int: ...
    @property
    def views(self) -> list[str]: ...
    def scan(self, texts: Sequence[str | None] | Any) -> pa.Table:
        """Scan texts; return the findings as a ``pyarrow.Table``.

        ``texts`` is a list of str/None or any Arrow string array or chunked array (Utf8,
        LargeUtf8, Utf8View; Binary columns are decoded with replacement), taken zero-copy.
        """
    def explain(self, text: str) -> list[dict[str, Any]]:
        """Every candidate match in ``text`` and what verification made of it."""

def normalise(view: Literal["exact", "casefold", "fold", "skeleton"], text: str) -> str:
    """Normalise ``text`` through one view."""

def guess_language(text: str) -> Literal["vi", "en", "unknown"]:
    """The guessed language of ``text`` (what rules' ``lang`` is checked against)."""

@final
class BareHyperscan:
    """Benchmark reference: a bare per-row ``hs_scan`` of raw bytes (no views, no verification)."""

    def __new__(cls, terms: list[str], patterns: list[str], flags: int | None = None) -> Self: ...
    def scan(self, texts: Any) -> int:
        """Number of matches in every row of an Arrow string array."""

DEFAULT_CLAIM_THRESHOLD: float

@final
class ClaimIndex:
    """Known claims (the ruleset's ``[[claim]]``s plus ``extra_claims``, a JSON list) compiled
    for matching by word-shingle similarity in the fold view.
    """

    def __new__(
        cls,
        ruleset: Ruleset,
        extra_claims: str | None = None,
        source: str = "<claims>",
        threshold: float = ...,
        context: int = 0,
        threads: int | None = None,
    ) -> Self: ...
    @property
    def claims(self) -> int: ...
    @property
    def phrasings(self) -> int: ...
    @property
    def threshold(self) -> float: ...
    def claims_json(self) -> str:
        """The claims as JSON."""
    def scan(self, texts: Sequence[str | None] | Any) -> pa.Table:
        """Posts restating a claim, as a findings table (``rule_id`` ``claim:<id>``)."""
    def best(self, text: str) -> dict[str, Any] | None:
        """The claim closest to ``text`` whatever its score, or None."""

@final
class DocFrequency:
    """How many posts each word pair occurs in (a fixed table of ``2**bits`` counters)."""

    def __new__(cls, bits: int = 22) -> Self: ...
    def add(self, texts: Sequence[str | None] | Any, threads: int | None = None) -> None:
        """Count the distinct word pairs of each text."""
    @property
    def posts(self) -> int: ...

def minhash_bands(
    texts: Sequence[str | None] | Any,
    df: DocFrequency | None = None,
    perms: int = 64,
    bands: int = 16,
    min_pairs: int = 7,
    max_df: int = 0,
    threads: int | None = None,
) -> pa.Table:
    """MinHash band hashes (``row``, ``band``, ``hash``) of the texts long enough to sign."""

def pair_jaccard(a: Any, b: Any, threads: int | None = None) -> list[float]:
    """Jaccard index of the word-pair sets (fold view) of ``a[i]`` and ``b[i]`` (lists of str
    or Arrow string arrays; 0.0 where either is null).
    """

def components(n: int, a: Any, b: Any) -> pa.Table:
    """Connected components (``label``: smallest node) of nodes ``0..n`` joined by edges."""
