"""Archives and outputs in object stores, against a real S3 server (SeaweedFS, tests/seaweed.py).

The same hive-partitioned archive is scanned from a bucket and from local disk and must give
the same violations and account counts; an output in a bucket survives ``kill -9`` exactly;
wrong credentials, a missing bucket, a denied bucket and a store that never answers each end
in one line naming the URL and the store's error, with the other inputs still scanned.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import polars as pl
import pyarrow.fs as pafs
import pyarrow.parquet as pq
import pytest

from conduct_scan.demo import generate_archive
from conduct_scan.pipeline import scan_archive
from conduct_scan.report import write_report
from tests import seaweed

CLI = [sys.executable, "-m", "conduct_scan"]
EXIT_PARTIAL, EXIT_USAGE, EXIT_LOCKED = 3, 2, 4
RULES = """
[ruleset]
id = "store"
version = "1"
[[clause]]
id = "c"
title = "C"
[[rule]]
id = "ngu"
clause = "c"
terms = ["ngu", "đồ ngu", "lừa đảo"]
views = ["casefold", "fold"]
[[rule]]
id = "scam"
clause = "c"
patterns = ['vay\\s+tiền']
"""


@pytest.fixture(scope="module")
def s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[seaweed.S3Server]:
    started = seaweed.start(tmp_path_factory.mktemp("seaweed"))
    if isinstance(started, str):
        pytest.skip(started)
    try:
        yield started
    finally:
        seaweed.stop(started)


@pytest.fixture(scope="module")
def rules(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("rules") / "rules.toml"
    path.write_text(RULES, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Four day partitions of small files (commits at each day: kills land between them)."""
    path = tmp_path_factory.mktemp("archive")
    generate_archive(path, posts=16_000, days=4, rows_per_file=700, seed=18)
    return path


@pytest.fixture(scope="module")
def bucket(s3: seaweed.S3Server, archive: Path) -> str:
    """The archive in ``s3://archive/posts/``, and an empty bucket ``audits``."""
    filesystem = s3.filesystem()
    filesystem.create_dir("archive")
    filesystem.create_dir("audits")
    pafs.copy_files(
        str(archive),
        "archive/posts",
        source_filesystem=pafs.LocalFileSystem(),
        destination_filesystem=filesystem,
    )
    return "s3://archive/posts"


def _run(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *map(str, args)], capture_output=True, text=True, timeout=300, check=False, env=env
    )


def _scan(
    sources: list[str | Path],
    out: str | Path,
    rules: Path,
    *extra: str,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    return _run(
        "scan",
        *sources,
        "--out",
        out,
        "-r",
        rules,
        "-t",
        "title",
        "-t",
        "text",
        "-q",
        *extra,
        env=env,
    )


def _scan_here(sources: list[str | Path], out: Path, rules: Path, **options: str) -> None:
    """A local scan in this process (the reference; no interpreter to start)."""
    summary = scan_archive(sources, out, rules, text_columns=("title", "text"), **options)
    assert not summary.failed and not summary.source_problems


@pytest.fixture(scope="module")
def local(archive: Path, rules: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The archive scanned from local disk."""
    out = tmp_path_factory.mktemp("local") / "out"
    _scan_here([archive], out, rules)
    return out


def _download(s3: seaweed.S3Server, url: str, into: Path) -> Path:
    """The committed output at ``url``: the journal and the parts it names, as a directory."""
    filesystem = s3.filesystem()
    root = url.removeprefix("s3://")
    into.mkdir(parents=True)
    with filesystem.open_input_stream(f"{root}/journal.jsonl") as stream:
        journal = stream.read().decode()
    (into / "journal.jsonl").write_text(journal)
    for name in ("manifest.json", "ruleset.json"):
        pafs.copy_files(
            f"{root}/{name}",
            str(into / name),
            source_filesystem=filesystem,
            destination_filesystem=pafs.LocalFileSystem(),
        )
    named = {
        p
        for line in journal.splitlines()
        if line.strip()
        for e in json.loads(line).get("inputs", [])
        for p in e.get("parts", [])
    }
    for part in named:
        (into / part).parent.mkdir(exist_ok=True)
        pafs.copy_files(
            f"{root}/{part}",
            str(into / part),
            source_filesystem=filesystem,
            destination_filesystem=pafs.LocalFileSystem(),
        )
    return into


def _results(out: Path, prefix: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Violations and account counts, ``source_file`` relative to the archive's root."""

    def relative(frame: pl.DataFrame) -> pl.DataFrame:
        return frame.with_columns(pl.col("source_file").str.strip_prefix(prefix.rstrip("/") + "/"))

    violations = relative(pl.read_parquet(out / "violations" / "*.parquet"))
    violations = violations.sort(["source_file", "row", "field", "start", "rule_id", "view"])
    keys = ["source_file", "account_id", "account_type", "day"]
    accounts = relative(pl.read_parquet(out / "accounts" / "*.parquet"))
    accounts = accounts.group_by(keys).agg(pl.col("posts").sum()).sort(keys)
    return violations, accounts


def _assert_same(remote: Path, local: Path, archive: Path, url: str) -> None:
    violations, accounts = _results(remote, url)
    local_violations, local_accounts = _results(local, str(archive))
    assert violations.height > 100  # the ruleset finds things in this archive
    assert violations.equals(local_violations)
    assert accounts.equals(local_accounts)


def _files(archive: Path, day: str = "") -> int:
    """Parquet files of the archive (of one day partition)."""
    return len(list((archive / day).rglob("*.parquet")))


def _one_line(stderr: str, needle: str) -> str:
    lines = [line for line in stderr.splitlines() if needle in line]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr, stderr
    return lines[0]


# --- equal to local disk --------------------------------------------------------------------


def test_a_bucket_scans_equal_to_local_disk_with_its_output_in_a_bucket(
    s3: seaweed.S3Server, bucket: str, archive: Path, rules: Path, local: Path, tmp_path: Path
) -> None:
    out = "s3://audits/equal"
    result = _scan([bucket + "/"], out, rules, env=s3.env())
    assert result.returncode == 0, result.stderr
    remote = _download(s3, out, tmp_path / "remote")
    _assert_same(remote, local, archive, bucket)
    manifest = json.loads((remote / "manifest.json").read_text())
    assert manifest["inputs_by_status"] == {"scanned": _files(archive)}
    assert manifest["totals"]["out"] == out
    # Nothing secret is stored: no key of the store appears in any object of the output.
    filesystem = s3.filesystem()
    for info in filesystem.get_file_info(pafs.FileSelector("audits/equal", recursive=True)):
        if info.type == pafs.FileType.File:
            with filesystem.open_input_stream(info.path) as stream:
                data = stream.read()
            assert seaweed.ADMIN[1].encode() not in data and seaweed.ADMIN[0].encode() not in data
    left = filesystem.get_file_info(pafs.FileSelector("audits/equal/", recursive=True))
    assert not [i for i in left if "/.tmp" in i.path or "/.lease" in i.path], left
    # The next night: nothing new, nothing read again.
    again = _scan([bucket], out, rules, "--log-json", env=s3.env())
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["inputs_already_audited"] == _files(archive)

    # report reads the bucket and writes its report there; it equals the local one's.
    reported = _run("report", out, "--format", "json", env=s3.env())
    assert reported.returncode == 0, reported.stderr
    assert reported.stdout.strip() == f"{out}/report"
    write_report(local, formats=("json",))
    with filesystem.open_input_stream("audits/equal/report/summary.json") as stream:
        summary = json.loads(stream.read())
    expected = json.loads((local / "report" / "summary.json").read_text())
    assert summary["totals"] == expected["totals"]
    remote_clauses = pq.read_table("audits/equal/report/by_clause.parquet", filesystem=filesystem)
    local_clauses = pq.read_table(local / "report" / "by_clause.parquet")
    assert remote_clauses.select(["clause_id", "findings", "posts_flagged"]).equals(
        local_clauses.select(["clause_id", "findings", "posts_flagged"])
    )


def test_globs_and_windows_over_a_bucket_prune_partitions_by_listing(
    s3: seaweed.S3Server, bucket: str, archive: Path, rules: Path, tmp_path: Path
) -> None:
    window = ["--since", "2026-11-26", "--until", "2026-11-27"]
    glob = bucket + "/date=2026-11-2[67]/*.parquet"
    result = _scan([glob], "s3://audits/window", rules, *window, env=s3.env())
    assert result.returncode == 0, result.stderr
    local_out = tmp_path / "local"
    _scan_here(
        [str(archive) + "/date=2026-11-2[67]/*.parquet"],
        local_out,
        rules,
        since="2026-11-26",
        until="2026-11-27",
    )
    remote = _download(s3, "s3://audits/window", tmp_path / "remote")
    manifest = json.loads((remote / "manifest.json").read_text())
    # Two days matched the glob; the one outside the window was skipped unread.
    assert manifest["inputs_by_status"] == {
        "scanned": _files(archive, "date=2026-11-26"),
        "skipped": _files(archive, "date=2026-11-27"),
    }
    skipped = [i["path"] for i in manifest["inputs"] if i["status"] == "skipped"]
    assert all("date=2026-11-27" in p for p in skipped)
    _assert_same(remote, local_out, archive, bucket)


def test_fsspec_urls_are_sources_too(archive: Path, rules: Path, local: Path) -> None:
    """Any fsspec filesystem: here its in-memory one, in this process."""
    fsspec = pytest.importorskip("fsspec")

    memory = fsspec.filesystem("memory")
    for file in archive.rglob("*.parquet"):
        memory.pipe(f"/archive/{file.relative_to(archive)}", file.read_bytes())
    out = local.parent / "from-memory"
    summary = scan_archive(["memory://archive"], out, rules, text_columns=("title", "text"))
    assert len(summary.inputs) == _files(archive) and not summary.failed
    violations, accounts = _results(out, "memory:///archive")
    local_violations, local_accounts = _results(local, str(archive))
    assert violations.equals(local_violations) and accounts.equals(local_accounts)
    # One object named alone is one input, as a file named alone is.
    one = "memory://archive/date=2026-11-25/part-0000.parquet"
    single = scan_archive([one], local.parent / "one-object", rules, text_columns=("title", "text"))
    assert [i.path for i in single.inputs] == [
        "memory:///archive/date=2026-11-25/part-0000.parquet"
    ]
    assert single.inputs[0].status == "scanned" and single.inputs[0].posts_scanned > 0


# --- kill -9 and the lease ------------------------------------------------------------------


def _journal_lines(filesystem: pafs.FileSystem, key: str) -> int:
    try:
        with filesystem.open_input_stream(key) as stream:
            return len(stream.read().splitlines())
    except OSError:
        return 0


def test_kill_9_midway_then_the_same_command_finishes_exactly(
    s3: seaweed.S3Server, bucket: str, archive: Path, rules: Path, local: Path, tmp_path: Path
) -> None:
    out = "s3://audits/killed"
    command = [
        *CLI,
        "scan",
        bucket,
        "--out",
        out,
        "-r",
        str(rules),
        "-t",
        "title",
        "-t",
        "text",
        "-q",
    ]
    # A killed run leaves its staging directory: here, not in the system's temporary one.
    env = {**s3.env(), "CONDUCT_SCAN_STAGING": str(tmp_path / "staging")}
    run = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    filesystem = s3.filesystem()
    while _journal_lines(filesystem, "audits/killed/journal.jsonl") < 1 and run.poll() is None:
        assert time.monotonic() < deadline
        time.sleep(0.01)  # kill as soon as the first commit is in the store
    run.send_signal(signal.SIGKILL)
    run.wait()
    assert run.returncode == -signal.SIGKILL, "the run finished before it could be killed"
    committed = _journal_lines(filesystem, "audits/killed/journal.jsonl")
    assert 1 <= committed < 4  # a day or more committed, not all four
    # The lease of the killed run (a dead pid on this host) does not block the next one.
    result = _scan([bucket], out, rules, "--log-json", env=s3.env())
    assert result.returncode == 0, result.stderr
    totals = json.loads(result.stdout)
    assert totals["inputs_already_audited"] >= _files(archive, "date=2026-11-25")
    assert totals["inputs_scanned"] >= 1
    remote = _download(s3, out, tmp_path / "remote")
    _assert_same(remote, local, archive, bucket)
    listing = s3.filesystem().get_file_info(pafs.FileSelector("audits/killed", recursive=True))
    parts = {
        i.path.split("audits/killed/", 1)[1]
        for i in listing
        if i.type == pafs.FileType.File and i.path.endswith(".parquet")
    }
    named = {
        p
        for line in (remote / "journal.jsonl").read_text().splitlines()
        for e in json.loads(line)["inputs"]
        for p in e["parts"]
    }
    assert parts == named  # the killed run's uncommitted parts are gone


def test_a_live_lease_holder_stops_a_second_run(
    s3: seaweed.S3Server, bucket: str, rules: Path, tmp_path: Path
) -> None:
    # The holder is killed at the end: its staging directory stays under tmp_path.
    holder_env = {**s3.env(), "CONDUCT_SCAN_STAGING": str(tmp_path)}
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from conduct_scan.store_output import remote_output\n"
            "with remote_output(sys.argv[1]):\n print('held', flush=True); time.sleep(600)",
            "s3://audits/leased",
        ],
        stdout=subprocess.PIPE,
        text=True,
        env=holder_env,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        result = _scan([bucket], "s3://audits/leased", rules, env=s3.env())
        assert result.returncode == EXIT_LOCKED, result.stderr
        line = _one_line(result.stderr, "conduct-scan: error:")
        assert "s3://audits/leased: in use by another conduct-scan process" in line
        assert f"pid {holder.pid} on {socket.gethostname()}" in line
    finally:
        holder.kill()
        holder.wait()


# --- errors ---------------------------------------------------------------------------------


def test_wrong_credentials_name_the_url_and_the_stores_error(
    s3: seaweed.S3Server, bucket: str, archive: Path, rules: Path, tmp_path: Path
) -> None:
    wrong = s3.env(("conduct-admin-key", "not-the-secret"))
    one_day = archive / "date=2026-11-25"
    result = _scan([bucket, one_day], tmp_path / "out", rules, "--log-json", env=wrong)
    assert result.returncode == EXIT_PARTIAL, result.stderr
    line = _one_line(result.stderr, bucket)
    assert line.startswith(f"conduct-scan: input error: {bucket}: cannot ")
    # The store's own words: a HEAD has no body to say more than "denied".
    assert "SIGNATURE_DOES_NOT_MATCH" in line or "ACCESS_DENIED" in line, line
    assert json.loads(result.stdout)["inputs_scanned"] == _files(archive, "date=2026-11-25")
    # As an output: nothing is done, exit 2, one line.
    out = _scan([one_day], "s3://audits/wrong", rules, env=wrong)
    assert out.returncode == EXIT_USAGE, out.stderr
    assert "s3://audits/wrong: cannot open the output (" in _one_line(out.stderr, "error:")


def test_a_missing_bucket_is_named(
    s3: seaweed.S3Server, bucket: str, archive: Path, rules: Path, tmp_path: Path
) -> None:
    one_day = archive / "date=2026-11-25"
    result = _scan(
        ["s3://no-such-bucket/posts", one_day], tmp_path / "out", rules, "--log-json", env=s3.env()
    )
    assert result.returncode == EXIT_PARTIAL, result.stderr
    line = _one_line(result.stderr, "s3://no-such-bucket/posts")
    assert "NO_SUCH_BUCKET" in line and "cannot list" in line, line
    assert json.loads(result.stdout)["inputs_scanned"] == _files(archive, "date=2026-11-25")
    out = _scan([one_day], "s3://no-such-bucket/audits", rules, env=s3.env())
    assert out.returncode == EXIT_USAGE, out.stderr
    assert "bucket 'no-such-bucket' does not exist" in _one_line(out.stderr, "error:")


def test_a_denied_bucket_costs_only_itself(
    s3: seaweed.S3Server, bucket: str, archive: Path, rules: Path, tmp_path: Path
) -> None:
    """The reader may read ``archive`` only: ``audits`` is denied to it."""
    reader = s3.env(seaweed.READER)
    result = _scan(
        [bucket, "s3://audits/equal/"], tmp_path / "out", rules, "--log-json", env=reader
    )
    assert result.returncode == EXIT_PARTIAL, result.stderr
    line = _one_line(result.stderr, "s3://audits/equal")
    assert "ACCESS_DENIED" in line or "denied" in line.lower(), line
    assert json.loads(result.stdout)["inputs_scanned"] == _files(archive)
    # An output where it may not write: nothing is done, one line, exit 2.
    out = _scan([archive / "date=2026-11-25"], "s3://archive/audits", rules, env=reader)
    assert out.returncode == EXIT_USAGE, out.stderr
    line = _one_line(out.stderr, "error:")
    assert line.startswith("conduct-scan: error: s3://archive/audits: cannot "), line
    assert "ACCESS_DENIED" in line, line


def test_a_store_that_never_answers_times_out_with_one_line(
    archive: Path, rules: Path, tmp_path: Path
) -> None:
    """A server that accepts connections and never replies (no SeaweedFS needed)."""
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        port = silent.getsockname()[1]
        stop = threading.Event()

        def hold() -> None:  # accept and keep connections open, never answer
            held = []
            silent.settimeout(0.1)
            while not stop.is_set():
                try:
                    held.append(silent.accept()[0])
                except OSError:
                    continue
            for connection in held:
                connection.close()

        thread = threading.Thread(target=hold, daemon=True)
        thread.start()
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(
            AWS_ACCESS_KEY_ID="k",
            AWS_SECRET_ACCESS_KEY="s",
            AWS_REGION="us-east-1",
            AWS_ENDPOINT_URL=f"http://127.0.0.1:{port}",
            CONDUCT_SCAN_STORE_TIMEOUT="1",
            CONDUCT_SCAN_STORE_RETRIES="2",
        )
        started = time.monotonic()
        one_day = archive / "date=2026-11-25"
        result = _scan(
            ["s3://silent/posts", one_day], tmp_path / "out", rules, "--log-json", env=env
        )
        stop.set()
        thread.join()
    assert result.returncode == EXIT_PARTIAL, result.stderr
    line = _one_line(result.stderr, "s3://silent/posts")
    assert line.startswith("conduct-scan: input error: s3://silent/posts: "), line
    assert json.loads(result.stdout)["inputs_scanned"] == _files(archive, "date=2026-11-25")
    assert time.monotonic() - started < 60


def test_urls_keep_their_slashes_and_hide_passwords() -> None:
    from conduct_scan.store import is_url, shown

    assert is_url("s3://b/k") and is_url("gs://b") and not is_url("file:///x")
    assert not is_url("archive/date=2026-11-25")
    assert shown("ftp://user:secret@host/x") == "ftp://host/x"


def test_a_changed_object_is_redone_out_of_the_parts_it_shares_in_the_bucket(
    s3: seaweed.S3Server, bucket: str, archive: Path, rules: Path, tmp_path: Path
) -> None:
    """The drop path: the parts holding the changed input's rows are fetched, rewritten
    without them and put back before the journal says so.
    """
    filesystem = s3.filesystem()
    day = archive / "date=2026-11-26"
    files = sorted(day.glob("*.parquet"))
    pafs.copy_files(
        str(day),
        "archive/changing/date=2026-11-26",
        source_filesystem=pafs.LocalFileSystem(),
        destination_filesystem=filesystem,
    )
    out = "s3://audits/changing"
    first = _scan(["s3://archive/changing"], out, rules, env=s3.env())
    assert first.returncode == 0, first.stderr
    # One object is replaced by another file's content; the local copy is changed alike.
    local_day = tmp_path / "changing" / "date=2026-11-26"
    local_day.mkdir(parents=True)
    for file in files:
        (local_day / file.name).write_bytes(file.read_bytes())
    (local_day / files[0].name).write_bytes(files[-1].read_bytes())
    time.sleep(1.1)  # a new modification time in the store, too
    pafs.copy_files(
        str(files[-1]),
        f"archive/changing/date=2026-11-26/{files[0].name}",
        source_filesystem=pafs.LocalFileSystem(),
        destination_filesystem=filesystem,
    )
    again = _scan(["s3://archive/changing"], out, rules, "--log-json", env=s3.env())
    assert again.returncode == 0, again.stderr
    totals = json.loads(again.stdout)
    assert totals["inputs_scanned"] == 1 and totals["inputs_already_audited"] == len(files) - 1
    local_out = tmp_path / "local"
    _scan_here([tmp_path / "changing"], local_out, rules)
    remote = _download(s3, out, tmp_path / "remote")
    violations, accounts = _results(remote, "s3://archive/changing")
    local_violations, local_accounts = _results(local_out, str(tmp_path / "changing"))
    assert violations.equals(local_violations) and accounts.equals(local_accounts)


def test_the_lease_expires_and_is_taken_over_and_a_taken_lease_stops_its_holder(
    s3: seaweed.S3Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    from conduct_scan import store
    from conduct_scan.errors import OutputLockedError
    from conduct_scan.store_output import Lease, remote_output

    for name, value in s3.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("CONDUCT_SCAN_LEASE_SECONDS", "3")
    store._filesystem.cache_clear()
    filesystem = s3.filesystem()
    url, key = "s3://audits/lease", "audits/lease/.lease"

    def other(expires_in: float) -> None:
        record = {"run": "other", "host": "other-host", "pid": 1,
                  "expires_at": time.time() + expires_in}  # fmt: skip
        with filesystem.open_output_stream(key) as stream:
            stream.write(json.dumps(record).encode())

    other(60)  # a live holder on another host: not taken
    held = pytest.raises(OutputLockedError, match=r"pid 1 on other-host, lease expires in")
    with held, remote_output(url):
        pass
    other(-1)  # its expiry has passed: taken over at once
    with remote_output(url):
        pass
    assert filesystem.get_file_info(key).type == pafs.FileType.NotFound  # released
    # A holder whose lease is taken over (after a stall) stops before its next commit.
    fs_, root = store.resolve(url)
    lease = Lease(fs_, root, url)
    lease.acquire(0)
    lease.check()
    other(60)
    time.sleep(1.6)  # one renewal (every third of 3 s) finds the lease taken
    with pytest.raises(
        OutputLockedError, match=r"lost the lease \(taken over by pid 1 on other-host\)"
    ):
        lease.check()
    lease.release()
    store._filesystem.cache_clear()
