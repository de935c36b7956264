"""The report's "Coordinated copies" section: the clusters of ``OUT/campaigns/`` (written by
``conduct-scan campaigns`` and by ``audit``), with a timeline chart of the largest.

The chart is drawn like the report's other charts (matplotlib, inline SVG, text kept as text,
ids prefixed): one lane per cluster, a dot per post at its time, coloured by the clause the
cluster is raised to (grey: a signal for review only).
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

import matplotlib as mpl
import numpy as np
import polars as pl
from matplotlib.figure import Figure

from conduct_scan.report.charts import _RC, _svg

#: Clusters drawn in the timeline and listed in the table.
TOP_CLUSTERS = 10
_COLOURS = {"4.6d": "#cf222e", "4.4": "#9a6700", None: "#8c959f"}
_TEXT_CHARS = 160


def load_clusters(out: Path) -> pl.DataFrame | None:
    """``OUT/campaigns/clusters.parquet``: clusters raised to a clause first, then the largest
    (None when campaigns were not run).
    """
    path = out / "campaigns" / "clusters.parquet"
    if not path.exists():
        return None
    frame = pl.read_parquet(path).with_columns(pl.col("clause_id").is_null().alias("_plain"))
    return frame.sort(["_plain", "window_accounts", "size", "cluster_id"],
                      descending=[False, True, True, False]).drop("_plain")  # fmt: skip


def timeline_svg(clusters: pl.DataFrame) -> str:
    """The timeline of the first clusters (raised ones, then the largest) as an ``<svg>``."""
    top = clusters.head(TOP_CLUSTERS).to_dicts()
    with mpl.rc_context(_RC):
        fig = Figure(figsize=(7.2, 0.42 * max(len(top), 3) + 1.0))
        ax = fig.add_subplot()
        for lane, cluster in enumerate(top):
            times = [m["created_at"] for m in cluster["members"] if m["created_at"] is not None]
            y = len(top) - 1 - lane
            if times:
                stamps = np.array([t.replace(tzinfo=None) for t in times], dtype="datetime64[us]")
                ax.scatter(stamps, np.full(len(stamps), y), s=14, alpha=0.7,
                           color=_COLOURS.get(cluster["clause_id"], _COLOURS[None]))  # fmt: skip
        labels = [f"{c['cluster_id']} ({c['accounts']} accounts)" for c in top]
        ax.set_yticks(list(range(len(top)))[::-1], labels)
        ax.set_ylim(-0.6, max(len(top), 1) - 0.4)
        ax.set_xlabel("time posted (UTC)")
        ax.grid(axis="x", alpha=0.3)
        fig.autofmt_xdate()
        fig.tight_layout()
        return _svg(fig, "chart-campaigns")


def _e(value: Any) -> str:
    return escape("" if value is None else str(value))


def coordinated_copies_html(out: Path | None, *, redacted: bool) -> str:
    """The section, or a line saying campaigns were not looked for."""
    head = '<section id="coordinated-copies"><h2>Coordinated copies</h2>'
    clusters = load_clusters(out) if out is not None else None
    if clusters is None:
        return (f"{head}<p>Campaigns were not looked for in this audit "
                "(run <code>conduct-scan campaigns OUT</code>).</p></section>\n")  # fmt: skip
    if clusters.is_empty():
        return (f"{head}<p>No text was posted by enough distinct accounts within the "
                "window.</p></section>\n")  # fmt: skip
    raised = clusters.filter(pl.col("clause_id").is_not_null())
    html = [
        head,
        f"<p>{clusters.height} clusters of near-identical posts by many distinct accounts "
        f"within hours; {raised.height} carry a known claim, a hoax phrase (4.6d) or a link to "
        "a look-alike of an official news site (4.4). The others (greetings, lyrics, viral "
        "jokes) are signals for review, not violations.</p>",
        '<figure class="chart">',
        timeline_svg(clusters),
        "<figcaption>Posts of the largest clusters over time (red: 4.6d, amber: 4.4, grey: no "
        "clause).</figcaption></figure>",
        "<table><thead><tr><th>cluster</th><th>clause</th><th>accounts</th><th>posts</th>"
        "<th>first seen</th><th>last seen</th><th>signals</th><th>text</th></tr></thead><tbody>",
    ]
    for c in clusters.head(TOP_CLUSTERS).to_dicts():
        text = "(left out: redacted report)" if redacted else c["representative"] or ""
        if len(text) > _TEXT_CHARS:
            text = text[:_TEXT_CHARS] + "…"
        html.append(
            f"<tr><td>{_e(c['cluster_id'])}</td><td>{_e(c['clause_id'] or '—')}</td>"
            f"<td>{c['accounts']}</td><td>{c['size']}</td><td>{_e(c['first_seen'])}</td>"
            f"<td>{_e(c['last_seen'])}</td><td>{_e(', '.join(c['signals'] or []))}</td>"
            f"<td>{_e(text)}</td></tr>"
        )
    html.append("</tbody></table></section>\n")
    return "\n".join(html)


def coordinated_copies_markdown(out: Path | None) -> str:
    """The section in Markdown (counts and the largest clusters, without texts)."""
    clusters = load_clusters(out) if out is not None else None
    lines = ["## Coordinated copies", ""]
    if clusters is None:
        return "\n".join([*lines, "Campaigns were not looked for in this audit.", ""])
    raised = clusters.filter(pl.col("clause_id").is_not_null()).height
    lines.append(f"{clusters.height} clusters; {raised} raised to a clause.")
    lines.append("")
    if not clusters.is_empty():
        lines += ["| cluster | clause | accounts | posts | first seen | signals |",
                  "|---|---|---|---|---|---|"]  # fmt: skip
        for c in clusters.head(TOP_CLUSTERS).to_dicts():
            signals = ", ".join(c["signals"] or [])
            lines.append(f"| {c['cluster_id']} | {c['clause_id'] or '—'} | {c['accounts']} | "
                         f"{c['size']} | {c['first_seen']} | {signals} |")  # fmt: skip
        lines.append("")
    return "\n".join(lines)
