"""conduct_scan: Code-of-Conduct audits of social-network post archives.

The native core (``conduct_scan._core``, Rust + Hyperscan) compiles a ruleset and scans texts;
this package streams Parquet archives through it, writes the violations, aggregates them with
Polars and renders the audit report.

>>> from conduct_scan import Ruleset, Scanner
>>> scanner = Scanner(Ruleset.load())
>>> table = scanner.scan(["Đồ ngu!", "xin chào"])   # a pyarrow.Table of findings
>>> summary = scan_archive(["archive/"], "audit/")   # violations/, accounts/, manifest.json
"""

from conduct_scan._core import HYPERSCAN_VERSION, Ruleset, Scanner, __version__, normalise
from conduct_scan.errors import ConductScanError, InputError, RulesetError, ScanError
from conduct_scan.pipeline import RunSummary, scan_archive

__all__ = [
    "HYPERSCAN_VERSION",
    "ConductScanError",
    "InputError",
    "Ruleset",
    "RulesetError",
    "RunSummary",
    "ScanError",
    "Scanner",
    "__version__",
    "normalise",
    "scan_archive",
]
