"""Reading archives: finding the Parquet files, checking their columns, streaming their rows.

An archive is one or more files, directories (searched recursively; hive partitions such as
``date=2026-11-29/`` become columns) and glob patterns. Files are read one at a time, batch by
batch, in a background thread, so reading the next batch overlaps scanning the current one (the
scanner releases the GIL) and memory depends on the batch size, not on the archive.
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

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from conduct_scan.errors import InputError

PARQUET_SUFFIXES = (".parquet", ".parq", ".pq")
# Partition keys that hold a day, used to skip partitions outside --since/--until unread.
DAY_KEYS = ("date", "day", "dt")
TEXT_TYPES = (pa.string(), pa.large_string(), pa.string_view())
BINARY_TYPES = (pa.binary(), pa.large_binary(), pa.binary_view())
UTC_MICROS = pa.timestamp("us", tz="UTC")


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

    @property
    def key(self) -> str:
        """A stable, file-name-safe id for this input's output parts."""
        name = self.relative or self.path.name
        name = name[: -len(self.path.suffix)] if self.path.suffix else name
        stem = re.sub(r"[^A-Za-z0-9=._-]+", "_", name.replace(os.sep, "__"))[-80:]
        digest = hashlib.sha256(str(self.path).encode()).hexdigest()[:10]
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
        if glob.has_magic(text):
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
    try:
        # pre_buffer would cache the column chunks of every row group read so far: memory
        # would grow with the file instead of staying at one batch.
        file = pq.ParquetFile(inp.path, pre_buffer=False, buffer_size=1 << 20)
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
            if kind not in TEXT_TYPES and kind not in BINARY_TYPES:
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


def batches(
    inp: Input, plan_: Plan, batch_size: int, prefetch: int = 2
) -> Iterator[pa.RecordBatch]:
    """The input's rows, ``batch_size`` at a time, with partition columns added; read ahead in a
    background thread (at most ``prefetch`` batches waiting).
    """
    partition_columns = {
        k: v for k, v in inp.partitions.items() if k not in plan_.file.schema_arrow.names
    }
    source = plan_.file.iter_batches(batch_size=batch_size, columns=plan_.read)

    def with_partitions(batch: pa.RecordBatch) -> pa.RecordBatch:
        for key, value in partition_columns.items():
            batch = batch.append_column(key, pa.array([value] * batch.num_rows, pa.string()))
        return batch

    waiting: queue.Queue[pa.RecordBatch | BaseException | None] = queue.Queue(maxsize=prefetch)
    stop = threading.Event()

    def produce() -> None:
        try:
            for batch in source:
                if stop.is_set():
                    return
                waiting.put(with_partitions(batch))
            waiting.put(None)
        except BaseException as error:  # delivered to the consumer, which re-raises it
            waiting.put(error)

    thread = threading.Thread(target=produce, name=f"read {inp.display}", daemon=True)
    thread.start()
    try:
        while True:
            item = waiting.get()
            if item is None:
                return
            if isinstance(item, BaseException):
                reason = str(item).splitlines()[0] if str(item) else type(item).__name__
                raise InputError(f"{inp.display}: cannot read ({reason})") from None
            yield item
    finally:
        stop.set()
        while thread.is_alive():
            try:
                waiting.get_nowait()
            except queue.Empty:
                thread.join(timeout=0.05)
