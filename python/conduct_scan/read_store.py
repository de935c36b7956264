"""Finding the Parquet files of an object-store URL (``s3://``, ``gs://``, fsspec URLs).

Listing is all it takes: an object, a prefix (listed recursively) or a glob gives its files
with their sizes, times and hive partitions, so ``--since``/``--until`` skip day partitions
without reading them. Files are then read by ``read.plan`` through ``store.open_input_file``.
"""

from __future__ import annotations

import glob
import re
from pathlib import Path
from typing import Any

import pyarrow.fs as pafs

from conduct_scan import store
from conduct_scan.read import Input, _is_data_file, _partitions


def _glob_pattern(pattern: str) -> re.Pattern[str]:
    """A glob (``*``, ``?``, ``[...]``, ``**`` across directories) as a regex over paths."""
    out, i = [], 0
    while i < len(pattern):
        c = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[" and "]" in pattern[i + 2 :]:
            end = pattern.index("]", i + 2)
            body = pattern[i + 1 : end]
            out.append("[" + ("^" + body[1:] if body.startswith("!") else body) + "]")
            i = end + 1
            continue
        else:
            out.append(re.escape(c))
        i += 1
    return re.compile("".join(out) + "/?")


def discover_url(url: str) -> list[Input]:
    """The Parquet files of an object-store URL: an object, a prefix (listed recursively) or
    a glob. Raises StoreError naming the URL and the store's error (bad credentials, missing
    bucket, denied prefix, timeout) or saying nothing is there.
    """
    filesystem, path = store.resolve(url)
    scheme = url.split("://", 1)[0]
    prefix_of_url = url[: len(url) - len(url.split("://", 1)[1])]

    def as_url(key: str) -> str:
        return prefix_of_url + key if scheme not in ("s3", "gs") else f"{scheme}://{key}"

    def listing(root: str, *, strict: bool = False) -> list[Any]:
        # strict: a missing prefix or bucket is an error, in the store's words
        selector = pafs.FileSelector(root, recursive=True, allow_not_found=not strict)
        return store.checked(url, "cannot list", lambda: filesystem.get_file_info(selector))

    def make(info: Any, root: str) -> Input:
        relative = info.path[len(root) :].lstrip("/") if info.path.startswith(root) else ""
        relative = relative or info.path.rsplit("/", 1)[-1]
        mtime = info.mtime_ns or 0
        return Input(
            Path(info.path),
            store.shown(as_url(info.path)),
            relative,
            _partitions(Path(relative), Path(".")),
            info.size or 0,
            mtime,
            url=as_url(info.path),
        )

    def data(infos: list[Any], root: str) -> list[Input]:
        return [
            make(i, root)
            for i in infos
            if i.type == pafs.FileType.File and _is_data_file(Path(i.path))
        ]

    if glob.has_magic(path):
        parts = path.split("/")
        first = next(n for n, p in enumerate(parts) if glob.has_magic(p))
        root = "/".join(parts[:first])
        matcher = _glob_pattern(path)
        infos = listing(root)
        matched_dirs = [
            i.path for i in infos if i.type == pafs.FileType.Directory and matcher.fullmatch(i.path)
        ]
        inputs = [
            make(i, root)
            for i in infos
            if i.type == pafs.FileType.File and matcher.fullmatch(i.path)
        ]
        for directory in matched_dirs:
            inputs += [
                make(i, directory)
                for i in infos
                if i.type == pafs.FileType.File
                and i.path.startswith(directory + "/")
                and _is_data_file(Path(i.path))
            ]
    else:
        info = store.checked(url, "cannot read", lambda: filesystem.get_file_info(path))
        if info.type == pafs.FileType.File:
            return [make(info, path.rsplit("/", 1)[0])]
        inputs = data(listing(path, strict=info.type == pafs.FileType.NotFound), path)
    if not inputs:
        raise store.StoreError(f"{store.shown(url)}: no Parquet files found")
    return inputs
