"""``conduct-scan campaigns OUT``: copy-paste campaigns among the posts audited into OUT."""

from __future__ import annotations

import json
from pathlib import Path

import click

from conduct_scan.campaigns import CampaignOptions, CampaignSummary, find_campaigns

_DEFAULTS = CampaignOptions()


def run_campaigns(out: Path, options: CampaignOptions, threads: int | None, wait_lock: float,
                  quiet: bool) -> CampaignSummary:  # fmt: skip
    """Finds the campaigns and prints one summary line (what ``audit`` runs too)."""
    summary = find_campaigns(out, options=options, threads=threads, wait_lock=wait_lock)
    if not quiet:
        raised = ", ".join(f"{n} under {c}" for c, n in sorted(summary.by_clause.items()))
        click.echo(
            f"campaigns: {summary.clusters} clusters of copies by >= {options.min_accounts} "
            f"accounts within {options.window_hours:g} h among {summary.posts:,} posts"
            f"{' (' + raised + ')' if raised else ''} in {summary.seconds:.1f} s "
            f"-> {out / 'campaigns'}",
            err=True,
        )
    return summary


@click.command("campaigns")
@click.argument("out", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.option(
    "--min-accounts",
    type=click.IntRange(min=2),
    default=_DEFAULTS.min_accounts,
    show_default=True,
    help="Distinct accounts posting the text within the window.",
)
@click.option(
    "--window-hours",
    type=click.FloatRange(min=0, min_open=True),
    default=_DEFAULTS.window_hours,
    show_default=True,
)
@click.option(
    "--min-words",
    type=click.IntRange(min=2),
    default=_DEFAULTS.min_words,
    show_default=True,
    help="Shorter posts (in distinctive words) are not compared.",
)
@click.option(
    "--max-df-share",
    type=click.FloatRange(min=0, max=1),
    default=_DEFAULTS.max_df_share,
    show_default=True,
    help="Word pairs in more than this share of posts (and more "
    "than --min-df-posts) are boilerplate and dropped.",
)
@click.option(
    "--min-df-posts", type=click.IntRange(min=1), default=_DEFAULTS.min_df_posts, show_default=True
)
@click.option(
    "--min-similarity",
    type=click.FloatRange(min=0, max=1),
    default=_DEFAULTS.min_similarity,
    show_default=True,
    help="Word-pair Jaccard similarity to the representative a member needs.",
)
@click.option("--threads", type=click.IntRange(min=1), help="Threads (default: all cores).")
@click.option("--wait-lock", type=click.FloatRange(min=0), default=0, metavar="SECONDS")
@click.option("--quiet", "-q", is_flag=True)
@click.option("--log-json", is_flag=True, help="Print a one-line JSON summary on stdout.")
def campaigns(out: Path, min_accounts: int, window_hours: float, min_words: int,
              max_df_share: float, min_df_posts: int, min_similarity: float,
              threads: int | None, wait_lock: float, quiet: bool,
              log_json: bool) -> None:  # fmt: skip
    """Find copy-paste campaigns among the posts audited into OUT: near-duplicate texts
    posted by many distinct accounts within hours. Writes OUT/campaigns/clusters.parquet and
    members.parquet; `conduct-scan report OUT` shows them ("Coordinated copies").
    """
    options = CampaignOptions(min_accounts=min_accounts, window_hours=window_hours,
                              min_words=min_words, max_df_share=max_df_share,
                              min_df_posts=min_df_posts, min_similarity=min_similarity)  # fmt: skip
    summary = run_campaigns(out, options, threads, wait_lock, quiet)
    if log_json:
        click.echo(json.dumps(summary.to_dict()))
