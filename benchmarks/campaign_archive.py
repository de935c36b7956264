"""A large archive of posts with planted copy-paste campaigns, streamed to Parquet (issue 16).

    python -m benchmarks.campaign_archive ROOT N

writes ``ROOT/archive/part-*.parquet`` (files of ``ROWS_PER_FILE`` posts, row groups of
``ROW_GROUP`` posts, so this process holds one row group at a time whatever ``N``) and
``ROOT/truth.parquet`` (``post_id``, ``label``: the planted campaign or decoy of a post).

It runs as its own process so that a benchmark measuring the detector's peak RSS measures the
detector alone. Posts are built from real sentences (Vietnamese Wikipedia, the shared data):

- **background**: a sentence with 40% of its words replaced by words drawn from the corpus
  (so word frequencies stay natural but two posts built on the same sentence are not copies
  of each other; at 10 M posts each sentence is used ~20 times), then the first ten words of
  another sentence;
- **campaigns**: one per ``POSTS_PER_CAMPAIGN`` posts, a sentence copied with the small edits of
  ``demo_campaigns.copy_of`` by 5–30 accounts within 1–20 hours (labels ``camp<k>``);
- **controls**: as many again copied by only 3 accounts (labels ``few<k>``: not campaigns);
- **greetings**: five short greetings, each posted by 1,000 accounts (label ``greeting``).
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

ROW_GROUP = 65_536
ROWS_PER_FILE = 1_000_000
POSTS_PER_CAMPAIGN = 100_000
REPLACED = 0.4
T0_US = 1_764_000_000_000_000
DAY_US = 86_400_000_000
GREETINGS = ["Chúc mừng năm mới an khang thịnh vượng", "Chúc mọi người ngủ ngon nhé",
             "Chúc mừng sinh nhật bạn nhiều sức khỏe", "Cảm ơn mọi người đã chúc mừng",
             "Chúc cả nhà cuối tuần vui vẻ"]  # fmt: skip


class Corpus:
    """The sentences as word ids: sentence ``s`` is ``tokens[starts[s]:ends[s]]``."""

    def __init__(self, sentences: list[str]) -> None:
        words = [s.split() for s in sentences]
        vocab: dict[str, int] = {}
        flat = [vocab.setdefault(w, len(vocab)) for ws in words for w in ws]
        self.tokens = np.array(flat, np.int32)
        lengths = np.array([len(ws) for ws in words], np.int64)
        self.ends = np.cumsum(lengths)
        self.starts = self.ends - lengths
        self.vocab = pa.array(list(vocab), pa.string())

    def posts(self, rng: np.random.Generator, k: int) -> pa.Array:
        """``k`` background posts (see the module's docs)."""
        a = rng.integers(0, len(self.starts), k)
        b = rng.integers(0, len(self.starts), k)
        la = self.ends[a] - self.starts[a]
        lb = np.minimum(self.ends[b] - self.starts[b], 10)
        lengths = la + lb
        offsets = np.concatenate([[0], np.cumsum(lengths)])
        # Position of every word within its post, then the corpus index it is copied from.
        within = np.arange(offsets[-1]) - np.repeat(offsets[:-1], lengths)
        first_a, first_b = np.repeat(self.starts[a], lengths), np.repeat(self.starts[b], lengths)
        in_a = within < np.repeat(la, lengths)
        source = np.where(in_a, first_a + within, first_b + within - np.repeat(la, lengths))
        ids = self.tokens[source]
        replace = rng.random(len(ids)) < REPLACED
        ids[replace] = self.tokens[rng.integers(0, len(self.tokens), int(replace.sum()))]
        words = pa.ListArray.from_arrays(pa.array(offsets, pa.int32()), self.vocab.take(ids))
        return pc.binary_join(words, " ")


def plant(n: int, pool: list[str], seed: int) -> list[dict[str, object]]:
    """The campaign, control and greeting posts of an archive of ``n`` posts, each with the
    batch it goes into (``at``)."""
    from conduct_scan.demo_campaigns import copy_of

    r = random.Random(seed)
    batches = max(1, -(-n // ROW_GROUP))
    out: list[dict[str, object]] = []
    campaigns = max(1, n // POSTS_PER_CAMPAIGN)
    texts = r.sample([s for s in pool if 10 <= len(s.split()) <= 40], 2 * campaigns)
    for c, text in enumerate(texts):
        label = f"camp{c}" if c < campaigns else f"few{c}"
        accounts = r.randrange(5, 31) if c < campaigns else 3
        start = T0_US + r.randrange(DAY_US)
        hours = r.uniform(1, 20)
        for a in r.sample(range(2_000_000), accounts):
            out.append({"label": label, "account_id": str(a), "text": copy_of(text, r),
                        "created_at": start + int(r.uniform(0, hours) * 3_600_000_000),
                        "at": r.randrange(batches)})  # fmt: skip
    for g in GREETINGS:
        for a in r.sample(range(2_000_000), 1000):
            when = T0_US + r.randrange(DAY_US)
            out.append({"label": "greeting", "account_id": str(a), "text": g,
                        "created_at": when, "at": r.randrange(batches)})  # fmt: skip
    return out


def write(root: Path, n: int, seed: int = 16) -> dict[str, object]:
    """Writes the archive of ``n`` background posts (plus the planted ones) under ``root``."""
    from benchmarks.bench_claims import sentences

    pool = sentences("eval") + sentences("tune")
    corpus = Corpus(pool)
    planted = plant(n, pool, seed)
    by_batch: dict[int, list[dict[str, object]]] = {}
    for p in planted:
        by_batch.setdefault(int(p["at"]), []).append(p)  # type: ignore[call-overload]
    rng = np.random.default_rng(seed)
    archive = root / "archive"
    archive.mkdir(parents=True, exist_ok=True)
    schema = pa.schema([("post_id", pa.string()), ("account_id", pa.string()),
                        ("created_at", pa.timestamp("us", "UTC")),
                        ("text", pa.string())])  # fmt: skip
    truth_ids: list[str] = []
    truth_labels: list[str] = []
    writer: pq.ParquetWriter | None = None
    in_file, files, written, b = 0, 0, 0, 0
    while written < n:
        k = min(ROW_GROUP, n - written)
        ids = [f"p{i}" for i in range(written, written + k)]
        accounts = rng.integers(0, 2_000_000, k).astype(str).tolist()
        times = (T0_US + rng.integers(0, DAY_US, k)).tolist()
        texts = corpus.posts(rng, k).to_pylist()
        for j, p in enumerate(by_batch.get(b, [])):
            pid = f"q{b}-{j}"
            ids.append(pid)
            accounts.append(str(p["account_id"]))
            times.append(p["created_at"])
            texts.append(str(p["text"]))
            truth_ids.append(pid)
            truth_labels.append(str(p["label"]))
        table = pa.table([ids, accounts, pa.array(times, pa.timestamp("us", "UTC")), texts],
                         schema=schema)  # fmt: skip
        if writer is None:
            writer = pq.ParquetWriter(archive / f"part-{files:04d}.parquet", schema)
            files += 1
        writer.write_table(table, row_group_size=ROW_GROUP * 2)
        in_file += table.num_rows
        written += k
        b += 1
        if in_file >= ROWS_PER_FILE:
            writer.close()
            writer, in_file = None, 0
    if writer is not None:
        writer.close()
    pq.write_table(pa.table({"post_id": truth_ids, "label": truth_labels}), root / "truth.parquet")
    size = sum(p.stat().st_size for p in archive.iterdir())
    return {"posts": n + len(planted), "planted_posts": len(planted), "files": files,
            "archive_mb": round(size / 1e6, 1)}  # fmt: skip


if __name__ == "__main__":
    print(json.dumps(write(Path(sys.argv[1]), int(sys.argv[2]))), flush=True)
