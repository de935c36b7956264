"""Writing audit results: one writer per output directory, nothing half-written, exact resume.

- ``OUT/.lock`` is held (``flock``) by the one process writing ``OUT``; the kernel releases it
  when the process ends, however it ends, so a ``kill -9`` never leaves a stale lock.
- Rows go into shared parts (``violations/<run>-<n>.parquet``, ``accounts/...``), written under a
  temporary name (``*.tmp``) and renamed into place when complete: many small inputs make a few
  parts of a useful size instead of two files each.
- ``OUT/journal.jsonl`` is the only record of which inputs are complete: one JSON line per
  *commit*, appended and fsynced after the parts it names are sealed, listing the inputs whose
  rows those parts hold. A line cut short by a kill is ignored. At start, parts that no commit
  names are leftovers of an interrupted run and are removed, so the next run redoes exactly the
  inputs that were not committed.
- An input to be redone (its file or the run's options changed) is *dropped*: a ``drop`` line,
  then its rows are filtered out of the parts it shares (``source_file`` names it; the display
  names of one run are unique). A drop interrupted midway is finished at the next start.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from conduct_scan.errors import OutputLockedError, OutputWriteError, ScanError

VIOLATIONS = "violations"
ACCOUNTS = "accounts"
JOURNAL = "journal.jsonl"
LOCK = ".lock"
TMP_SUFFIX = ".tmp"
LEGACY_STATE = ".state"
"""Per-input state files of versions before the journal; removed (their inputs are redone)."""
PART_BYTES = 64 << 20
"""A part is sealed once it holds this much (compressed); the next rows start a new one."""
ROW_GROUP_ROWS = 65_536
"""Rows buffered (from one or many inputs) before they are written as a row group."""

VIOLATIONS_SCHEMA = pa.schema(
    [
        ("post_id", pa.string()),
        ("account_id", pa.string()),
        ("account_type", pa.string()),
        ("created_at", pa.timestamp("us", tz="UTC")),
        ("field", pa.string()),
        ("rule_id", pa.string()),
        ("clause_id", pa.string()),
        ("severity", pa.string()),
        ("confidence", pa.float32()),
        ("view", pa.string()),
        ("start", pa.int64()),
        ("end", pa.int64()),
        ("matched", pa.string()),
        ("term", pa.string()),
        ("context", pa.string()),
        ("context_start", pa.int32()),
        ("source_file", pa.string()),
        ("row", pa.int64()),
    ]
)

# Columns with few distinct values get dictionary encoding; ids, evidence and context do not
# (trying a dictionary on unique strings costs time for nothing).
DICTIONARY_COLUMNS = {
    "violations": ["account_type", "field", "rule_id", "clause_id", "severity", "view", "term",
                   "source_file"],
    "accounts": ["account_type", "source_file"],
}  # fmt: skip

ACCOUNTS_SCHEMA = pa.schema(
    [
        ("account_id", pa.string()),
        ("account_type", pa.string()),
        ("day", pa.date32()),
        ("posts", pa.int64()),
        ("source_file", pa.string()),
    ]
)
SCHEMAS = {VIOLATIONS: VIOLATIONS_SCHEMA, ACCOUNTS: ACCOUNTS_SCHEMA}


class Mirror(Protocol):
    """A remote copy of an output directory kept by ``conduct_scan.store_output``: the local
    directory is its staging area.
    """

    url: str

    def fetch(self, relative: str) -> None:
        """Brings the committed part ``relative`` (``violations/NAME``) into the staging area."""

    def push(self, journal: Journal) -> None:
        """Uploads the parts the journal names that changed, then the journal (the commit
        point), then deletes the parts it no longer names.
        """


MIRRORS: dict[Path, Mirror] = {}
"""Staging directory -> the remote output it mirrors (registered by store_output)."""


def shown_out(out: Path) -> str:
    """An output directory as users know it: the URL of the one a staging area mirrors."""
    mirror = MIRRORS.get(out)
    return mirror.url if mirror is not None else str(out)


def write_failed(path: Path, error: BaseException) -> OutputWriteError:
    """The one-line error for an output file that cannot be written."""
    code = getattr(error, "errno", None)
    if code is None and "[errno " in str(error).lower():  # Arrow puts errno in the message only
        with contextlib.suppress(ValueError):
            code = int(str(error).lower().split("[errno ")[-1].split("]")[0])
    reason = os.strerror(code) if code else (str(error).splitlines() or [type(error).__name__])[0]
    return OutputWriteError(f"{path}: cannot write ({reason})")


def _is_write_error(error: BaseException) -> bool:
    return isinstance(error, OSError | pa.ArrowException) and not isinstance(
        error, FileNotFoundError
    )


# --- the lock ---------------------------------------------------------------------------------


@contextlib.contextmanager
def output_lock(out: Path, wait_seconds: float = 0.0, *, create: bool = True) -> Iterator[None]:
    """Holds the exclusive lock of ``out`` (``OUT/.lock``), waiting up to ``wait_seconds``.

    Raises OutputLockedError naming ``out`` and the pid of the holder when it stays taken.
    """
    try:
        if create:
            out.mkdir(parents=True, exist_ok=True)
        fd = os.open(out / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as error:
        raise ScanError(f"{out}: cannot write the output directory ({error.strerror})") from None
    try:
        deadline = time.monotonic() + max(wait_seconds, 0.0)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
                    waited = f" after waiting {wait_seconds:g} s" if wait_seconds > 0 else ""
                    raise OutputLockedError(
                        f"{out}: in use by another conduct-scan process (pid {holder}){waited}; "
                        "wait for it to finish or pass --wait-lock SECONDS"
                    ) from None
                time.sleep(min(0.05, max(deadline - time.monotonic(), 0.001)))
        with contextlib.suppress(OSError):  # only informative: who holds it
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # releases the lock; the file stays (unlinking it would race other runs)


# --- files ------------------------------------------------------------------------------------


def _fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_json(path: Path, data: Any, *, indent: int | None = 2) -> None:
    """Writes JSON atomically; raises OutputWriteError naming the file."""
    tmp = path.with_name(path.name + TMP_SUFFIX)
    try:
        tmp.write_text(json.dumps(data, indent=indent, ensure_ascii=False) + "\n", "utf-8")
        os.replace(tmp, path)
    except OSError as error:
        tmp.unlink(missing_ok=True)
        raise write_failed(path, error) from None


def write_text(path: Path, text: str) -> None:
    """Writes a text file atomically; raises OutputWriteError naming the file."""
    tmp = path.with_name(path.name + TMP_SUFFIX)
    try:
        tmp.write_text(text, "utf-8")
        os.replace(tmp, path)
    except OSError as error:
        tmp.unlink(missing_ok=True)
        raise write_failed(path, error) from None


def _without_rows_of(path: Path, source_file: str) -> None:
    """Rewrites a part without the rows of one input (or removes it if nothing is left)."""
    if not path.exists():
        return
    names = pq.read_schema(path).names
    if "source_file" not in names:
        return
    present = pq.read_table(path, columns=["source_file"]).column("source_file")
    if not pc.any(pc.equal(present, source_file)).as_py():
        return
    table = pq.read_table(path)
    kept = table.filter(pc.fill_null(pc.not_equal(table.column("source_file"), source_file), True))
    if kept.num_rows == 0:
        path.unlink()
        return
    tmp = path.with_name(path.name + TMP_SUFFIX)
    try:
        pq.write_table(kept, tmp, compression="zstd",
                       use_dictionary=DICTIONARY_COLUMNS.get(path.parent.name, True))  # fmt: skip
        _fsync_file(tmp)
        os.replace(tmp, path)
    except (OSError, pa.ArrowException) as error:
        tmp.unlink(missing_ok=True)
        raise write_failed(path, error) from None


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# --- the journal ------------------------------------------------------------------------------


@dataclass
class Journal:
    """The inputs complete in ``out`` (``journal.jsonl``) and the parts holding their rows."""

    out: Path
    done: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Input key -> its entry (path, size, mtime_ns, fingerprint, parts, result)."""
    members: dict[str, set[str]] = field(default_factory=dict)
    """Part (``violations/NAME``) -> keys of the committed inputs with rows in it."""
    lines: int = 0

    @property
    def path(self) -> Path:
        return self.out / JOURNAL

    @classmethod
    def open(cls, out: Path) -> Journal:
        """Loads the journal, finishes interrupted drops, removes parts no commit names."""
        journal = cls(out)
        unfinished: list[tuple[str, str]] = []  # (part, source_file) to filter out
        try:
            raw = journal.path.read_bytes()
        except FileNotFoundError:
            raw = b""
        except OSError as error:
            raise ScanError(f"{journal.path}: cannot read the journal ({error.strerror})") from None
        complete = raw[: raw.rfind(b"\n") + 1]  # a line cut short by a kill is not a record
        for line in complete.splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                continue
            journal.lines += 1
            if "commit" in record:
                for entry in record.get("inputs", []):
                    journal._forget(entry["key"], unfinished)
                    journal.done[entry["key"]] = entry
                    for part in entry.get("parts", []):
                        journal.members.setdefault(part, set()).add(entry["key"])
            elif "drop" in record:
                for key in record["drop"]:
                    journal._forget(key, unfinished)
        try:
            if len(complete) != len(raw):
                with open(journal.path, "r+b") as handle:
                    handle.truncate(len(complete))
            for part, source in unfinished:
                if journal.members.get(part):
                    journal._fetch(part)
                    _without_rows_of(out / part, source)
            journal._remove_unnamed_parts()
        except OSError as error:
            raise write_failed(journal.path, error) from None
        if unfinished or journal.lines > 2 * len(journal.done) + 100:
            journal.compact()
        journal._sync()
        return journal

    def _fetch(self, part: str) -> None:
        mirror = MIRRORS.get(self.out)
        if mirror is not None:
            mirror.fetch(part)

    def _sync(self) -> None:
        mirror = MIRRORS.get(self.out)
        if mirror is not None:
            mirror.push(self)

    def _forget(self, key: str, unfinished: list[tuple[str, str]]) -> None:
        entry = self.done.pop(key, None)
        if entry is None:
            return
        for part in entry.get("parts", []):
            keys = self.members.get(part)
            if keys is not None:
                keys.discard(key)
                unfinished.append((part, entry["result"]["path"]))

    def _remove_unnamed_parts(self) -> None:
        for sub in (VIOLATIONS, ACCOUNTS):
            for part in (self.out / sub).glob("*.parquet"):
                if not self.members.get(f"{sub}/{part.name}"):
                    part.unlink(missing_ok=True)
        self.members = {part: keys for part, keys in self.members.items() if keys}

    def _append(self, record: dict[str, Any]) -> None:
        data = (json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode()
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        except OSError as error:
            raise write_failed(self.path, error) from None
        size = os.fstat(fd).st_size
        try:
            # One write: a kill leaves the line whole or cut short (then ignored).
            if os.write(fd, data) != len(data):
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            os.fsync(fd)
        except OSError as error:
            # Not committed: the caller removes the parts, so the line must not stay.
            with contextlib.suppress(OSError):
                os.ftruncate(fd, size)
            raise write_failed(self.path, error) from None
        finally:
            os.close(fd)
        self.lines += 1

    def commit(self, parts: list[str], entries: list[dict[str, Any]]) -> None:
        """Records ``entries`` complete; ``parts`` (all sealed and fsynced) hold their rows."""
        self._append({"commit": parts, "inputs": entries})
        for entry in entries:
            self.done[entry["key"]] = entry
            for part in entry.get("parts", []):
                self.members.setdefault(part, set()).add(entry["key"])
        self._sync()

    def drop(self, keys: list[str]) -> None:
        """Marks inputs not complete and removes their rows from the parts they share."""
        keys = [k for k in keys if k in self.done]
        if not keys:
            return
        self._append({"drop": keys})
        unfinished: list[tuple[str, str]] = []
        for key in keys:
            self._forget(key, unfinished)
        try:
            for part, source in unfinished:
                if self.members.get(part):
                    self._fetch(part)
                    _without_rows_of(self.out / part, source)
                else:
                    (self.out / part).unlink(missing_ok=True)
        except OSError as error:
            raise write_failed(self.out / unfinished[0][0], error) from None
        self.members = {part: ks for part, ks in self.members.items() if ks}
        self._sync()

    def compact(self) -> None:
        """Rewrites the journal as the commits of the inputs complete now (atomically)."""
        entries = sorted(self.done.values(), key=lambda e: e["key"])
        lines = []
        for start in range(0, len(entries), 1000):
            chunk = entries[start : start + 1000]
            parts = sorted({p for e in chunk for p in e.get("parts", [])})
            record = {"commit": parts, "inputs": chunk}
            lines.append(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
        tmp = self.path.with_name(JOURNAL + TMP_SUFFIX)
        try:
            with open(tmp, "w", encoding="utf-8") as handle:
                handle.writelines(lines)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except OSError as error:
            tmp.unlink(missing_ok=True)
            raise write_failed(self.path, error) from None
        _fsync_dir(self.out)
        self.lines = len(lines)
        self._sync()


def prepare(out: Path) -> Journal:
    """Creates the output directory (the caller holds its lock), removes leftover temporary
    files and parts of uncommitted inputs; returns the journal.
    """
    try:
        for sub in (VIOLATIONS, ACCOUNTS):
            (out / sub).mkdir(parents=True, exist_ok=True)
        probe = out / f"probe{TMP_SUFFIX}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as error:
        raise ScanError(f"{out}: cannot write the output directory ({error.strerror})") from None
    for sub in (VIOLATIONS, ACCOUNTS, "."):
        for leftover in (out / sub).glob(f"*{TMP_SUFFIX}"):
            leftover.unlink(missing_ok=True)
    legacy = out / LEGACY_STATE
    if legacy.is_dir():
        for state in legacy.iterdir():
            state.unlink(missing_ok=True)
        legacy.rmdir()
    return Journal.open(out)


def clear_outputs(out: Path) -> None:
    """``--fresh``: removes every earlier result in ``out`` (the caller holds its lock)."""
    import shutil

    for name in (VIOLATIONS, ACCOUNTS, LEGACY_STATE, "report", "report-redacted"):
        shutil.rmtree(out / name, ignore_errors=True)
    for name in (JOURNAL, "manifest.json", "ruleset.json"):
        (out / name).unlink(missing_ok=True)


# --- parts ------------------------------------------------------------------------------------


class _Part:
    """The part of one kind (violations or accounts) being written. Rows are buffered up to
    ROW_GROUP_ROWS (a row group each, not one per small input), then written; the part is
    rolled over at ``part_bytes``.
    """

    def __init__(self, out: Path, sub: str, names: Iterator[str], part_bytes: int) -> None:
        self.out = out
        self.sub = sub
        self.names = names
        self.part_bytes = part_bytes
        self.sealed: list[str] = []
        self.name: str | None = None
        self._writer: pq.ParquetWriter | None = None
        self._buffer: list[tuple[tuple[str, ...], pa.Table]] = []
        self._buffered = 0
        self.in_file: set[str] = set()
        """Inputs with rows written to the open part's file (not only buffered)."""

    @property
    def tmp(self) -> Path:
        assert self.name is not None
        return self.out / self.sub / (self.name + TMP_SUFFIX)

    def write(self, table: pa.Table, displays: tuple[str, ...]) -> str:
        """Takes rows of some inputs; returns the part (``sub/NAME``) they will be in."""
        if self.name is None:
            self.name = next(self.names)
        self._buffer.append((displays, table))
        self._buffered += table.num_rows
        part = f"{self.sub}/{self.name}"
        if self._buffered >= ROW_GROUP_ROWS:
            self.flush()
            if _size(self.tmp) >= self.part_bytes:
                self.seal()
        return part

    def flush(self) -> None:
        """Writes the buffered rows as one row group."""
        if not self._buffer:
            return
        try:
            if self._writer is None:
                self._writer = pq.ParquetWriter(
                    self.tmp, SCHEMAS[self.sub], compression="zstd",
                    use_dictionary=DICTIONARY_COLUMNS.get(self.sub, True),
                )  # fmt: skip
            table = pa.concat_tables([t for _, t in self._buffer])
            self._writer.write_table(table, row_group_size=max(table.num_rows, 1))
        except (OSError, pa.ArrowException) as error:
            if not _is_write_error(error):
                raise
            raise write_failed(self.tmp, error) from None
        self.in_file.update(d for ds, _ in self._buffer for d in ds)
        self._buffer, self._buffered = [], 0

    def drop_buffered(self, display: str) -> None:
        """Forgets the buffered rows of one input (scanned alone: the one input of its rows)."""
        self._buffer = [(ds, t) for ds, t in self._buffer if display not in ds]
        self._buffered = sum(t.num_rows for _, t in self._buffer)

    def seal(self) -> None:
        """Writes what is buffered, closes the part, syncs it and renames it into place (not
        yet committed).
        """
        if self.name is None:
            return
        self.flush()
        if self._writer is None:  # nothing was written to it
            self.name = None
            return
        tmp = self.tmp
        try:
            self._writer.close()
            self._writer = None
            _fsync_file(tmp)
            os.replace(tmp, tmp.with_name(str(self.name)))
        except (OSError, pa.ArrowException) as error:
            self._writer = None
            raise write_failed(tmp, error) from None
        self.sealed.append(f"{self.sub}/{self.name}")
        self.name = None
        self.in_file = set()

    def abort(self) -> None:
        """Drops the part being written and the parts sealed since the last commit."""
        if self._writer is not None:
            with contextlib.suppress(Exception):
                self._writer.close()
            self._writer = None
        if self.name is not None:
            self.tmp.unlink(missing_ok=True)
            self.name = None
        for part in self.sealed:
            (self.out / part).unlink(missing_ok=True)
        self.sealed, self._buffer, self._buffered, self.in_file = [], [], 0, set()


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


class Parts:
    """The outputs of a run: inputs are written one after another into shared parts; ``commit``
    seals them and records the inputs written since the last commit in the journal.
    """

    def __init__(self, out: Path, journal: Journal, part_bytes: int = PART_BYTES) -> None:
        self.out = out
        self.journal = journal
        run = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        self.names = self._names(f"{run}-{os.getpid()}")
        self.parts = {sub: _Part(out, sub, self.names, part_bytes) for sub in SCHEMAS}
        self.pending: list[dict[str, Any]] = []
        self.rows_of: dict[str, set[str]] = {}
        """Input display name -> the parts its rows went to (this segment)."""

    def _names(self, run: str) -> Iterator[str]:
        n = 0
        while True:
            n += 1
            name = f"{run}-{n:05d}.parquet"
            if not any((self.out / sub / name).exists() for sub in SCHEMAS):
                yield name

    def write(self, sub: str, table: pa.Table, displays: list[str]) -> None:
        """Writes rows of the inputs ``displays`` (their ``source_file``)."""
        if table.num_rows:
            part = self.parts[sub].write(table, tuple(displays))
            for display in displays:
                self.rows_of.setdefault(display, set()).add(part)

    def parts_of(self, display: str) -> list[str]:
        return sorted(self.rows_of.get(display, ()))

    def finish(self, entry: dict[str, Any]) -> None:
        """An input is written completely; it is committed with the next ``commit``."""
        self.pending.append(entry)

    def commit(self) -> None:
        """Seals the open parts and records the pending inputs complete."""
        for part in self.parts.values():
            part.seal()
        sealed = [p for part in self.parts.values() for p in part.sealed if (self.out / p).exists()]
        if self.pending:
            for sub in SCHEMAS:
                _fsync_dir(self.out / sub)
            self.journal.commit(sealed, self.pending)
        else:
            for name in sealed:  # only rows of inputs that did not complete
                (self.out / name).unlink(missing_ok=True)
        for part in self.parts.values():
            part.sealed = []
        self.pending = []
        self.rows_of = {}

    def discard(self, display: str) -> None:
        """Removes the rows an unfinished input wrote (it failed or the run was interrupted)."""
        names = self.rows_of.pop(display, None)
        if names is None:
            return
        for part in self.parts.values():
            part.drop_buffered(display)
            if display in part.in_file:
                part.seal()
        for name in names:
            _without_rows_of(self.out / name, display)  # nothing to do if it was only buffered

    def abort(self) -> None:
        """After a write error: drops every uncommitted part (those inputs are redone)."""
        for part in self.parts.values():
            part.abort()
        self.pending = []
        self.rows_of = {}
