"""The package's exceptions, one hierarchy.

``ConductScanError`` is the base of everything conduct_scan raises on purpose:

- ``RulesetError``: a ruleset is invalid; ``.problems`` is a list of ``(file, item, reason)``,
  one per problem found (every problem, not only the first);
- ``ScanError``: scanning failed (Hyperscan runtime error, output cannot be written, ...);
- ``InputError``: the input cannot be scanned (missing column, wrong type, corrupt file).

They are created once, in the native module, so errors raised in Rust and in Python are the
same classes.
"""

from conduct_scan._core import ConductScanError, InputError, RulesetError, ScanError

__all__ = ["ConductScanError", "InputError", "RulesetError", "ScanError"]
