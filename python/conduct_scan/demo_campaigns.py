"""Copy-paste campaigns planted in the demo archive (``data/demo_campaigns.json``).

Rumours copied with small edits (a prefix, an emoji, diacritics dropped, a phrase swapped) by
a group of accounts within hours, and harmless viral copies as decoys (a greeting posted by
hundreds, a folk song's lyrics): ``conduct-scan campaigns`` should raise the rumours to a
clause and leave the decoys without one. Campaign ``k`` is planted into the first block of day
``k mod days``, overwriting the texts of rows in a stretch of the day (rows are in time order),
so the archive keeps its size and ids; with labels, only clean rows are used and their labels
are left as they are (``expected_clause`` describes the generator's own posts; the planted
copies are labelled by ``data/demo_campaigns.json``).
"""

from __future__ import annotations

import json
import random
import unicodedata
from collections.abc import Iterator
from functools import cache
from importlib import resources
from typing import Any

import pyarrow as pa

#: Files smaller than this get no campaign (too few rows to spread one over hours).
MIN_ROWS = 1_000


@cache
def _plan() -> dict[str, Any]:
    text = resources.files("conduct_scan").joinpath("data/demo_campaigns.json").read_text("utf-8")
    plan: dict[str, Any] = json.loads(text)
    return plan


def _fold(text: str) -> str:
    stripped = "".join(c for c in unicodedata.normalize("NFD", text)
                       if not unicodedata.combining(c))  # fmt: skip
    return stripped.replace("đ", "d").replace("Đ", "D")


def copy_of(text: str, r: random.Random) -> str:
    """A copy of ``text`` with the small edits people make when they repost."""
    plan = _plan()
    for old, new in plan["swaps"].items():
        if old in text and r.random() < 0.3:
            text = text.replace(old, new)
    if r.random() < 0.3:
        text = _fold(text)
    if r.random() < 0.2:
        text = text.lower()
    prefix: str = r.choice(plan["prefixes"])
    suffix: str = r.choice(plan["suffixes"])
    return prefix + text + suffix


def plant_campaigns(
    blocks: Iterator[pa.Table], day: int, days: int, seed: int
) -> Iterator[pa.Table]:
    """The blocks of day ``day``, the first with the campaigns planned for the day planted
    (blocks have a fixed size, so the rows do not depend on how they are cut into files).
    """
    for b, block in enumerate(blocks):
        yield _plant(block, day, days, seed) if b == 0 else block


def _plant(table: pa.Table, day: int, days: int, seed: int) -> pa.Table:
    if table.num_rows < MIN_ROWS:
        return table
    campaigns = [c for k, c in enumerate(_plan()["campaigns"]) if k % days == day]
    if not campaigns:
        return table
    r = random.Random(f"campaigns-{seed}-{day}")
    times = table.column("created_at").to_pylist()
    texts = table.column("text").to_pylist()
    titles = table.column("title").to_pylist()
    labels = (
        table.column("expected_clause").to_pylist()
        if "expected_clause" in table.column_names
        else None
    )
    taken: set[int] = set()
    for campaign in campaigns:
        start = r.randrange(0, max(1, table.num_rows // 2))
        limit = times[start] + _hours(campaign["hours"])
        stretch = [i for i in range(start, table.num_rows)
                   if times[i] <= limit and i not in taken
                   and (labels is None or labels[i] is None)]  # fmt: skip
        rows = sorted(r.sample(stretch, min(campaign["accounts"], len(stretch))))
        for i in rows:
            taken.add(i)
            texts[i] = (
                campaign["text"] if campaign.get("greeting") else copy_of(campaign["text"], r)
            )
            titles[i] = None
    table = table.set_column(table.schema.get_field_index("text"), table.schema.field("text"),
                             pa.array(texts, pa.string()))  # fmt: skip
    table = table.set_column(table.schema.get_field_index("title"), table.schema.field("title"),
                             pa.array(titles, pa.string()))  # fmt: skip
    return table


def _hours(hours: float) -> Any:
    import datetime

    return datetime.timedelta(hours=hours)
