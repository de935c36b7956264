"""The package's exceptions, one hierarchy.

``ConductScanError`` is the base of everything conduct_scan raises on purpose:

- ``RulesetError``: a ruleset is invalid; ``.problems`` is a list of ``(file, item, reason)``,
  one per problem found (every problem, not only the first);
- ``ScanError``: scanning failed (Hyperscan runtime error, output cannot be written, ...);
  - ``OutputLockedError``: another run holds the output directory;
  - ``OutputWriteError``: an output file cannot be written (disk full, quota, I/O error);
- ``InputError``: the input cannot be scanned (missing column, wrong type, corrupt file).

The first three are created once, in the native module, so errors raised in Rust and in Python
are the same classes.
"""

from conduct_scan._core import ConductScanError, InputError, RulesetError, ScanError


class OutputLockedError(ScanError):
    """Another conduct-scan process holds the output directory (``OUT/.lock``)."""


class OutputWriteError(ScanError):
    """An output file cannot be written; the message names the file and the system's error."""


__all__ = [
    "ConductScanError",
    "InputError",
    "OutputLockedError",
    "OutputWriteError",
    "RulesetError",
    "ScanError",
]
