"""``summary.json``: the report for machines (dashboards, CI gates, alerting).

A stable, versioned shape (``"schema": "conduct-scan/report-summary/1"``); counts are integers,
rates are fractions (0 to 1), times are ISO 8601 in UTC.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from conduct_scan.report.aggregate import SCORE_FORMULA, SEVERITY_WEIGHTS
from conduct_scan.report.contents import ReportContents

SCHEMA = "conduct-scan/report-summary/1"


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.timezone.utc)
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    return value


def _accounts(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    keep = (
        "account_id",
        "account_type",
        "group",
        "posts_scanned",
        "posts_flagged",
        "flag_rate",
        "findings",
        "score",
        "max_severity",
        "top_rule",
        "first_flagged_at",
        "last_flagged_at",
    )
    return [{k: _json_value(r.get(k)) for k in keep} for r in rows]


def build_summary(contents: ReportContents) -> dict[str, Any]:
    """Build the summary as a JSON-ready dict.

    Parameters
    ----------
    contents
        What the report shows (:func:`conduct_scan.report.contents.collect_contents`).
    """
    c = contents
    t = c.totals
    manifest = c.manifest if isinstance(c.manifest, dict) else {}
    found = manifest.get("inputs")
    manifest_inputs: list[Any] = found if isinstance(found, list) else []
    statuses: dict[str, int] = {}
    for item in manifest_inputs:
        status = str(item.get("status") or "unknown") if isinstance(item, dict) else "unknown"
        statuses[status] = statuses.get(status, 0) + 1
    return {
        "schema": SCHEMA,
        "generated_at": _json_value(c.generated_at),
        "redacted": c.redacted,
        "tool": manifest.get("tool"),
        "ruleset": {
            "id": c.ruleset.id,
            "version": c.ruleset.version,
            "title": c.ruleset.title,
            "sha256": c.ruleset.sha256,
        },
        "scan": {
            "inputs": len(manifest_inputs),
            "inputs_by_status": statuses,
            "totals": _json_value(manifest.get("totals")),
        },
        "period": {
            "first_flagged_at": _json_value(t.first_flagged_at),
            "last_flagged_at": _json_value(t.last_flagged_at),
        },
        "totals": {
            "posts_scanned": t.posts_scanned,
            "posts_flagged": t.posts_flagged,
            "flag_rate": t.flag_rate,
            "findings": t.findings,
            "accounts": t.accounts,
            "accounts_flagged": t.accounts_flagged,
            "repeat_offenders": t.repeat_offenders,
            "score": t.score,
        },
        "severities": {
            r["severity"]: {"findings": r["findings"], "posts_flagged": r["posts_flagged"]}
            for r in c.by_severity.to_dicts()
        },
        "groups": [_json_value(r) for r in c.by_group.to_dicts()],
        "clauses": [
            {
                "id": r["clause_id"],
                "title": r["title"],
                "title_vi": r["title_vi"],
                "status": r["status"],
                "status_reason": r["status_reason"],
                "binds": r["binds"],
                "findings": r["findings"],
                "posts_flagged": r["posts_flagged"],
                "accounts": r["accounts"],
                "share_of_posts": r["share_of_posts"],
                "max_severity": r["max_severity"],
                "dsa_category": r["dsa_category"],
                "references": r["references"],
            }
            for r in c.by_clause.to_dicts()
        ],
        "daily": [_json_value(r) for r in c.by_day.to_dicts()],
        "top_accounts": _accounts(c.top_accounts.to_dicts()),
        "repeat_offenders": {
            "thresholds": c.thresholds.as_dict(),
            "count": t.repeat_offenders,
            "top": _accounts(c.repeat_offenders.to_dicts()),
        },
        "score": {"formula": SCORE_FORMULA, "weights": dict(SEVERITY_WEIGHTS)},
        "files": c.files,
        "precision": c.precision.as_dict() if c.precision is not None else None,
    }
