"""The audit report: aggregate a scan output with Polars and write what auditors read.

The steps, one module each, in the order the data flows:

- ``scan_output``: open ``OUT/violations``, ``OUT/accounts`` (lazily), ``ruleset.json``,
  ``manifest.json``;
- ``aggregate``: per account, per clause, per day, per group, repeat offenders (LazyFrames);
- ``redact``: keyed pseudonyms for reports that leave the trust boundary;
- ``statements``: draft DSA statements of reasons, one per flagged post;
- ``contents``: the small pieces the documents show;
- ``charts``, ``html``, ``markdown``, ``summary``: the documents;
- ``write``: the report directory; ``cli``: ``conduct-scan report``.

>>> from conduct_scan.report import aggregate, write_report
>>> aggs = aggregate("out")                       # doctest: +SKIP
>>> aggs.by_clause.collect()                      # doctest: +SKIP
>>> write_report("out", formats=("html", "dsa"))  # doctest: +SKIP
PosixPath('out/report')
"""

from conduct_scan.report.aggregate import (
    SCORE_FORMULA,
    SEVERITY_WEIGHTS,
    Aggregates,
    Thresholds,
    aggregate,
)
from conduct_scan.report.redact import KEY_ENV, Pseudonymiser, load_key
from conduct_scan.report.statements import dsa_statements, write_dsa_statements
from conduct_scan.report.write import DEFAULT_FORMATS, FORMATS, write_report

__all__ = [
    "DEFAULT_FORMATS",
    "FORMATS",
    "KEY_ENV",
    "SCORE_FORMULA",
    "SEVERITY_WEIGHTS",
    "Aggregates",
    "Pseudonymiser",
    "Thresholds",
    "aggregate",
    "dsa_statements",
    "load_key",
    "write_dsa_statements",
    "write_report",
]
