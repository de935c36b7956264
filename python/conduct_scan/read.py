"""Reading archives: finding the Parquet files, checking their columns, streaming their rows.

An archive is one or more files, directories (searched recursively; hive partitions such as
``date=2026-11-29/`` become columns) and glob patterns. One background thread opens the files
in turn and reads them batch by batch, so opening and reading the next batch (or the next file)
overlaps scanning the current one (the scanner releases the GIL). A batch is bounded by rows
(``batch_rows``) and by bytes of text (``batch_bytes``), so memory depends on the batch, not on
the archive or on the size of its posts.
"""

from __future__ import annotations

import datetime as dt
import glob
import hashlib
import os
import queue
import re
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from conduct_scan import store
from conduct_scan.errors import InputError

PARQUET_SUFFIXES = (".parquet", ".parq", ".pq")
# Partition keys that hold a day, used to skip partitions outside --since/--until unread.
DAY_KEYS = ("date", "day", "dt")
TEXT_TYPES = (pa.string(), pa.large_string(), pa.string_view())
BINARY_TYPES = (pa.binary(), pa.large_binary(), pa.binary_view())
UTC_MICROS = pa.timestamp("us", tz="UTC")
PARALLEL_DECODE_BYTES = 8 << 20
"""Files at least this large are decoded with Arrow's threads (columns in parallel)."""


def is_text_type(kind: pa.DataType) -> bool:
    """A string or binary type, or a dictionary of one (what Polars' Categorical becomes)."""
    if pa.types.is_dictionary(kind):
        kind = kind.value_type
    return kind in TEXT_TYPES or kind in BINARY_TYPES


def decoded(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """A dictionary-encoded column as its values (other columns unchanged)."""
    if not pa.types.is_dictionary(column.type):
        return column
    values = column.type.value_type
    # Arrow cannot `take` from views: their dictionaries are decoded as large (offset) arrays.
    wide = {pa.string_view(): pa.large_string(), pa.binary_view(): pa.large_binary()}.get(values)
    chunks = [
        pa.DictionaryArray.from_arrays(
            chunk.indices, chunk.dictionary.cast(wide)
        ).dictionary_decode()
        if wide is not None
        else chunk.dictionary_decode()
        for chunk in column.chunks
    ]
    return pa.chunked_array(chunks, wide or values)


@dataclass(frozen=True)
class Input:
    """One Parquet file of an archive."""

    path: Path
    """Absolute path."""
    display: str
    """The path as shown to users (as given, or below the directory given)."""
    relative: str = ""
    """The path below the directory or glob root it was found under."""
    partitions: dict[str, str] = field(default_factory=dict)
    """Hive partition values from the directories above the file."""
    size: int = 0
    mtime_ns: int = 0
    url: str = ""
    """The object's URL when the input is in an object store (``path`` is then its key)."""

    @property
    def location(self) -> str:
        """Where the input is: its URL, or its absolute path."""
        return self.url or str(self.path)

    @property
    def key(self) -> str:
        """A stable, file-name-safe id for this input's output parts."""
        name = self.relative or self.path.name
        name = name[: -len(self.path.suffix)] if self.path.suffix else name
        stem = re.sub(r"[^A-Za-z0-9=._-]+", "_", name.replace(os.sep, "__"))[-80:]
        digest = hashlib.sha256(self.location.encode()).hexdigest()[:10]
        return f"{stem.strip('_.')}-{digest}"

    def day(self) -> dt.date | None:
        """The day of a ``date=YYYY-MM-DD`` style partition, if there is one."""
        for key in DAY_KEYS:
            value = self.partitions.get(key)
            if value:
                try:
                    return dt.date.fromisoformat(value[:10])
                except ValueError:
                    return None
        return None


@dataclass(frozen=True)
class SourceProblem:
    """A source that yielded no input: what was given and what is wrong."""

    source: str
    reason: str


def _is_data_file(path: Path) -> bool:
    # Spark and Hive leave _SUCCESS, _metadata and .crc files next to the data.
    return path.suffix.lower() in PARQUET_SUFFIXES and not path.name.startswith(("_", "."))


def _partitions(path: Path, root: Path) -> dict[str, str]:
    try:
        parts = path.relative_to(root).parts[:-1]
    except ValueError:
        parts = path.parts[:-1]
    values = {}
    for part in parts:
        if "=" in part:
            key, _, value = part.partition("=")
            values[key] = value
    return values


def _input(path: Path, display: str, root: Path) -> Input:
    stat = path.stat()
    try:
        relative = str(path.relative_to(root))
    except ValueError:
        relative = path.name
    partitions = _partitions(path, root)
    return Input(path.resolve(), display, relative, partitions, stat.st_size, stat.st_mtime_ns)


def discover(sources: Sequence[str | os.PathLike[str]]) -> tuple[list[Input], list[SourceProblem]]:
    """Every Parquet file of ``sources``, sorted, without duplicates; and the sources that
    named nothing readable.
    """
    found: dict[Path, Input] = {}
    problems: list[SourceProblem] = []
    for source in sources:
        text = os.fspath(source)
        before = len(found)
        if store.is_url(text):
            from conduct_scan.read_store import discover_url

            try:
                for inp in discover_url(text):
                    found.setdefault(Path(inp.url), inp)
            except store.StoreError as error:
                problems.append(SourceProblem(store.shown(text), str(error).split(": ", 1)[-1]))
                continue
        elif glob.has_magic(text):
            matches = sorted(Path(p) for p in glob.glob(text, recursive=True))
            for match in matches:
                if match.is_dir():
                    for file in sorted(match.rglob("*")):
                        if file.is_file() and _is_data_file(file):
                            found.setdefault(file.resolve(), _input(file, str(file), match))
                elif match.is_file():
                    found.setdefault(match.resolve(), _input(match, str(match), Path(".")))
        else:
            path = Path(text)
            if path.is_dir():
                for file in sorted(path.rglob("*")):
                    if file.is_file() and _is_data_file(file):
                        display = str(file.relative_to(path)) if path != Path(".") else str(file)
                        shown = os.path.join(text, display)
                        found.setdefault(file.resolve(), _input(file, shown, path))
            elif path.is_file():
                found.setdefault(path.resolve(), _input(path, text, path.parent))
            else:
                problems.append(SourceProblem(text, "no such file or directory"))
                continue
        if len(found) == before:
            problems.append(SourceProblem(text, "no Parquet files found"))
    inputs = sorted(found.values(), key=lambda i: i.display)
    return inputs, problems


@dataclass(frozen=True)
class Columns:
    """Which archive columns hold what."""

    text: tuple[str, ...] = ("text",)
    post_id: str = "post_id"
    account: str = "account_id"
    time: str | None = "created_at"
    account_type: str | None = "account_type"
    time_required: bool = False
    """True when the time column was asked for explicitly or a --since/--until window is set."""


@dataclass(frozen=True)
class Window:
    """``--since``/``--until``: created_at in [since, until)."""

    since: dt.datetime | None = None
    until: dt.datetime | None = None

    @property
    def active(self) -> bool:
        return self.since is not None or self.until is not None

    def excludes_day(self, day: dt.date) -> bool:
        start = dt.datetime.combine(day, dt.time(), tzinfo=dt.timezone.utc)
        end = start + dt.timedelta(days=1)
        return (self.since is not None and end <= self.since) or (
            self.until is not None and start >= self.until
        )


@dataclass
class Plan:
    """How to read one input: the columns it has, and which optional ones are present."""

    file: pq.ParquetFile
    rows: int
    read: list[str]
    time: str | None
    account_type: str | None


def plan(inp: Input, columns: Columns) -> Plan:
    """Opens an input and checks its columns; raises InputError naming the file and the problem."""
    try:  # an object is read by ranges, never whole
        source = store.open_input_file(inp.url) if inp.url else inp.path
    except (OSError, pa.ArrowException) as error:
        raise InputError(f"{inp.display}: cannot read ({store.reason(error)})") from None
    try:
        # pre_buffer would cache the column chunks of every row group read so far: memory
        # would grow with the file instead of staying at one batch.
        file = pq.ParquetFile(source, pre_buffer=False, buffer_size=1 << 20)
    except (OSError, pa.ArrowException) as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise InputError(f"{inp.display}: not a readable Parquet file ({reason})") from None
    schema = file.schema_arrow
    available = list(schema.names) + [k for k in inp.partitions if k not in schema.names]

    def require(name: str, what: str) -> None:
        if name not in available:
            listed = ", ".join(available) or "none"
            raise InputError(f"{inp.display}: missing {what} column '{name}' (columns: {listed})")

    for name in columns.text:
        require(name, "text")
        if name in schema.names:
            kind = schema.field(name).type
            if not is_text_type(kind):
                raise InputError(
                    f"{inp.display}: text column '{name}' is {kind}, "
                    "expected a string (or binary) column"
                )
    require(columns.post_id, "post id")
    require(columns.account, "account")
    time = columns.time if columns.time and columns.time in available else None
    if columns.time and time is None and columns.time_required:
        require(columns.time, "time")
    account_type = (
        columns.account_type if columns.account_type and columns.account_type in available else None
    )
    wanted = [*columns.text, columns.post_id, columns.account]
    wanted += [c for c in (time, account_type) if c]
    read = [c for c in dict.fromkeys(wanted) if c in schema.names]
    return Plan(file, file.metadata.num_rows, read, time, account_type)


def to_utc(column: pa.Array | pa.ChunkedArray, name: str, display: str) -> pa.Array:
    """A time column as timestamp[us, UTC]; naive times are taken as UTC."""
    kind = column.type
    try:
        if pa.types.is_timestamp(kind):
            if kind.tz is None:
                return pc.assume_timezone(column.cast(pa.timestamp("us")), "UTC")
            return column.cast(UTC_MICROS)
        if pa.types.is_date(kind):
            return pc.assume_timezone(column.cast(pa.timestamp("us")), "UTC")
        if pa.types.is_string(kind) or pa.types.is_large_string(kind):
            return _parse_times(column)
    except pa.ArrowException as error:
        message = f"{display}: time column '{name}' cannot be read as times ({error})"
        raise InputError(message) from None
    raise InputError(
        f"{display}: time column '{name}' is {kind}, expected a timestamp, date or ISO 8601 string"
    )


def _parse_times(column: pa.Array | pa.ChunkedArray) -> pa.Array:
    for fmt in ("%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d %H:%M:%S%z"):
        try:
            return pc.strptime(column, format=fmt, unit="us", error_is_null=False).cast(UTC_MICROS)
        except pa.ArrowInvalid:
            pass
    return pc.assume_timezone(column.cast(pa.timestamp("us")), "UTC")


def rows_per_batch(plan_: Plan, text: Sequence[str], batch_rows: int, batch_bytes: int) -> int:
    """Rows to read at a time: ``batch_rows``, fewer when the row groups' text (uncompressed,
    from the footer) would make a batch larger than ``batch_bytes``.
    """
    metadata = plan_.file.metadata
    names = plan_.file.schema_arrow.names
    indices = [
        i for i in range(metadata.num_columns)
        if metadata.schema.column(i).path.split(".")[0] in text and
        metadata.schema.column(i).path.split(".")[0] in names
    ]  # fmt: skip
    widest = 0.0
    for g in range(metadata.num_row_groups):
        group = metadata.row_group(g)
        if group.num_rows:
            size = sum(group.column(i).total_uncompressed_size for i in indices)
            widest = max(widest, size / group.num_rows)
    if widest <= 0:
        return batch_rows
    return max(1, min(batch_rows, int(batch_bytes // widest)))


def _text_bytes(batch: pa.RecordBatch, text: Sequence[str]) -> np.ndarray | None:
    """Bytes of text per row (all text columns), or None when the batch has no text column."""
    sizes: np.ndarray | None = None
    for name in text:
        if name not in batch.schema.names:
            continue
        column = decoded(pa.chunked_array([batch.column(name)]))
        if column.type in (pa.string_view(), pa.binary_view()):  # no length kernel for views
            column = column.cast(pa.large_binary())
        lengths = pc.fill_null(pc.binary_length(column), 0).to_numpy(zero_copy_only=False)
        sizes = lengths.astype(np.int64) if sizes is None else sizes + lengths
    return sizes


def split_by_bytes(
    batch: pa.RecordBatch, text: Sequence[str], batch_bytes: int
) -> Iterator[pa.RecordBatch]:
    """The batch cut (zero-copy) into runs of rows of at most ``batch_bytes`` of text each (a
    single row larger than that is a batch of its own).
    """
    sizes = _text_bytes(batch, text)
    if sizes is None or batch.num_rows <= 1 or int(sizes.sum()) <= batch_bytes:
        yield batch
        return
    ends = np.cumsum(sizes)
    start = 0
    while start < batch.num_rows:
        before = int(ends[start - 1]) if start else 0
        end = int(np.searchsorted(ends, before + batch_bytes, side="right"))
        end = max(end, start + 1)
        yield batch.slice(start, end - start)
        start = end


_END = object()


def _as_input_error(inp: Input, error: BaseException) -> InputError:
    if isinstance(error, InputError):
        return error
    reason = str(error).splitlines()[0] if str(error) else type(error).__name__
    return InputError(f"{inp.display}: cannot read ({reason})")


class Reader:
    """Opens and reads ``inputs`` in order in one background thread, ahead of the consumer.

    For each input, in the same order: ``open(inp)`` (its plan, or InputError), then
    ``batches(inp)`` (its rows with partition columns added, or InputError midway).
    """

    def __init__(
        self,
        inputs: Sequence[Input],
        columns: Columns,
        batch_rows: int,
        batch_bytes: int,
        prefetch: int = 2,
    ) -> None:
        self._queue: queue.Queue[tuple[Input, list[object]]] = queue.Queue(maxsize=prefetch)
        self._events: list[object] = []
        self._stop = threading.Event()
        self._inputs = list(inputs)
        self._columns = columns
        self._batch_rows = batch_rows
        self._batch_bytes = batch_bytes
        self._thread = threading.Thread(target=self._produce, name="read", daemon=True)
        self._thread.start()

    def _put(self, item: tuple[Input, list[object]]) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _produce(self) -> None:
        # Events go out in bundles holding at most one batch ([plan, batch, end] for a small
        # file): one hand-over between threads per batch, not three per file.
        for inp in self._inputs:
            if not self._read(inp):
                return

    def _read(self, inp: Input) -> bool:
        """Reads one input into the queue; False when reading was stopped."""
        text = self._columns.text
        try:
            plan_ = plan(inp, self._columns)
        except BaseException as error:
            return self._put((inp, [_as_input_error(inp, error)]))
        bundle: list[object] = [plan_]
        partitions = {
            k: v for k, v in inp.partitions.items() if k not in plan_.file.schema_arrow.names
        }
        rows = rows_per_batch(plan_, text, self._batch_rows, self._batch_bytes)
        # Arrow's thread pool costs ~0.4 ms a file, more than it saves on small files.
        threads = inp.size >= PARALLEL_DECODE_BYTES
        try:
            for batch in plan_.file.iter_batches(
                batch_size=rows, columns=plan_.read, use_threads=threads
            ):
                for key, value in partitions.items():
                    batch = batch.append_column(
                        key, pa.array([value] * batch.num_rows, pa.string())
                    )
                for piece in split_by_bytes(batch, text, self._batch_bytes):
                    if any(isinstance(e, pa.RecordBatch) for e in bundle):
                        if not self._put((inp, bundle)):
                            return False
                        bundle = []
                    bundle.append(piece)
            bundle.append(_END)
        except BaseException as error:
            bundle.append(_as_input_error(inp, error))
        finally:
            plan_.file.close(force=True)  # an object store's stream too (opened by plan)
        return self._put((inp, bundle))

    def _next(self, inp: Input) -> object:
        if not self._events:
            got, self._events = self._queue.get()
            assert got is inp, f"read {got.display} while {inp.display} was expected"
            self._events.reverse()
        return self._events.pop()

    def open(self, inp: Input) -> Plan:
        item = self._next(inp)
        if isinstance(item, InputError):
            raise item
        assert isinstance(item, Plan)
        return item

    def batches(self, inp: Input) -> Iterator[pa.RecordBatch]:
        while True:
            item = self._next(inp)
            if item is _END:
                return
            if isinstance(item, InputError):
                raise item
            assert isinstance(item, pa.RecordBatch)
            yield item

    def close(self) -> None:
        """Stops reading ahead (after an error or an interrupt)."""
        self._stop.set()
        while self._thread.is_alive():
            try:
                self._queue.get_nowait()
            except queue.Empty:
                self._thread.join(timeout=0.05)
