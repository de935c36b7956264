"""The progress bar of ``scan``/``audit``: files, posts, MB/s of text, ETA (rich)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)

if TYPE_CHECKING:
    from conduct_scan.pipeline import InputResult


class ProgressBar:
    """Draws pipeline progress on stderr; ETA from the bytes of input files read."""

    def __init__(self, progress: Progress | None) -> None:
        self._progress = progress
        self._task: TaskID | None = None
        self._inputs = 0
        self._done = 0
        self._posts = 0
        self._text_bytes = 0
        self._started = time.perf_counter()

    def start(self, inputs: int, total_bytes: int) -> None:
        self._inputs = inputs
        if self._progress is not None:
            self._task = self._progress.add_task("scan", total=max(total_bytes, 1))
            self._refresh()

    def advance(self, file_bytes: int, posts: int, text_bytes: int) -> None:
        self._posts += posts
        self._text_bytes += text_bytes
        if self._progress is not None and self._task is not None:
            self._progress.advance(self._task, file_bytes)
            self._refresh()

    def finish_input(self, result: InputResult) -> None:
        self._done += 1
        self._refresh()

    def _refresh(self) -> None:
        if self._progress is None or self._task is None:
            return
        seconds = max(time.perf_counter() - self._started, 1e-6)
        self._progress.update(
            self._task,
            files=f"{self._done}/{self._inputs} files",
            posts=f"{self._posts:,} posts",
            rate=f"{self._text_bytes / 1e6 / seconds:,.1f} MB/s",
        )


@contextmanager
def progress_bar(enabled: bool) -> Iterator[ProgressBar]:
    """A progress bar on stderr, or a silent stand-in when ``enabled`` is false."""
    if not enabled:
        yield ProgressBar(None)
        return
    columns = (
        TextColumn("{task.fields[files]}"),
        BarColumn(),
        TextColumn("{task.fields[posts]}"),
        TextColumn("{task.fields[rate]}"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        yield ProgressBar(progress)
