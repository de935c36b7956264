"""Object stores: ``s3://``, ``gs://`` and other fsspec URLs as sources and outputs.

A URL is resolved to a ``pyarrow.fs`` filesystem and a path inside it:

- ``s3://bucket/prefix``: ``pyarrow.fs.S3FileSystem``. Credentials come from the AWS SDK's
  standard chain (``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY``/``AWS_SESSION_TOKEN``,
  ``AWS_PROFILE`` and ``~/.aws/credentials``/``config``, instance and container roles); the
  endpoint of an S3-compatible store from ``AWS_ENDPOINT_URL_S3`` or ``AWS_ENDPOINT_URL``.
- ``gs://bucket/prefix``: ``pyarrow.fs.GcsFileSystem`` with Google's default credentials
  (``GOOGLE_APPLICATION_CREDENTIALS``, gcloud's, the metadata server);
  ``STORAGE_EMULATOR_HOST`` points it at an emulator.
- any other ``scheme://`` fsspec knows (``az://``, ``hdfs://``, ``memory://``, ...): the fsspec
  filesystem wrapped in ``pyarrow.fs.PyFileSystem`` (fsspec and the scheme's package must be
  installed).

Transient errors are retried by the store's own client with exponential backoff
(``CONDUCT_SCAN_STORE_RETRIES`` attempts, default 5); ``CONDUCT_SCAN_STORE_TIMEOUT`` seconds
(default 30) bound connecting and each request. Nothing here is ever written to an output:
credentials stay in the environment and the SDK's files.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import click
import pyarrow as pa
import pyarrow.fs as pafs

from conduct_scan.errors import ConductScanError

_URL = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
_T = TypeVar("_T")


class StoreError(ConductScanError):
    """An object store refused or failed an operation; the message names the URL and the
    store's error.
    """


def is_url(location: object) -> bool:
    """Whether ``location`` is a ``scheme://`` URL other than ``file://``."""
    if not isinstance(location, str):
        return False
    match = _URL.match(location)
    return match is not None and match.group(1).lower() != "file"


def shown(url: str) -> str:
    """A URL as it may be printed and stored: without a ``user:password@`` part."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return url.replace(parts.netloc, parts.netloc.rsplit("@", 1)[1], 1)


def _setting(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


def _timeout() -> float:
    return _setting("CONDUCT_SCAN_STORE_TIMEOUT", 30.0)


def _retries() -> int:
    return max(1, int(_setting("CONDUCT_SCAN_STORE_RETRIES", 5)))


def _s3(bucket: str) -> pafs.FileSystem:
    kwargs: dict[str, Any] = {
        "connect_timeout": _timeout(),
        "request_timeout": _timeout(),
        "retry_strategy": pafs.AwsStandardS3RetryStrategy(max_attempts=_retries()),
    }
    endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    if endpoint:
        parts = urlsplit(endpoint if "://" in endpoint else f"https://{endpoint}")
        kwargs["endpoint_override"] = parts.netloc + parts.path.rstrip("/")
        kwargs["scheme"] = parts.scheme or "https"
        # S3-compatible stores rarely care; the SDK needs one to sign.
        kwargs["region"] = region or "us-east-1"
        kwargs["force_virtual_addressing"] = False
    elif region:
        kwargs["region"] = region
    else:
        # AWS itself: the bucket's region, so requests are not redirected (when it cannot be
        # found, the request itself will say what is wrong).
        with contextlib.suppress(OSError, pa.ArrowException):
            kwargs["region"] = pafs.resolve_s3_region(bucket)
    return pafs.S3FileSystem(**kwargs)


def _gcs() -> pafs.FileSystem:
    limit = datetime.timedelta(seconds=_timeout() * _retries())
    kwargs: dict[str, Any] = {"retry_time_limit": limit}
    emulator = os.environ.get("STORAGE_EMULATOR_HOST")
    if emulator:
        parts = urlsplit(emulator if "://" in emulator else f"http://{emulator}")
        kwargs.update(anonymous=True, endpoint_override=parts.netloc, scheme=parts.scheme)
    return pafs.GcsFileSystem(**kwargs)


def _fsspec(scheme: str, url: str) -> pafs.FileSystem:
    try:
        import fsspec
        from fsspec.core import url_to_fs
    except ImportError:
        raise StoreError(
            f"{shown(url)}: {scheme}:// URLs need fsspec (pip install fsspec and the package "
            f"for {scheme}://)"
        ) from None
    try:
        if scheme == "memory":  # one store per process: the same object every time
            filesystem = fsspec.filesystem("memory")
        else:
            filesystem, _ = url_to_fs(url)
    except (ImportError, ValueError) as error:
        raise StoreError(f"{shown(url)}: no filesystem for {scheme}:// ({error})") from None
    return pafs.PyFileSystem(pafs.FSSpecHandler(filesystem))


@functools.lru_cache(maxsize=64)
def _filesystem(scheme: str, bucket: str, url: str) -> pafs.FileSystem:
    if scheme in ("s3", "s3a"):
        return _s3(bucket)
    if scheme in ("gs", "gcs"):
        return _gcs()
    return _fsspec(scheme, url)


def resolve(url: str) -> tuple[pafs.FileSystem, str]:
    """The filesystem of ``url`` and the path inside it (``bucket/key``, no trailing slash)."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    netloc = parts.netloc.rsplit("@", 1)[-1]
    path = f"{netloc}{parts.path}".rstrip("/")
    if scheme in ("s3", "s3a", "gs", "gcs"):
        if not netloc:
            raise StoreError(f"{shown(url)}: no bucket in the URL")
        return _filesystem(scheme, netloc, ""), path
    # fsspec filesystems are keyed by the whole URL (some hold options in it); the path is
    # what fsspec makes of it.
    filesystem = _filesystem(scheme, netloc, f"{scheme}://{netloc}")
    handler = getattr(filesystem, "handler", None)
    inner = getattr(handler, "fs", None)
    if inner is not None:
        path = inner._strip_protocol(url).rstrip("/")
    return filesystem, path


def join(url: str, *names: str) -> str:
    """``url`` with ``names`` appended as path components."""
    return "/".join([url.rstrip("/"), *(n.strip("/") for n in names)])


def reason(error: BaseException) -> str:
    """The store's error in one line (the SDK's message, without its request id)."""
    text = (str(error).strip().splitlines() or [type(error).__name__])[0]
    text = re.sub(r"\s*\(Request ID: [^)]*\)", "", text)
    return text or type(error).__name__


def checked(url: str, what: str, call: Callable[[], _T]) -> _T:
    """``call()``, with a failure of the store raised as StoreError naming ``url``."""
    try:
        return call()
    except (OSError, pa.ArrowException) as error:
        raise StoreError(f"{shown(url)}: {what} ({reason(error)})") from None


def bucket_exists(filesystem: pafs.FileSystem, path: str) -> bool:
    """Whether the bucket (first component of ``path``) exists; errors of the store (bad
    credentials, denied) are raised.
    """
    bucket = path.split("/", 1)[0]
    info = filesystem.get_file_info(bucket)
    return bool(info.type != pafs.FileType.NotFound)


def open_input_file(url: str) -> pa.NativeFile:
    """A random-access reader of the object ``url`` (ranged reads: it is never read whole)."""
    filesystem, path = resolve(url)
    return filesystem.open_input_file(path)


class Location(click.ParamType):  # type: ignore[type-arg]
    """A CLI argument naming a directory or an object-store URL: a Path, or the URL as given
    (a Path would fold its ``//``).
    """

    name = "path or URL"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> Path | str:
        if isinstance(value, Path):
            return value
        text = os.fspath(value)
        return text if is_url(text) else Path(text)
