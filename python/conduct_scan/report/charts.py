"""The report's charts, drawn with matplotlib and returned as inline SVG.

Four charts: findings per clause, the daily trend per clause, the distribution of flag rates
across accounts and the top accounts by score. Each is an ``<svg>`` element ready to be pasted
into HTML: text stays text (``svg.fonttype = none``, so Vietnamese renders with the browser's
fonts and the file stays small), math parsing is off (an account id with ``$`` is not LaTeX),
ids are prefixed per chart (several SVGs share one document) and no date or random salt is
embedded, so the same data gives the same bytes.

Only the object-oriented API is used (``matplotlib.figure.Figure``), never ``pyplot``: no global
state, no GUI backend.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import matplotlib as mpl
import numpy as np
import polars as pl
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, NullFormatter

from conduct_scan.report.contents import HISTOGRAM_BINS, ReportContents

if TYPE_CHECKING:  # matplotlib < 3.10 (what CPython 3.10 may resolve to) has no RcKeyType
    from matplotlib.typing import RcKeyType

_RC: dict[RcKeyType, Any] = {
    "svg.fonttype": "none",
    "svg.hashsalt": "conduct-scan",
    "text.parse_math": False,
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Liberation Sans", "Arial", "sans-serif"],
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
}

_PALETTE = (
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
)  # fmt: skip
_GROUP_COLOURS = {"users": "#1f77b4", "officials": "#d62728", "agencies": "#ff7f0e"}
_LABEL_CHARS = 34
_MAX_LINES = 8


@dataclass(frozen=True)
class Chart:
    """One chart of the report."""

    id: str
    title: str
    caption: str
    svg: str


def charts(contents: ReportContents) -> list[Chart]:
    """Draw all charts of the report, in the order the HTML shows them."""
    colours = clause_colours(contents.by_clause["clause_id"].to_list())
    return [
        clause_chart(contents.by_clause, colours),
        daily_chart(contents.by_day, colours),
        flag_rate_chart(contents.flag_rates, contents.clean_accounts),
        top_accounts_chart(contents.top_accounts),
    ]


def clause_colours(clause_ids: list[str]) -> dict[str, str]:
    """Give each clause a stable colour (in ruleset order), shared by every chart."""
    return {clause: _PALETTE[i % len(_PALETTE)] for i, clause in enumerate(clause_ids)}


def clause_chart(by_clause: pl.DataFrame, colours: dict[str, str]) -> Chart:
    """Draw horizontal bars: findings per assessed clause."""
    rows = by_clause.filter(pl.col("status") == "assessed").to_dicts()
    with mpl.rc_context(_RC):
        fig = Figure(figsize=(6.4, 0.42 * max(len(rows), 3) + 0.9))
        ax = fig.add_subplot()
        if not rows or not any(r["findings"] for r in rows):
            _empty(ax, "No findings")
        else:
            labels = [_shorten(f"{r['clause_id']}  {r['title'] or ''}") for r in rows]
            positions = list(range(len(rows)))[::-1]
            findings = [r["findings"] or 0 for r in rows]
            bars = ax.barh(
                positions,
                findings,
                color=[colours.get(r["clause_id"], _PALETTE[0]) for r in rows],
                height=0.6,
            )
            ax.bar_label(bars, labels=[f"{n:,}" for n in findings], padding=3, fontsize=8)
            ax.set_yticks(positions, labels)
            ax.set_xlabel("findings")
            ax.margins(x=0.12)
        fig.tight_layout()
        svg = _svg(fig, "chart-clauses")
    return Chart(
        "chart-clauses",
        "Findings per clause",
        "Findings per clause of the Code that scanning can assess.",
        svg,
    )


def daily_chart(by_day: pl.DataFrame, colours: dict[str, str]) -> Chart:
    """Draw lines: flagged posts per day, one line per clause (the busiest clauses)."""
    dated = by_day.filter(pl.col("day").is_not_null())
    with mpl.rc_context(_RC):
        fig = Figure(figsize=(6.4, 3.2))
        ax = fig.add_subplot()
        if dated.is_empty():
            _empty(ax, "No dated findings")
        else:
            days: list[dt.date] = sorted(set(dated["day"].to_list()))
            ranking = (
                dated.group_by("clause_id")
                .agg(pl.col("posts_flagged").sum())
                .sort(["posts_flagged", "clause_id"], descending=[True, False])
            )
            shown = ranking["clause_id"].to_list()[:_MAX_LINES]
            for clause in shown:
                series = dict(
                    dated.filter(pl.col("clause_id") == clause)
                    .select("day", "posts_flagged")
                    .iter_rows()
                )
                ax.plot(
                    np.array(days, dtype="datetime64[D]"),
                    [series.get(day, 0) for day in days],
                    marker="o" if len(days) <= 31 else None,
                    markersize=3,
                    linewidth=1.6,
                    color=colours.get(clause, _PALETTE[len(shown) % len(_PALETTE)]),
                    label=clause,
                )
            ax.set_ylabel("flagged posts")
            ax.set_ylim(bottom=0)
            ax.legend(
                title="clause",
                fontsize=8,
                title_fontsize=8,
                frameon=False,
                loc="upper left",
                bbox_to_anchor=(1.0, 1.0),
            )
            locator = AutoDateLocator(minticks=3, maxticks=10)  # type: ignore[no-untyped-call]
            ax.xaxis.set_major_locator(locator)
            formatter = ConciseDateFormatter(locator)  # type: ignore[no-untyped-call]
            ax.xaxis.set_major_formatter(formatter)
        fig.tight_layout()
        svg = _svg(fig, "chart-daily")
    return Chart(
        "chart-daily",
        "Daily trend per clause",
        f"Flagged posts per day (UTC), for at most {_MAX_LINES} clauses: those with the most.",
        svg,
    )


def flag_rate_chart(flag_rates: pl.DataFrame, clean_accounts: int) -> Chart:
    """Draw a histogram of accounts by share of their posts flagged (flagged accounts)."""
    counts = dict(flag_rates.select("bin", "accounts").iter_rows())
    width = 100 / HISTOGRAM_BINS
    with mpl.rc_context(_RC):
        fig = Figure(figsize=(6.4, 2.9))
        ax = fig.add_subplot()
        if not counts:
            _empty(ax, "No account has a flagged post")
        else:
            lefts = [i * width for i in range(HISTOGRAM_BINS)]
            heights = [counts.get(i, 0) for i in range(HISTOGRAM_BINS)]
            ax.bar(lefts, heights, width=width * 0.92, align="edge", color="#d62728")
            ax.set_xlim(0, 100)
            ax.set_xlabel("flagged posts / scanned posts (%)")
            ax.set_ylabel("accounts")
            if max(heights) > 50 * max(min(h for h in heights if h), 1):
                ax.set_yscale("log")
                # Plain numbers: the default log labels are mathtext, off here (parse_math).
                ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.0f}"))
                ax.yaxis.set_minor_formatter(NullFormatter())
        fig.tight_layout()
        svg = _svg(fig, "chart-rates")
    return Chart(
        "chart-rates",
        "Distribution of flag rates",
        "Accounts with at least one flagged post, by the share of their scanned posts flagged "
        f"({clean_accounts:,} accounts with no flagged post are not shown).",
        svg,
    )


def top_accounts_chart(top_accounts: pl.DataFrame) -> Chart:
    """Draw horizontal bars: the accounts with the highest score, coloured by group."""
    rows = top_accounts.to_dicts()
    with mpl.rc_context(_RC):
        fig = Figure(figsize=(6.4, 0.3 * max(len(rows), 4) + 0.9))
        ax = fig.add_subplot()
        if not rows:
            _empty(ax, "No flagged account")
        else:
            positions = list(range(len(rows)))[::-1]
            ax.barh(
                positions,
                [r["score"] for r in rows],
                color=[_GROUP_COLOURS.get(r["group"], "#7f7f7f") for r in rows],
                height=0.65,
            )
            ax.set_yticks(positions, [_shorten(str(r["account_id"]), 28) for r in rows])
            ax.set_xlabel("score")
            groups = sorted({r["group"] for r in rows}, key=list(_GROUP_COLOURS).index)
            handles = [Patch(color=_GROUP_COLOURS.get(g, "#7f7f7f"), label=g) for g in groups]
            ax.legend(handles=handles, frameon=False, fontsize=8, loc="lower right")
        fig.tight_layout()
        svg = _svg(fig, "chart-accounts")
    return Chart(
        "chart-accounts",
        "Top accounts",
        "The accounts with the highest score (severity weight × confidence, summed).",
        svg,
    )


def _empty(ax: Any, message: str) -> None:
    ax.text(0.5, 0.5, message, ha="center", va="center", fontsize=11, color="#555555")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)


def _shorten(text: str, limit: int = _LABEL_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


_ID = re.compile(r'\bid="([^"]+)"')
_URL = re.compile(r"url\(#([^)]+)\)")
_HREF = re.compile(r'href="#([^"]+)"')


def _svg(fig: Figure, prefix: str) -> str:
    """Render the figure as one ``<svg>`` element, ids prefixed with ``prefix``."""
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    text = _ID.sub(lambda m: f'id="{prefix}-{m.group(1)}"', text)
    text = _URL.sub(lambda m: f"url(#{prefix}-{m.group(1)})", text)
    text = _HREF.sub(lambda m: f'href="#{prefix}-{m.group(1)}"', text)
    return text.replace("<svg ", f'<svg role="img" aria-labelledby="{prefix}-title" ', 1)
