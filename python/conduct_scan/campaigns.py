"""Copy-paste campaigns: the same or nearly the same text posted by many accounts within hours.

``conduct-scan campaigns OUT`` (and the last step of ``audit``) reads the posts of the inputs
audited into ``OUT`` and writes ``OUT/campaigns/``:

1. **Document frequency.** Every post's word pairs (fold view) are counted in a fixed table
   (Rust, ``DocFrequency``); pairs in more than ``max(min_df_posts, max_df_share × posts)``
   posts are boilerplate (greetings, "chúc mừng năm mới", signatures) and are dropped.
2. **Signatures.** A MinHash signature of each post's remaining pairs (64 hashes, in Rust with
   rayon over the Arrow text column), cut into 16 bands of 4; a post with fewer than
   ``min_words - 1`` distinctive pairs is not signed. The band hashes (the band mixed in) and
   the post's number are written batch by batch as Parquet, in buckets by the hash's top bits
   (about ``BUCKET_ROWS`` keys each), so memory follows a batch, not the posts.
3. **Candidates.** Each bucket is sorted by hash with Polars, one at a time; posts next to each
   other with the same hash are joined by an edge (all that is kept), and the connected
   components (union-find in Rust over the candidates' integer ids) are the candidate
   clusters. Only the candidates' row groups are read again, for their texts, ids and times.
4. **Verification** (vectorised; Python loops only over clusters with enough accounts). A
   cluster's representative is its most frequent text (earliest on ties);
   members whose word-pair Jaccard similarity to it is below ``min_similarity`` are dropped
   (LSH chains unrelated posts through chance collisions). A cluster is kept when at least
   ``min_accounts`` distinct accounts posted it within ``window_hours``.
5. **Signals.** A cluster is raised to clause 4.6d when a member restates a known claim
   (``claim:<id>`` findings) or carries a 4.6d hoax phrase, and to 4.4 when a member links to a
   look-alike of an official news domain (``data/news_domains.txt``) and no 4.6d signal exists.
   Other clusters are signals for review with no clause.

``campaigns/clusters.parquet``: ``cluster_id``, ``representative``, ``size`` (posts),
``accounts`` (distinct), ``window_accounts`` (most distinct accounts within the window),
``first_seen``, ``last_seen``, ``signals`` (list of ``claim:<id>``, ``rule:<id>``,
``lookalike:<domain>``), ``clause_id`` (4.6d, 4.4 or null), ``members`` (list of
``{post_id, account_id, created_at, source_file, row, similarity}``). ``campaigns/members.parquet``
has the members flat, with ``cluster_id``.
"""

from __future__ import annotations

import json
import math
import re
import shutil
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from conduct_scan._core import DocFrequency, components, minhash_bands, pair_jaccard
from conduct_scan.errors import InputError
from conduct_scan.read import to_utc
from conduct_scan.write import output_lock

CAMPAIGNS = "campaigns"
BANDS = 16
PERMS = 64
BATCH_ROWS = 65_536
"""Posts read, signed and written at a time."""
BUCKET_ROWS = 4_000_000
"""Band keys (16 bytes each) grouped at a time: about 64 MB, whatever the number of posts."""
READ_BUFFER = 1 << 20


@dataclass(frozen=True)
class CampaignOptions:
    """What counts as a campaign."""

    min_accounts: int = 5
    """Distinct accounts that must post the text within the window."""
    window_hours: float = 24.0
    min_words: int = 8
    """Posts with fewer distinctive words than this are not compared."""
    max_df_share: float = 0.001
    min_df_posts: int = 200
    """A word pair in more than max(min_df_posts, max_df_share × posts) posts is dropped."""
    min_similarity: float = 0.5
    """Word-pair Jaccard similarity to the representative a member needs."""


@dataclass
class CampaignSummary:
    """What a campaigns run found."""

    posts: int = 0
    signed: int = 0
    candidates: int = 0
    """Posts sharing a band hash with another (read again to be verified)."""
    clusters: int = 0
    raised: int = 0
    seconds: float = 0.0
    by_clause: dict[str, int] = field(default_factory=dict)
    stages: dict[str, float] = field(default_factory=dict)
    """Seconds per stage: ``frequency``, ``signatures``, ``candidates``, ``verification``."""

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _official_domains() -> list[str]:
    text = resources.files("conduct_scan").joinpath("data/news_domains.txt").read_text("utf-8")
    return [line.split("#")[0].strip().lower() for line in text.splitlines()
            if line.split("#")[0].strip()]  # fmt: skip


_URL = re.compile(r"(?:https?://)?((?:[a-z0-9-]+\.)+[a-z]{2,})(?:[/:?#]\S*)?", re.IGNORECASE)


def _edit_distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i]
        for j, y in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y)))
        previous = current
    return previous[-1]


def lookalike_domain(domain: str, official: Sequence[str]) -> str | None:
    """The official news domain ``domain`` imitates, or None (also None for official ones).

    A look-alike is not official (nor a subdomain of one) and either contains an official
    name (``vnexpress-news.com``, ``tuoitre24h.net``) or is within two edits of one
    (``vnexpres.net``, ``thanhnien.vn.co``).
    """
    domain = domain.lower().removeprefix("www.")
    for name in official:
        if domain == name or domain.endswith("." + name):
            return None
    for name in official:
        stem = name.split(".")[0]
        label = domain.split(".")[0]
        if len(stem) >= 5 and stem in domain.replace("-", ""):
            return name
        if len(stem) >= 5 and _edit_distance(label, stem) <= 2:
            return name
    return None


def _inputs_of(out: Path) -> tuple[list[Path], dict[str, Any]]:
    """The inputs audited into ``out`` (from its journal) and the run's columns."""
    journal = out / "journal.jsonl"
    if not journal.exists():
        raise InputError(
            f"{out}: no audit here (journal.jsonl missing); run `conduct-scan scan` first"
        )
    paths: dict[str, Path] = {}
    for line in journal.read_text("utf-8").splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue  # a line cut short by a kill: the scan ignores it too
        for entry in record.get("inputs", []):
            paths[entry["key"]] = Path(entry["path"])
        for key in record.get("drop", []):
            paths.pop(key, None)
    columns: dict[str, Any] = {}
    manifest = out / "manifest.json"
    if manifest.exists():
        columns = json.loads(manifest.read_text("utf-8")).get("run", {}).get("columns", {})
    return sorted(set(paths.values())), columns


@dataclass(frozen=True)
class _Source:
    """An input file, its rows numbered ``first`` to ``first + rows - 1`` across the inputs."""

    path: Path
    first: int
    group_rows: tuple[int, ...]

    @property
    def rows(self) -> int:
        return sum(self.group_rows)

    def open(self) -> pq.ParquetFile:
        # A read buffer: column chunks are streamed page by page, so a row group of a million
        # posts costs a batch's memory, not the whole chunk's.
        return pq.ParquetFile(self.path, buffer_size=READ_BUFFER)


def _sources(paths: Sequence[Path], texts: Sequence[str]) -> list[_Source]:
    out, first = [], 0
    for path in paths:
        try:
            meta = pq.read_metadata(path)
            names = meta.schema.to_arrow_schema().names
        except (OSError, pa.ArrowInvalid) as error:
            raise InputError(f"{path}: not a readable Parquet file ({error})") from None
        missing = [c for c in texts if c not in names]
        if missing:
            raise InputError(f"{path}: missing text column {missing[0]!r}")
        groups = tuple(meta.row_group(g).num_rows for g in range(meta.num_row_groups))
        out.append(_Source(path, first, groups))
        first += sum(groups)
    return out


def _text(batch: pa.RecordBatch, texts: Sequence[str]) -> pa.Array:
    """The post's text: its text column, or its text columns joined by newlines."""
    parts = [batch.column(c) for c in texts]
    parts = [p if _STRINGS(p.type) else pc.cast(p, pa.large_string()) for p in parts]
    if len(parts) == 1:
        return parts[0]
    parts = [pc.fill_null(pc.cast(p, pa.large_string()), "") for p in parts]
    return pc.binary_join_element_wise(*parts, pa.scalar("\n", pa.large_string()))


def _STRINGS(t: pa.DataType) -> bool:
    return bool(pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_binary(t)
                or pa.types.is_large_binary(t) or pa.types.is_string_view(t))  # fmt: skip


def _texts(source: _Source, texts: Sequence[str]) -> Iterator[pa.Array]:
    """The source's texts, ``BATCH_ROWS`` at a time."""
    for batch in _row_group_batches(source.open(), list(texts), range(len(source.group_rows))):
        yield _text(batch, texts)


def _row_group_batches(
    file: pq.ParquetFile, columns: list[str], groups: Iterable[int]
) -> Iterator[pa.RecordBatch]:
    # One row group at a time: over a whole file, iter_batches reads row groups ahead
    # (146 MB of Arrow buffers for a 1 M-post file, 24 MB like this).
    for g in groups:
        yield from file.iter_batches(batch_size=BATCH_ROWS, columns=columns, row_groups=[g],
                                     use_threads=False)  # fmt: skip


def _wanted(columns: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    texts = list(columns.get("text") or ["text"])
    wanted = {"post_id": columns.get("post_id", "post_id"),
              "account_id": columns.get("account", "account_id"),
              "created_at": columns.get("time") or "created_at"}  # fmt: skip
    return texts, wanted


def _posts(source: _Source, rows: np.ndarray, columns: dict[str, Any]) -> Iterator[pa.Table]:
    """Rows ``rows`` (sorted, within the file) of ``source`` as (text, post_id, account_id,
    created_at, source_file, row), reading only the row groups that hold them.
    """
    texts, wanted = _wanted(columns)
    file = source.open()
    names = file.schema_arrow.names
    read = [c for c in dict.fromkeys([*texts, *wanted.values()]) if c in names]
    ends = np.cumsum(source.group_rows)
    for g in np.unique(np.searchsorted(ends, rows, side="right")).tolist():
        start = int(ends[g] - source.group_rows[g])
        for batch in _row_group_batches(file, read, [g]):
            lo, hi = np.searchsorted(rows, [start, start + batch.num_rows])
            take = rows[lo:hi] - start
            start += batch.num_rows
            if not len(take):
                continue
            table = pa.Table.from_batches([batch]).take(pa.array(take))
            n = table.num_rows
            ids = {key: pc.cast(table.column(name), pa.string()) if name in names
                   else pa.nulls(n, pa.string()) for key, name in wanted.items()
                   if key != "created_at"}  # fmt: skip
            time_name = wanted["created_at"]
            created = (
                to_utc(table.column(time_name), time_name, str(source.path))
                if time_name in names
                else pa.nulls(n, pa.timestamp("us", "UTC"))
            )
            yield pa.table({
                "text": pc.cast(_text(table.combine_chunks().to_batches()[0], texts),
                                pa.large_string()),
                "post_id": ids["post_id"], "account_id": ids["account_id"],
                "created_at": created, "source_file": pa.array([str(source.path)] * n, pa.string()),
                "row": pa.array(rows[lo:hi], pa.int64()),
                "idx": pa.array(rows[lo:hi] + source.first, pa.int64()),
            })  # fmt: skip


def find_campaigns(
    out: str | Path,
    sources: Sequence[str | Path] | None = None,
    *,
    options: CampaignOptions | None = None,
    columns: dict[str, Any] | None = None,
    threads: int | None = None,
    wait_lock: float = 0.0,
) -> CampaignSummary:
    """Find copy-paste campaigns among the posts audited into ``out`` (or in ``sources``) and
    write ``out/campaigns/``; see the module's docs. Holds ``out``'s lock while it works.
    """
    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    with output_lock(out_dir, wait_lock):
        return _find(out_dir, sources, options or CampaignOptions(), columns, threads)


def _find(
    out_dir: Path,
    sources: Sequence[str | Path] | None,
    opts: CampaignOptions,
    columns: dict[str, Any] | None,
    threads: int | None,
) -> CampaignSummary:
    started = time.perf_counter()
    if sources:
        paths = sorted({p for s in sources for p in _parquet_files(Path(s))})
        run_columns: dict[str, Any] = {}
    else:
        paths, run_columns = _inputs_of(out_dir)
    cols = {**run_columns, **(columns or {})}
    texts, _ = _wanted(cols)
    inputs = _sources(paths, texts)
    summary = CampaignSummary()
    lap = _laps(summary.stages)
    work = out_dir / f".campaigns-{uuid.uuid4().hex[:8]}"
    work.mkdir(parents=True)
    try:
        df = DocFrequency(22)
        for source in inputs:
            for text in _texts(source, texts):
                df.add(text, threads=threads)
        summary.posts = df.posts
        lap("frequency")
        max_df = max(opts.min_df_posts, int(opts.max_df_share * df.posts))
        keys, summary.signed = _band_keys(inputs, texts, df, max_df, opts, work, threads)
        lap("signatures")
        nodes, labels = _candidates(keys)
        summary.candidates = len(nodes)
        lap("candidates")
        clusters, members = None, None
        if len(nodes):
            tables = [t for s in inputs for t in _candidate_posts(s, nodes, cols)]
            posts = pl.from_arrow(pa.concat_tables(tables))
            assert isinstance(posts, pl.DataFrame)
            order = np.searchsorted(nodes, posts["idx"].to_numpy())
            posts = posts.with_columns(pl.Series("label", labels[order]))
            clusters, members = _cluster(posts, opts, out_dir, threads)
        _write(out_dir, clusters, members)
        lap("verification")
        if clusters is not None:
            summary.clusters = clusters.height
            raised = clusters.filter(pl.col("clause_id").is_not_null())
            summary.raised = raised.height
            summary.by_clause = dict(raised.group_by("clause_id").len().iter_rows())
    finally:
        shutil.rmtree(work, ignore_errors=True)
    summary.seconds = round(time.perf_counter() - started, 3)
    return summary


def _laps(into: dict[str, float]) -> Callable[[str], None]:
    """``lap(name)`` records the seconds since the previous lap (or since the call) as ``name``."""
    last = [time.perf_counter()]

    def lap(name: str) -> None:
        now = time.perf_counter()
        into[name] = round(now - last[0], 3)
        last[0] = now

    return lap


def _parquet_files(source: Path) -> list[Path]:
    if source.is_dir():
        return sorted(source.rglob("*.parquet"))
    if source.exists():
        return [source]
    raise InputError(f"{source}: no such file or directory")


def _candidate_posts(
    source: _Source, nodes: np.ndarray, columns: dict[str, Any]
) -> Iterator[pa.Table]:
    lo, hi = np.searchsorted(nodes, [source.first, source.first + source.rows])
    if lo < hi:
        yield from _posts(source, nodes[lo:hi] - source.first, columns)


def _band_keys(
    inputs: Sequence[_Source], texts: Sequence[str], df: DocFrequency, max_df: int,
    opts: CampaignOptions, work: Path, threads: int | None,
) -> tuple[list[Path], int]:  # fmt: skip
    """Signs every post and writes its band hashes (the band is mixed into the hash) with the
    post's number, in buckets by the hash's top bits: a bucket holds about ``BUCKET_ROWS``
    keys, so grouping one bucket at a time bounds the memory whatever the number of posts.
    """
    posts = sum(s.rows for s in inputs)
    bits = max(0, math.ceil(math.log2(max(1.0, posts * BANDS / BUCKET_ROWS))))
    writers: dict[int, pq.ParquetWriter] = {}
    signed = 0
    try:
        for source in inputs:
            offset = source.first
            for text in _texts(source, texts):
                bands = minhash_bands(text, df, perms=PERMS, bands=BANDS,
                                      min_pairs=max(opts.min_words - 1, 1), max_df=max_df,
                                      threads=threads)  # fmt: skip
                signed += bands.num_rows // BANDS
                hashes = bands.column("hash").to_numpy()
                idx = bands.column("row").to_numpy() + offset
                offset += len(text)
                # Numpy, not Polars: its buffers go back to the system at once.
                bucket = (hashes >> np.uint64(64 - bits)).astype(np.int64) if bits else None
                cuts = [0, len(hashes)]
                if bucket is not None:
                    order = np.argsort(bucket, kind="stable")
                    hashes, idx, bucket = hashes[order], idx[order], bucket[order]
                    cuts = np.searchsorted(bucket, np.arange((1 << bits) + 1)).tolist()
                for key in range(len(cuts) - 1):
                    lo, hi = cuts[key], cuts[key + 1]
                    if lo == hi:
                        continue
                    table = pa.table({"hash": hashes[lo:hi], "idx": idx[lo:hi]})
                    if key not in writers:
                        writers[key] = pq.ParquetWriter(work / f"keys-{key:05d}.parquet",
                                                        table.schema)  # fmt: skip
                    writers[key].write_table(table)
    finally:
        for writer in writers.values():
            writer.close()
    return sorted(work / f"keys-{k:05d}.parquet" for k in writers), signed


def _candidates(keys: Sequence[Path]) -> tuple[np.ndarray, np.ndarray]:
    """The posts sharing a band hash with another (sorted numbers) and their component's
    label (its smallest post number). Each bucket is sorted by hash with Polars; posts next to
    each other with the same hash are joined by an edge, the only thing kept.
    """
    a_parts, b_parts = [], []
    for path in keys:
        pairs = (
            pl.scan_parquet(path)
            .sort("hash")
            .with_columns(
                prev=pl.col("idx").shift(1), same=pl.col("hash") == pl.col("hash").shift(1)
            )
            .filter(pl.col("same"))
            .select("prev", "idx")
            .collect()
        )
        a_parts.append(pairs["prev"].to_numpy())
        b_parts.append(pairs["idx"].to_numpy())
    a = np.concatenate([np.empty(0, np.int64), *a_parts])
    b = np.concatenate([np.empty(0, np.int64), *b_parts])
    if not len(a):
        return a, a
    nodes = np.unique(np.concatenate([a, b]))
    ca = pa.array(np.searchsorted(nodes, a), pa.int64())
    cb = pa.array(np.searchsorted(nodes, b), pa.int64())
    compact = components(len(nodes), ca, cb).column("label").to_numpy()
    return nodes, nodes[compact]


def _cluster(
    posts: pl.DataFrame, opts: CampaignOptions, out: Path, threads: int | None
) -> tuple[pl.DataFrame | None, pl.DataFrame | None]:
    """Verifies the candidate clusters (``label``) and keeps the campaigns; vectorised, the
    per-cluster loop runs only over clusters with enough accounts.
    """
    counts = posts.group_by("label", "text").agg(
        pl.len().alias("n"), pl.col("created_at").min().alias("first")
    )
    representatives = (
        counts.sort(
            ["label", "n", "first", "text"],
            descending=[False, True, False, False],
            nulls_last=False,
        )
        .unique("label", keep="first", maintain_order=True)
        .select("label", pl.col("text").alias("representative"))
    )
    posts = posts.join(representatives, on="label")
    similarity = pair_jaccard(posts["representative"].to_arrow(), posts["text"].to_arrow(),
                              threads=threads)  # fmt: skip
    posts = posts.with_columns(pl.Series("similarity", similarity, pl.Float32)).filter(
        pl.col("similarity") >= opts.min_similarity
    )
    enough = (
        posts.group_by("label")
        .agg(pl.col("account_id").n_unique().alias("accounts"))
        .filter(pl.col("accounts") >= opts.min_accounts)
    )
    posts = posts.join(enough.select("label"), on="label", how="semi")
    violations = _violation_signals(out)
    official = _official_domains()
    rows: list[dict[str, Any]] = []
    member_rows: list[dict[str, Any]] = []
    window = np.timedelta64(int(opts.window_hours * 3600 * 1e6), "us")
    for (_label,), group in sorted(
        posts.partition_by("label", as_dict=True).items(), key=lambda kv: kv[0]
    ):
        representative = group["representative"][0]
        group = group.sort("created_at", "idx")
        accounts = group["account_id"].n_unique()
        best = _window_accounts(group, window)
        if best < opts.min_accounts:
            continue
        signals = _signals(group, violations, official)
        clause = None
        if any(s.startswith(("claim:", "rule:")) for s in signals):
            clause = "4.6d"
        elif any(s.startswith("lookalike:") for s in signals):
            clause = "4.4"
        rows.append({
            "representative": representative, "size": group.height, "accounts": accounts,
            "window_accounts": best, "first_seen": group["created_at"].min(),
            "last_seen": group["created_at"].max(), "signals": signals, "clause_id": clause,
            "members": group.select("post_id", "account_id", "created_at", "source_file", "row",
                                    "similarity").to_dicts(),
        })  # fmt: skip
    if not rows:
        return None, None
    rows.sort(key=lambda r: (r["first_seen"] is None, r["first_seen"], r["representative"]))
    for i, row in enumerate(rows, 1):
        row["cluster_id"] = f"c{i:05d}"
        for m in row["members"]:
            member_rows.append({"cluster_id": row["cluster_id"], **m})
    clusters = pl.DataFrame(rows, infer_schema_length=None).select(
        "cluster_id", "representative", "size", "accounts", "window_accounts", "first_seen",
        "last_seen", "signals", "clause_id", "members",
    )  # fmt: skip
    return clusters, pl.DataFrame(member_rows, infer_schema_length=None)


def _window_accounts(group: pl.DataFrame, window: np.timedelta64) -> int:
    """Most distinct accounts among posts within ``window`` of each other (two pointers)."""
    dated = group.filter(pl.col("created_at").is_not_null())
    if dated.is_empty():
        return int(group["account_id"].n_unique())
    times = dated["created_at"].to_numpy()
    accounts = dated["account_id"].to_list()
    seen: Counter[Any] = Counter()
    best, lo = 0, 0
    for hi in range(len(times)):
        seen[accounts[hi]] += 1
        while times[hi] - times[lo] > window:
            seen[accounts[lo]] -= 1
            if not seen[accounts[lo]]:
                del seen[accounts[lo]]
            lo += 1
        best = max(best, len(seen))
    return best


def _violation_signals(out: Path) -> pl.DataFrame | None:
    """The 4.6d findings of the scan (hoax phrasing and known claims), by post."""
    files = list((out / "violations").glob("*.parquet"))
    if not files:
        return None
    return (
        pl.scan_parquet(files)
        .filter(pl.col("clause_id") == "4.6d")
        .select("source_file", "row", "rule_id")
        .unique()
        .collect()
    )


def _signals(
    group: pl.DataFrame, violations: pl.DataFrame | None, official: list[str]
) -> list[str]:
    signals: set[str] = set()
    if violations is not None and not violations.is_empty():
        hits = group.select("source_file", "row").join(violations, on=["source_file", "row"])
        for rule in hits["rule_id"].unique().to_list():
            signals.add(rule if rule.startswith("claim:") else f"rule:{rule}")
    for text in group["text"].to_list():
        for match in _URL.finditer(text or ""):
            imitated = lookalike_domain(match.group(1), official)
            if imitated:
                signals.add(f"lookalike:{match.group(1).lower()}")
    return sorted(signals)


def _write(out: Path, clusters: pl.DataFrame | None, members: pl.DataFrame | None) -> None:
    """Writes ``out/campaigns/`` whole, replacing the previous one only when complete."""
    staging = out / f".campaigns-new-{uuid.uuid4().hex[:8]}"
    staging.mkdir()
    schema_members: dict[str, Any] = {
        "cluster_id": pl.String, "post_id": pl.String, "account_id": pl.String,
        "created_at": pl.Datetime("us", "UTC"), "source_file": pl.String, "row": pl.Int64,
        "similarity": pl.Float32}  # fmt: skip
    if clusters is None or members is None:
        member_struct = pl.Struct({k: v for k, v in schema_members.items() if k != "cluster_id"})
        clusters = pl.DataFrame(schema={
            "cluster_id": pl.String, "representative": pl.String, "size": pl.Int64,
            "accounts": pl.Int64, "window_accounts": pl.Int64,
            "first_seen": pl.Datetime("us", "UTC"), "last_seen": pl.Datetime("us", "UTC"),
            "signals": pl.List(pl.String), "clause_id": pl.String,
            "members": pl.List(member_struct)})  # fmt: skip
        members = pl.DataFrame(schema=schema_members)
    clusters.write_parquet(staging / "clusters.parquet")
    members.cast(schema_members).write_parquet(staging / "members.parquet")  # type: ignore[arg-type]
    target = out / CAMPAIGNS
    if target.exists():
        old = out / f".campaigns-old-{uuid.uuid4().hex[:8]}"
        target.rename(old)
        staging.rename(target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        staging.rename(target)
