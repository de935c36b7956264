"""Severity names and their order, shared by the scan, the CLI and the report.

The ruleset's clauses and rules name one of these; the core ranks them in the same order.
"""

from __future__ import annotations

from collections.abc import Mapping

SEVERITIES: tuple[str, ...] = ("info", "low", "medium", "high", "critical")
"""Severity names, lowest first."""


def count_at_or_above(by_severity: Mapping[str, int], severity: str) -> int:
    """How many of the counts in ``by_severity`` are at ``severity`` or above."""
    rank = SEVERITIES.index(severity)
    return sum(n for s, n in by_severity.items() if s in SEVERITIES and SEVERITIES.index(s) >= rank)
