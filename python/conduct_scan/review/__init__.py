"""The review loop: sample findings for auditors, import their decisions, measure precision.

The steps, one module each, in the order the loop runs:

- ``ids``: the stable id of a finding, ``(post, field, rule, start, end)`` hashed, so a decision
  holds for the same finding in a re-scan or the next night's scan of the same posts;
- ``sample``: a stratified random sample of findings (``conduct-scan sample``), seeded, with the
  population of each stratum so estimates can be weighted back;
- ``decisions``: reviewers' filled-in samples validated and stored in ``OUT/reviews/``
  (``conduct-scan review import``);
- ``precision``: measured precision per rule and clause, Wilson 95% intervals weighted to the
  strata, reviewer agreement (the report, ``summary.json``, ``rules eval --reviews``);
- ``suggest``: rejected contexts as candidate ``allow``/``unless`` entries, written as an
  extension ruleset of ``[[amend]]``s (``conduct-scan rules suggest``);
- ``simulate``: decisions filled from the demo generator's ground truth
  (``conduct-scan demo --simulate-review``);
- ``cli``: the commands.
"""

from conduct_scan.review.ids import DECISIONS, finding_ids

__all__ = ["DECISIONS", "finding_ids"]
