"""What ``scan``/``audit`` show while they run: files, posts, MB/s of text and the ETA.

At an interactive terminal a one- or two-line display (rich ``Live``) is redrawn in place and
removed at the end; it fits terminals down to 40 columns. A dumb terminal (``TERM=dumb``, an
editor's shell) gets a plain line every few seconds instead, with no cursor movement.
``NO_COLOR`` is honoured by rich's console.

Drawing progress must never cost the scan: any error raised while drawing drops the display,
prints one warning line and lets the scan go on.
"""

from __future__ import annotations

import functools
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from rich.console import Console, ConsoleOptions, RenderResult
from rich.live import Live
from rich.progress_bar import ProgressBar as Bar
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from conduct_scan.pipeline import InputResult

Mode = Literal["live", "lines", "off"]
F = TypeVar("F", bound=Callable[..., None])

# Loading a ruleset whose databases are in the on-disk cache takes a fraction of a second; past
# this, the databases are being compiled and the display says so.
COMPILE_NOTICE_SECONDS = 0.5
# Below this width the display takes two lines instead of one with a bar.
WIDE = 64
# A dumb terminal gets a line at most this often.
LINE_INTERVAL_SECONDS = 5.0


def _guarded(method: F) -> F:
    """Runs a display method; an error in it drops the display, never the scan."""

    @functools.wraps(method)
    def run(self: ProgressBar, *args: Any) -> None:
        try:
            method(self, *args)
        except Exception as error:
            self._drop(error)

    return run  # type: ignore[return-value]


class ProgressBar:
    """Receives the pipeline's progress events and draws them (see the module docstring)."""

    def __init__(self, console: Console | None, mode: Mode = "live") -> None:
        self._console = console
        self._mode: Mode = mode if console is not None else "off"
        self._live: Live | None = None
        self._inputs = 0
        self._done = 0
        self._total_bytes = 0
        self._file_bytes = 0
        self._posts = 0
        self._text_bytes = 0
        self._phase: Literal["loading", "scanning"] = "loading"
        self._phase_started = time.perf_counter()
        self._last_line = 0.0
        self.compile_seconds = 0.0
        # An error raised while rich's refresh thread drew us, re-raised at the next event.
        self._broken: Exception | None = None
        self._warned = False

    # Events from the pipeline ----------------------------------------------------------------

    @_guarded
    def compiling(self) -> None:
        """The ruleset is being loaded and compiled (or read from the cache)."""
        self._phase = "loading"
        self._phase_started = time.perf_counter()
        self._open_live()

    @_guarded
    def compiled(self, seconds: float) -> None:
        """The ruleset is ready; a compile long enough to notice gets one line."""
        self.compile_seconds = seconds
        if seconds >= COMPILE_NOTICE_SECONDS and self._console is not None:
            self._console.print(
                f"compiled the ruleset in {seconds:.1f} s (cached for the next runs)",
                highlight=False,
            )

    @_guarded
    def start(self, inputs: int, total_bytes: int) -> None:
        self._inputs = inputs
        self._total_bytes = max(total_bytes, 1)
        self._phase = "scanning"
        self._phase_started = time.perf_counter()
        self._last_line = self._phase_started
        self._open_live()
        self._refresh()

    @_guarded
    def advance(self, file_bytes: int, posts: int, text_bytes: int) -> None:
        self._file_bytes += file_bytes
        self._posts += posts
        self._text_bytes += text_bytes
        self._refresh()

    @_guarded
    def finish_input(self, result: InputResult) -> None:
        self._done += 1
        self._refresh(force_line=self._done == self._inputs)

    def _open_live(self) -> None:
        """Starts the live display at an interactive terminal (once for the whole run)."""
        if self._mode == "live" and self._console is not None and self._live is None:
            self._live = Live(self, console=self._console, transient=True, refresh_per_second=4)
            self._live.start(refresh=True)

    def close(self) -> None:
        """Removes the display (a transient live display leaves nothing behind)."""
        live, self._live = self._live, None
        if live is not None:
            try:
                live.stop()
            except Exception as error:
                self._warn(error)

    # Drawing -----------------------------------------------------------------------------------

    def _refresh(self, force_line: bool = False) -> None:
        if self._broken is not None:
            raise self._broken
        if self._live is not None:
            self._live.refresh()
        elif self._mode == "lines" and self._console is not None and self._phase == "scanning":
            now = time.perf_counter()
            if force_line or now - self._last_line >= LINE_INTERVAL_SECONDS:
                self._last_line = now
                self._console.print(self.status_line(), highlight=False)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        # Runs in rich's refresh thread too: an error here must not escape into it.
        try:
            yield from self._render(options.max_width)
        except Exception as error:
            self._broken = error
            yield Text("")

    def _render(self, width: int) -> Iterator[Text | Table]:
        elapsed = time.perf_counter() - self._phase_started
        if self._phase == "loading":
            if elapsed < COMPILE_NOTICE_SECONDS:
                yield Text("loading the ruleset…")
            else:
                what = (
                    "compiling the ruleset"
                    if width < WIDE
                    else ("compiling the ruleset's Hyperscan databases")
                )
                yield Text(f"{what} ({elapsed:.0f} s; cached for the next runs)")
            return
        files, posts, rate, eta = self._fields(compact=width < WIDE)
        if width < WIDE:
            yield Text(f"{files}  {posts}")
            yield Text(f"{rate}  ETA {eta}")
            return
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True)
        grid.add_column(ratio=1)
        for _ in range(3):
            grid.add_column(no_wrap=True, justify="right")
        done = min(self._file_bytes, self._total_bytes)
        grid.add_row(files, Bar(total=self._total_bytes, completed=done), posts, rate, f"ETA {eta}")
        yield grid

    def status_line(self) -> str:
        """The progress as one plain line (dumb terminals)."""
        files, posts, rate, eta = self._fields(compact=False)
        return f"{files}, {posts}, {rate}, ETA {eta}"

    def _fields(self, compact: bool) -> tuple[str, str, str, str]:
        seconds = max(time.perf_counter() - self._phase_started, 1e-6)
        posts = _compact(self._posts) if compact else f"{self._posts:,}"
        done = min(self._file_bytes, self._total_bytes)
        if done <= 0 or self._phase != "scanning":
            eta = "-:--:--"
        else:
            remaining = seconds * (self._total_bytes - done) / done
            eta = _clock(remaining)
        return (
            f"{self._done}/{self._inputs} files",
            f"{posts} posts",
            f"{self._text_bytes / 1e6 / seconds:,.1f} MB/s",
            eta,
        )

    # Faults ------------------------------------------------------------------------------------

    def _drop(self, error: Exception) -> None:
        live, self._live = self._live, None
        self._mode = "off"
        if live is not None:
            with suppress(Exception):
                live.stop()
        self._warn(error)

    def _warn(self, error: Exception) -> None:
        if self._warned:
            return
        self._warned = True
        print(
            f"conduct-scan: warning: progress display stopped ({type(error).__name__}: {error}); "
            "the scan goes on",
            file=sys.stderr,
        )


def _compact(n: int) -> str:
    """12,345 → 12.3k; 1,234,567 → 1.23M (narrow terminals)."""
    if n < 10_000:
        return f"{n:,}"
    if n < 1_000_000:
        return f"{n / 1e3:.1f}k"
    return f"{n / 1e6:.2f}M"


def _clock(seconds: float) -> str:
    seconds = int(seconds + 0.5)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def display_mode(console: Console) -> Mode:
    """``live`` at an interactive terminal, ``lines`` at a dumb one, ``off`` when redirected."""
    if not console.is_terminal:
        return "off"
    return "lines" if console.is_dumb_terminal else "live"


@contextmanager
def progress_bar(enabled: bool) -> Iterator[ProgressBar]:
    """The display on stderr, or a silent stand-in when ``enabled`` is false or stderr is not a
    terminal.
    """
    console = Console(stderr=True) if enabled else None
    mode = display_mode(console) if console is not None else "off"
    bar = ProgressBar(console if mode != "off" else None, mode)
    try:
        yield bar
    finally:
        bar.close()
