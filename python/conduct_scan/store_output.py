"""Outputs in an object store: ``--out s3://bucket/audits/nightly`` (and ``gs://``, fsspec).

Object stores have no atomic rename and no appends, so a run into a URL works in a local
*staging* directory (a fresh temporary directory, ``$CONDUCT_SCAN_STAGING`` or the system's)
with the ordinary journal and parts of ``write.py``, mirrored to the store at every journal
write in this order:

1. the parts the journal names that are new or were rewritten are uploaded under the
   temporary prefix ``OUT/.tmp/<run>/`` and moved to ``OUT/violations/``, ``OUT/accounts/``;
2. ``OUT/journal.jsonl`` is put whole: this object, written last, is what makes inputs
   complete (a PUT replaces an object atomically: readers see the old or the new journal);
3. parts the journal no longer names are deleted.

A run killed at any point leaves the store with the journal of its last commit and possibly
parts no commit names; the next run removes those (and ``OUT/.tmp/``) at start and redoes
exactly the inputs that were not committed, as on a local disk. Uploaded parts are removed
from the staging area, so it holds the parts of one commit, not the whole output; a drop
fetches the parts it rewrites.

The lock of a local output (``flock``) becomes a *lease*: the object ``OUT/.lease`` names the
holder (host, pid, run id) and an expiry, renewed every third of ``$CONDUCT_SCAN_LEASE_SECONDS``
(default 60). A lease whose holder is a dead process on this host, or whose expiry has passed,
is taken over; otherwise the run fails with exit 4 (or waits ``--wait-lock``). Before each
journal write the holder checks that the lease is still its own and unexpired, else it stops.
Limits: stores offer no compare-and-swap here, so two runs starting within the same fraction
of a second on different hosts can both take the lease (a read-back after a pause narrows it,
and the loser stops at its next renewal or commit); a run paused longer than the expiry (a
suspended VM) loses its lease.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.fs as pafs

from conduct_scan import store
from conduct_scan.errors import InputError, OutputLockedError, OutputWriteError, ScanError
from conduct_scan.write import ACCOUNTS, JOURNAL, MIRRORS, VIOLATIONS, Journal

LEASE = ".lease"
TMP_PREFIX = ".tmp"
SETTLE_SECONDS = 0.3
"""Pause between writing the lease and reading it back (another writer's PUT shows by then)."""
DEFAULT_LEASE_SECONDS = 60.0


def lease_seconds() -> float:
    """The lease's expiry (``$CONDUCT_SCAN_LEASE_SECONDS``, at least 3 s)."""
    try:
        return max(float(os.environ.get("CONDUCT_SCAN_LEASE_SECONDS", DEFAULT_LEASE_SECONDS)), 3.0)
    except ValueError:
        return DEFAULT_LEASE_SECONDS


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Lease:
    """The lease object ``OUT/.lease`` of one run; renewed in a background thread."""

    def __init__(self, filesystem: pafs.FileSystem, root: str, url: str) -> None:
        self.fs = filesystem
        self.path = f"{root}/{LEASE}"
        self.url = url
        self.ttl = lease_seconds()
        self.me = {"run": uuid.uuid4().hex, "host": socket.gethostname(), "pid": os.getpid()}
        self.valid_until = 0.0
        self.lost: str | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _read(self) -> dict[str, Any] | None:
        def get() -> bytes | None:
            if self.fs.get_file_info(self.path).type == pafs.FileType.NotFound:
                return None
            with self.fs.open_input_stream(self.path) as stream:
                return bytes(stream.read())

        raw = store.checked(self.url, "cannot read the lease", get)
        if raw is None:
            return None
        try:
            value = json.loads(raw)
        except ValueError:
            return None  # a lease cut short cannot hold anything
        return value if isinstance(value, dict) else None

    def _write(self) -> None:
        now = time.time()
        record = {**self.me, "renewed_at": now, "expires_at": now + self.ttl}
        data = json.dumps(record).encode()

        def put() -> None:
            with self.fs.open_output_stream(self.path) as stream:
                stream.write(data)

        store.checked(self.url, "cannot write the lease", put)
        self.valid_until = now + self.ttl

    def _takeable(self, held: dict[str, Any] | None) -> bool:
        if held is None or held.get("run") == self.me["run"]:
            return True
        if float(held.get("expires_at", 0)) <= time.time():
            return True
        # A holder on this host that is gone (kill -9) left it: no need to wait for expiry.
        return held.get("host") == self.me["host"] and not _pid_alive(int(held.get("pid", 0)))

    def acquire(self, wait_seconds: float) -> None:
        deadline = time.monotonic() + max(wait_seconds, 0.0)
        while True:
            held = self._read()
            if self._takeable(held):
                self._write()
                time.sleep(SETTLE_SECONDS)
                held = self._read()
                if held is not None and held.get("run") == self.me["run"]:
                    break
            if time.monotonic() >= deadline:
                if held is None:  # written, yet not there to read back
                    raise OutputLockedError(
                        f"{store.shown(self.url)}: cannot take the lease "
                        f"{LEASE} (it does not read back)"
                    )
                left = max(float(held.get("expires_at", 0)) - time.time(), 0)
                waited = f" after waiting {wait_seconds:g} s" if wait_seconds > 0 else ""
                raise OutputLockedError(
                    f"{store.shown(self.url)}: in use by another conduct-scan process (pid "
                    f"{held.get('pid')} on {held.get('host')}, lease expires in {left:.0f} s)"
                    f"{waited}; wait for it to finish or pass --wait-lock SECONDS"
                )
            time.sleep(min(0.5, max(deadline - time.monotonic(), 0.05)))
        self._thread = threading.Thread(target=self._renew, name="lease", daemon=True)
        self._thread.start()

    def _renew(self) -> None:
        while not self._stop.wait(self.ttl / 3):
            try:
                held = self._read()
                if held is not None and held.get("run") != self.me["run"]:
                    self.lost = f"taken over by pid {held.get('pid')} on {held.get('host')}"
                    return
                self._write()
            except store.StoreError:
                continue  # retried at the next tick; check() stops the run once it expires

    def check(self) -> None:
        """Raises OutputLockedError when the lease is no longer this run's."""
        if self.lost is None and time.time() >= self.valid_until - 1.0:
            self.lost = "expired (renewals failed)"
        if self.lost is not None:
            raise OutputLockedError(
                f"{store.shown(self.url)}: lost the lease ({self.lost}); stopped before the next "
                "commit, run the same command again to finish"
            )

    def release(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self.lost is None:
            with contextlib.suppress(OSError, pa.ArrowException):
                held = self._read()
                if held is not None and held.get("run") == self.me["run"]:
                    self.fs.delete_file(self.path)


class RemoteOutput:
    """An output directory in a store, mirrored from a local staging directory."""

    def __init__(self, url: str, staging: Path) -> None:
        self.url = store.shown(url)
        self.fs, self.root = store.resolve(url)
        self.staging = staging
        self.run = f"{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}-{os.getpid()}"
        self.remote_parts: set[str] = set()
        self.fetched: dict[str, tuple[int, int]] = {}
        """Part -> (size, mtime_ns) of the copy fetched (not to be uploaded back unchanged)."""
        self.lease: Lease | None = None

    def _key(self, relative: str) -> str:
        return f"{self.root}/{relative}"

    def _checked(self, relative: str, what: str, call: Any) -> Any:
        try:
            return call()
        except (OSError, pa.ArrowException) as error:
            message = f"{store.join(self.url, relative)}: {what} ({store.reason(error)})"
            raise OutputWriteError(message) from None

    # --- start ------------------------------------------------------------------------------

    def open(self, wait_seconds: float) -> None:
        """Checks the bucket, takes the lease, brings the journal into the staging area and
        removes what an interrupted run left (its temporary prefix).
        """
        try:
            exists = store.bucket_exists(self.fs, self.root)
        except (OSError, pa.ArrowException) as error:
            raise ScanError(f"{self.url}: cannot open the output ({store.reason(error)})") from None
        if not exists:
            bucket = self.root.split("/", 1)[0]
            raise ScanError(
                f"{self.url}: cannot open the output (bucket '{bucket}' does not exist)"
            )
        self.lease = Lease(self.fs, self.root, self.url)
        self.lease.acquire(wait_seconds)
        selector = pafs.FileSelector(self.root, recursive=True, allow_not_found=True)
        infos = store.checked(
            self.url, "cannot list the output", lambda: self.fs.get_file_info(selector)
        )
        for info in infos:
            relative = info.path[len(self.root) + 1 :]
            if relative == TMP_PREFIX:  # what an interrupted run was uploading
                self._checked(relative, "cannot delete", lambda p=info.path: self.fs.delete_dir(p))
            if info.type != pafs.FileType.File or relative.startswith(TMP_PREFIX + "/"):
                continue
            if relative.split("/", 1)[0] in (VIOLATIONS, ACCOUNTS) and "/" in relative:
                self.remote_parts.add(relative)
            elif relative == JOURNAL:
                self._download(relative)

    def _download(self, relative: str) -> None:
        target = self.staging / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        self._checked(
            relative,
            "cannot read",
            lambda: pafs.copy_files(
                self._key(relative),
                str(target),
                source_filesystem=self.fs,
                destination_filesystem=pafs.LocalFileSystem(),
            ),
        )

    def _upload(self, relative: str, final: str | None = None) -> None:
        """Uploads a staged file under the temporary prefix, then moves it to ``final``."""
        source = self.staging / relative
        tmp = self._key(f"{TMP_PREFIX}/{self.run}/{relative}")
        target = self._key(final or relative)

        def put() -> None:
            pafs.copy_files(
                str(source),
                tmp,
                source_filesystem=pafs.LocalFileSystem(),
                destination_filesystem=self.fs,
            )
            self.fs.move(tmp, target)

        self._checked(relative, "cannot write", put)

    def _put(self, relative: str) -> None:
        """Puts a staged file in one request (atomic for a reader)."""
        data = (self.staging / relative).read_bytes()

        def put() -> None:
            with self.fs.open_output_stream(self._key(relative)) as stream:
                stream.write(data)

        self._checked(relative, "cannot write", put)

    # --- the mirror protocol (write.Mirror) -------------------------------------------------

    def fetch(self, relative: str) -> None:
        local = self.staging / relative
        if local.exists() or relative not in self.remote_parts:
            return
        self._download(relative)
        stat = local.stat()
        self.fetched[relative] = (stat.st_size, stat.st_mtime_ns)

    def push(self, journal: Journal) -> None:
        assert self.lease is not None
        self.lease.check()
        named = set(journal.members)
        for relative in sorted(named):
            local = self.staging / relative
            try:
                stat = local.stat()
            except FileNotFoundError:
                continue  # in the store already, unchanged
            if self.fetched.get(relative) == (stat.st_size, stat.st_mtime_ns):
                continue
            self._upload(relative)
            self.remote_parts.add(relative)
            self.fetched.pop(relative, None)
            local.unlink()
        if (self.staging / JOURNAL).exists():
            self._put(JOURNAL)
        for relative in sorted(self.remote_parts - named):
            self._checked(
                relative, "cannot delete", lambda r=relative: self.fs.delete_file(self._key(r))
            )
            self.remote_parts.discard(relative)

    # --- end --------------------------------------------------------------------------------

    def finish(self) -> None:
        """Uploads the run's manifest and ruleset (after the journal: they only describe)."""
        for name in ("ruleset.json", "manifest.json"):
            if (self.staging / name).exists():
                self._put(name)
        self.remove_tmp()

    def remove_tmp(self) -> None:
        """Removes the temporary prefix (emptied by the moves; stores that keep directories
        would keep it). Only the lease holder writes there.
        """
        with contextlib.suppress(OSError, pa.ArrowException):
            self.fs.delete_dir(self._key(TMP_PREFIX))

    def clear(self) -> None:
        """``--fresh``: deletes every earlier result in the store (under the lease)."""
        for name in (VIOLATIONS, ACCOUNTS, "report", "report-redacted"):
            key = self._key(name)
            with contextlib.suppress(FileNotFoundError):
                if self.fs.get_file_info(key).type == pafs.FileType.Directory:
                    self._checked(name, "cannot delete", lambda k=key: self.fs.delete_dir(k))
        for name in (JOURNAL, "manifest.json", "ruleset.json"):
            key = self._key(name)
            if self.fs.get_file_info(key).type == pafs.FileType.File:
                self._checked(name, "cannot delete", lambda k=key: self.fs.delete_file(k))
        self.remote_parts.clear()
        (self.staging / JOURNAL).unlink(missing_ok=True)

    def release(self) -> None:
        if self.lease is not None:
            self.lease.release()


@contextlib.contextmanager
def remote_output(url: str, wait_seconds: float = 0.0, *, fresh: bool = False) -> Iterator[Path]:
    """Holds the lease of the output ``url`` and yields its staging directory, mirrored to
    the store at every journal write while registered; the staging area is removed after.
    """
    base = os.environ.get("CONDUCT_SCAN_STAGING") or None
    if base:
        Path(base).mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix="conduct-scan-out-", dir=base))
    output = RemoteOutput(url, staging)
    try:
        output.open(wait_seconds)
        if fresh:
            output.clear()
        MIRRORS[staging] = output
        try:
            yield staging
        except BaseException:
            del MIRRORS[staging]
            with contextlib.suppress(Exception):  # the first error is the one to report
                output.finish()
            raise
        del MIRRORS[staging]
        output.finish()
    finally:
        output.release()
        shutil.rmtree(staging, ignore_errors=True)


@contextlib.contextmanager
def remote_report_source(url: str, wait_seconds: float = 0.0) -> Iterator[Path]:
    """For ``report``: the committed output at ``url`` brought into a staging directory (the
    journal, manifest, ruleset and the parts the journal names), under the lease. Yields it;
    ``upload_report`` puts the report written there back.
    """
    base = os.environ.get("CONDUCT_SCAN_STAGING") or None
    staging = Path(tempfile.mkdtemp(prefix="conduct-scan-report-", dir=base))
    output = RemoteOutput(url, staging)
    try:
        output.open(wait_seconds)
        if not (staging / JOURNAL).exists():
            raise InputError(f"{output.url}: not a conduct-scan output (no {JOURNAL} there)")
        for name in ("manifest.json", "ruleset.json"):
            if output.fs.get_file_info(output._key(name)).type == pafs.FileType.File:
                output._download(name)
        journal = Journal.open(staging)
        for part in journal.members:
            output.fetch(part)
        yield staging
    finally:
        output.release()
        shutil.rmtree(staging, ignore_errors=True)


def upload_report(url: str, directory: Path) -> str:
    """Puts a report directory written in a staging area into the store, replacing the one
    there (files are uploaded under the temporary prefix and moved; old files not in the new
    report are deleted last). Returns the report's URL.
    """
    output = RemoteOutput(url, directory.parent)
    name = directory.name
    files = sorted(
        p.relative_to(directory.parent).as_posix() for p in directory.rglob("*") if p.is_file()
    )
    for relative in files:
        output._upload(relative)
    selector = pafs.FileSelector(output._key(name), recursive=True, allow_not_found=True)
    for info in output.fs.get_file_info(selector):
        relative = info.path[len(output.root) + 1 :]
        if info.type == pafs.FileType.File and relative not in files:
            output._checked(relative, "cannot delete", lambda p=info.path: output.fs.delete_file(p))
    output.remove_tmp()
    return store.join(output.url, name)


def write_report_at(url: str, wait_lock: float = 0.0, **options: Any) -> str:
    """``report`` for an output in a store: reads its committed results under the lease,
    writes the report (``conduct_scan.report.write_report`` with ``options``) and puts it
    back in the store. Returns the URL of the report directory.
    """
    from conduct_scan.report.write import write_report

    with remote_report_source(url, wait_lock) as staging:
        directory = write_report(staging, **options)
        return upload_report(url, directory)
