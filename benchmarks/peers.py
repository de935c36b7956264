"""The peers conduct_scan races, each doing the same job its own best way.

The job: given terms and regular expressions, find the posts of a column that contain any of
them, case-insensitively. Every peer is built once from a :class:`Workload` (compiling what it
can compile ahead, as the scanner compiles its ruleset ahead) and then flags a column of texts:
:meth:`Peer.flag` returns one boolean per post. Only the flagging is timed in-memory.

==============================  ===============================================================
peer                            how
==============================  ===============================================================
polars contains_any + contains  ``str.contains_any(terms, ascii_case_insensitive=True)`` OR one
                                ``str.contains("(?i)pattern")`` per pattern, one expression
polars extract_many             ``str.extract_many(terms, ascii_case_insensitive=True)`` and one
                                ``str.extract_all("(?i)pattern")`` per pattern: the matches
                                themselves, as the scanner returns them
duckdb regexp_matches           ``regexp_matches(text, alternation, 'i')``, the escaped terms
                                and the patterns in alternations of :data:`DUCKDB_ALTERNATION`
                                OR'ed together (one alternation of all of them exhausts RE2's
                                DFA memory and runs 50 times slower)
python-hyperscan per row        one database of the escaped terms and the patterns
                                (``UTF8 | UCP | CASELESS``), ``db.scan`` per row from Python,
                                every match reported to a Python callback; the database is
                                cached on disk like conduct_scan's
                                (``$CONDUCT_SCAN_BENCH_PEER_CACHE``)
pyahocorasick + re per row      a pyahocorasick automaton of the terms over ``text.lower()``
                                and one ``re.IGNORECASE`` alternation of the patterns, all
                                matches of both collected per row
==============================  ===============================================================

In-memory, each peer gets the column in its own native form, prepared outside the timing: a
Polars Series, an Arrow table registered in DuckDB, a list of Python ``str`` for the per-row
peers (conduct_scan takes the Arrow column as it is, zero-copy).

End to end (:meth:`Peer.end_to_end`), each peer reads the Parquet archive and writes the
flagged posts (``post_id``, ``account_id``, ``created_at``) to Parquet its own best way: Polars
``scan_parquet(...).filter(...).sink_parquet(...)``, DuckDB ``COPY (SELECT ...) TO``, the
per-row peers through ``pyarrow`` batches of 65,536 rows (as ``conduct-scan scan`` reads).
``python -m benchmarks.peers PEER ARCHIVE OUT [--terms N]`` runs one in a child process and prints
a JSON line, so that its peak memory can be measured on its own.

Semantics differ, and :func:`agreement` says where: the scanner matches terms on word
boundaries in a Unicode case-folded, NFKC view; Polars folds ASCII case only in
``contains_any``, DuckDB's RE2 has ASCII-only ``\\w``/``\\d``, the per-row peers see the raw
text. On plain-ASCII terms, ASCII patterns without ``\\w``/``\\d``, and ``match = "substring"``
they mean the same thing, and the flagged posts must be equal.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.parquet as pq

Mask = npt.NDArray[np.bool_]
DUCKDB_ALTERNATION = 500
"""Alternatives per DuckDB regular expression (fastest of 100-1000 on the benchmark machine)."""
OUTPUT_COLUMNS = ["post_id", "account_id", "created_at"]
BATCH_ROWS = 65_536


@dataclass(frozen=True)
class Workload:
    """What every system looks for: literal terms and regular expressions."""

    terms: tuple[str, ...]
    patterns: tuple[str, ...]


class Peer:
    """A peer built for one workload: :meth:`prepare` converts a column to the peer's native
    form (untimed), :meth:`flag` does the work (timed)."""

    name = ""
    sample_only = False
    """Whether the peer is so slow that it is measured on the sample corpus only."""

    def __init__(self, work: Workload) -> None:
        self.work = work

    @property
    def threads(self) -> int:
        return 1

    def prepare(self, texts: pa.ChunkedArray) -> Any:
        return texts

    def flag(self, prepared: Any) -> Mask:
        raise NotImplementedError

    def end_to_end(self, archive: Path, out: Path) -> int:
        """Read ``archive``, write its flagged posts to ``out``; return how many."""
        file = pq.ParquetFile(archive)
        flagged = 0
        schema = pa.schema([file.schema_arrow.field(name) for name in OUTPUT_COLUMNS])
        with pq.ParquetWriter(out, schema) as writer:
            for batch in file.iter_batches(BATCH_ROWS, columns=[*OUTPUT_COLUMNS, "text"]):
                texts = pa.chunked_array([batch.column("text")])
                mask = self.flag(self.prepare(texts))
                kept = batch.select(OUTPUT_COLUMNS).filter(pa.array(mask))
                writer.write_batch(kept)
                flagged += kept.num_rows
        return flagged


def _polars_threads() -> int:
    import polars as pl

    return pl.thread_pool_size()


class PolarsContains(Peer):
    name = "polars contains_any + contains"

    def __init__(self, work: Workload) -> None:
        import polars as pl

        super().__init__(work)
        text = pl.col("text")
        expression = text.str.contains_any(list(work.terms), ascii_case_insensitive=True)
        for pattern in work.patterns:
            expression = expression | text.str.contains(f"(?i){pattern}")
        self.expression = expression.fill_null(False).alias("flagged")

    @property
    def threads(self) -> int:
        return _polars_threads()

    def prepare(self, texts: pa.ChunkedArray) -> Any:
        import polars as pl

        return pl.DataFrame({"text": pl.Series(texts)})

    def flag(self, prepared: Any) -> Mask:
        return prepared.select(self.expression).to_series().to_numpy()

    def end_to_end(self, archive: Path, out: Path) -> int:
        import polars as pl

        pl.scan_parquet(archive).filter(self.expression).select(OUTPUT_COLUMNS).sink_parquet(out)
        return pl.scan_parquet(out).select(pl.len()).collect().item()


class PolarsExtractMany(PolarsContains):
    name = "polars extract_many"

    def __init__(self, work: Workload) -> None:
        import polars as pl

        Peer.__init__(self, work)
        text = pl.col("text")
        matches = pl.concat_list(
            text.str.extract_many(list(work.terms), ascii_case_insensitive=True),
            *[text.str.extract_all(f"(?i){p}") for p in work.patterns],
        )
        self.matches = matches.alias("matches")
        self.expression = (matches.list.len() > 0).fill_null(False).alias("flagged")

    def end_to_end(self, archive: Path, out: Path) -> int:
        import polars as pl

        (
            pl.scan_parquet(archive)
            .select(*OUTPUT_COLUMNS, self.matches)
            .filter(pl.col("matches").list.len() > 0)
            .sink_parquet(out)
        )
        return pl.scan_parquet(out).select(pl.len()).collect().item()


def _escape_re2(term: str) -> str:
    return "".join("\\" + c if c.isascii() and not c.isalnum() and c != " " else c for c in term)


class DuckDBRegexp(Peer):
    name = "duckdb regexp_matches"

    def __init__(self, work: Workload) -> None:
        import duckdb

        super().__init__(work)
        alternatives = [_escape_re2(t) for t in work.terms] + [f"(?:{p})" for p in work.patterns]
        parts = [
            "|".join(alternatives[i : i + DUCKDB_ALTERNATION])
            for i in range(0, len(alternatives), DUCKDB_ALTERNATION)
        ]
        self.condition = " OR ".join(
            "regexp_matches(text, '{}', 'i')".format(p.replace("'", "''")) for p in parts
        )
        self.connection = duckdb.connect()

    @property
    def threads(self) -> int:
        return int(self.connection.execute("SELECT current_setting('threads')").fetchone()[0])

    def prepare(self, texts: pa.ChunkedArray) -> Any:
        self.connection.register("posts", pa.table({"text": texts}))
        return "posts"

    def flag(self, prepared: Any) -> Mask:
        sql = f"SELECT coalesce({self.condition}, false) FROM {prepared}"
        return self.connection.sql(sql).to_arrow_table().column(0).to_numpy(zero_copy_only=False)

    def end_to_end(self, archive: Path, out: Path) -> int:
        columns = ", ".join(OUTPUT_COLUMNS)
        source = str(archive).replace("'", "''")
        target = str(out).replace("'", "''")
        self.connection.execute(
            f"COPY (SELECT {columns} FROM read_parquet('{source}') WHERE {self.condition}) "
            f"TO '{target}' (FORMAT parquet)"
        )
        return int(self.connection.execute(f"SELECT count(*) FROM '{target}'").fetchone()[0])


def _escape_hyperscan(term: str) -> str:
    return "".join(f"\\x{ord(c):02x}" if c.isascii() and not c.isalnum() else c for c in term)


class HyperscanPerRow(Peer):
    name = "python-hyperscan per row"

    def __init__(self, work: Workload) -> None:
        super().__init__(work)
        self.database = self._database(
            [_escape_hyperscan(t) for t in work.terms] + list(work.patterns)
        )

    @staticmethod
    def _database(expressions: list[str]) -> Any:
        """Compile, or load from ``$CONDUCT_SCAN_BENCH_PEER_CACHE`` (as conduct_scan caches)."""
        import hashlib

        import hyperscan

        flags = hyperscan.HS_FLAG_UTF8 | hyperscan.HS_FLAG_UCP | hyperscan.HS_FLAG_CASELESS
        cache = os.environ.get("CONDUCT_SCAN_BENCH_PEER_CACHE")
        key = hashlib.sha256(json.dumps([expressions, flags]).encode()).hexdigest()[:32]
        path = Path(cache) / f"python-hyperscan-{key}.db" if cache else None
        if path is not None and path.exists():
            database = hyperscan.loadb(path.read_bytes(), hyperscan.HS_MODE_BLOCK)
            database.scratch = hyperscan.Scratch(database)
            return database
        database = hyperscan.Database()
        database.compile(
            expressions=[e.encode() for e in expressions],
            ids=list(range(len(expressions))),
            flags=flags,
        )
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(hyperscan.dumpb(database))
        return database

    def prepare(self, texts: pa.ChunkedArray) -> Any:
        return texts.to_pylist()

    def flag(self, prepared: Any) -> Mask:
        flagged = np.zeros(len(prepared), dtype=bool)

        def on_match(_id: int, _start: int, _end: int, _flags: int, row: int) -> None:
            flagged[row] = True

        scan = self.database.scan
        for row, text in enumerate(prepared):
            if text:
                scan(text.encode(), match_event_handler=on_match, context=row)
        return flagged


class AhoCorasickPerRow(Peer):
    name = "pyahocorasick + re per row"
    sample_only = True

    def __init__(self, work: Workload) -> None:
        import ahocorasick

        super().__init__(work)
        self.automaton = ahocorasick.Automaton()
        for i, term in enumerate(work.terms):
            self.automaton.add_word(term, i)
        self.automaton.make_automaton()
        alternation = "|".join(f"(?:{p})" for p in work.patterns) or "(?!)"
        self.regex = re.compile(alternation, re.IGNORECASE)

    def prepare(self, texts: pa.ChunkedArray) -> Any:
        return texts.to_pylist()

    def flag(self, prepared: Any) -> Mask:
        flagged = np.zeros(len(prepared), dtype=bool)
        terms_in = self.automaton.iter
        patterns_in = self.regex.findall
        for row, text in enumerate(prepared):
            if text:
                hits = list(terms_in(text.lower()))
                found = patterns_in(text)
                flagged[row] = bool(hits or found)
        return flagged


PEERS: dict[str, type[Peer]] = {
    PolarsContains.name: PolarsContains,
    PolarsExtractMany.name: PolarsExtractMany,
    DuckDBRegexp.name: DuckDBRegexp,
    HyperscanPerRow.name: HyperscanPerRow,
    AhoCorasickPerRow.name: AhoCorasickPerRow,
}
LIBRARIES = {
    "polars-contains": "polars",
    "polars-extract-many": "polars",
    "duckdb": "duckdb",
    "python-hyperscan": "hyperscan",
    "pyahocorasick": "ahocorasick",
}
"""The module each peer imports (before its clock starts, as conduct-scan's imports are)."""
SLUGS = {
    "polars-contains": PolarsContains.name,
    "polars-extract-many": PolarsExtractMany.name,
    "duckdb": DuckDBRegexp.name,
    "python-hyperscan": HyperscanPerRow.name,
    "pyahocorasick": AhoCorasickPerRow.name,
}


def conduct_scan_flags(findings: pa.Table, rows: int) -> Mask:
    """The posts a ``Scanner.scan`` result flags, as a mask like the peers'."""
    flagged = np.zeros(rows, dtype=bool)
    flagged[findings.column("row").to_numpy()] = True
    return flagged


def coinciding(texts: pa.ChunkedArray) -> Mask:
    """The posts on which substring search means the same for conduct_scan and the peers: those
    whose casefold view is their plain lower-casing (no NFD input, no ``ß`` or ligature that
    folds to several letters, no fullwidth, zero-width or other NFKC-changed characters)."""
    from conduct_scan import normalise

    return np.array(
        [t is not None and normalise("casefold", t) == t.lower() for t in texts.to_pylist()],
        dtype=bool,
    )


def agreement(
    ours: Mask, theirs: Mask, same_semantics: Mask, texts: pa.ChunkedArray, examples: int = 3
) -> dict[str, Any]:
    """How the posts flagged by conduct_scan and by a peer compare.

    Parameters
    ----------
    ours, theirs
        Flagged posts (conduct_scan's, the peer's).
    same_semantics
        The posts on which both must agree (:func:`coinciding`).
    texts
        The texts, for examples of differences.
    examples
        How many differing posts to show, each way.

    Returns
    -------
    dict
        ``posts``, ``flagged_conduct_scan``, ``flagged_peer``; ``subset_posts``,
        ``subset_differences`` and ``equal`` (no difference on the subset); ``differences``
        over all posts and ``examples`` of them (row, who flagged it, in the subset or not, the
        first 100 characters).
    """
    differ = ours != theirs
    shown = []
    for who, rows in (
        ("conduct_scan", np.flatnonzero(ours & ~theirs)),
        ("peer", np.flatnonzero(theirs & ~ours)),
    ):
        for row in rows[:examples]:
            text = texts[int(row)].as_py() or ""
            shown.append(
                {
                    "row": int(row),
                    "flagged_by": who,
                    "in_subset": bool(same_semantics[row]),
                    "text": text[:100],
                }
            )
    subset_differences = int((differ & same_semantics).sum())
    return {
        "posts": len(ours),
        "flagged_conduct_scan": int(ours.sum()),
        "flagged_peer": int(theirs.sum()),
        "subset_posts": int(same_semantics.sum()),
        "subset_differences": subset_differences,
        "equal": subset_differences == 0,
        "differences": int(differ.sum()),
        "examples": shown,
    }


def main(argv: list[str] | None = None) -> int:
    """Run one peer end to end and print ``{"seconds", "flagged", "threads"}`` as JSON."""
    from benchmarks.corpus import PATTERNS, terms

    parser = argparse.ArgumentParser(prog="python -m benchmarks.peers")
    parser.add_argument("peer", choices=sorted(SLUGS))
    parser.add_argument("archive", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--terms", type=int, default=2000)
    args = parser.parse_args(argv)
    work = Workload(terms(args.terms), tuple(PATTERNS))
    importlib.import_module(LIBRARIES[args.peer])
    started = time.perf_counter()  # like conduct-scan's summary: compile, read, match, write
    peer = PEERS[SLUGS[args.peer]](work)
    flagged = peer.end_to_end(args.archive, args.out)
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "flagged": flagged, "threads": peer.threads}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
