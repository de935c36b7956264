"""The CI gate: conduct_scan must stay at least 2× as fast as Polars, measured in the same run.

``make bench-ci`` runs the two benchmarks marked ``gate`` in ``bench_peers.py`` on the 10 MB
corpus (``Scanner.scan`` with the benchmark ruleset, and Polars ``contains_any`` + one
``contains`` per pattern on the same column), then :func:`decide` compares their medians. A
ratio, not a time: the machine is shared and noisy, and both sides feel the same noise.

Why ``Scanner.scan`` rather than ``conduct-scan scan`` end to end: on 10 MB the end-to-end time
is mostly fixed costs (the interpreter's start and imports, the ruleset, the Parquet writers),
so a gate on it would measure those and flake; the scan itself is what a regression in the
core would slow down, and the end-to-end ratio is in ``make bench``. The gate also fails when
the two disagree on the posts they flag where their semantics coincide: a ratio against a peer
doing different work means nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from benchmarks.results import GATE_MINIMUM, REFERENCE_PEER, Results


@dataclass(frozen=True)
class Verdict:
    """The gate's decision and the one line that explains it."""

    ok: bool
    line: str
    ratio: float | None = None


def decide(data: dict[str, Any], minimum: float = GATE_MINIMUM) -> Verdict:
    """Judge a pytest-benchmark JSON holding the two gate benchmarks.

    Parameters
    ----------
    data
        The JSON, as loaded.
    minimum
        The ratio conduct_scan must reach (Polars' median time over conduct_scan's).
    """
    results = Results(data)
    found = results.gate_ratio()
    if found is None:
        return Verdict(
            False,
            "bench-ci: FAIL: the JSON lacks conduct_scan or "
            f"'{REFERENCE_PEER}' measured on the same corpus",
        )
    ours, theirs, ratio = found
    figures = (
        f"conduct_scan {ours.mbps:.1f} MB/s vs {REFERENCE_PEER} {theirs.mbps:.1f} MB/s on "
        f"{ours.corpus_mb} MB ({ours.info.get('corpus', '?')} corpus): {ratio:.2f}x, "
        f"needs {minimum:.2f}x"
    )
    agreement = theirs.info.get("agreement")
    if agreement is not None and not agreement.get("equal"):
        return Verdict(
            False,
            f"bench-ci: FAIL: {REFERENCE_PEER} and conduct_scan flag "
            f"different posts ({agreement.get('subset_differences')} on the "
            f"common subset), so the race is unfair; {figures}",
            ratio,
        )
    if ratio < minimum:
        return Verdict(False, f"bench-ci: FAIL: {figures}", ratio)
    return Verdict(True, f"bench-ci: OK: {figures}", ratio)
