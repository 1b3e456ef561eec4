"""Progress reporting: a bar on a terminal, plain log lines otherwise.

Stages report through a :class:`Progress` object, so the library never
prints by itself; the CLI decides how progress is shown. Messages never
contain person or household ids.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TextIO

__all__ = ["Progress", "silent"]


@dataclass
class Progress:
    """Reports stages and fractions of long work.

    Parameters
    ----------
    stream : file-like
        Where to write (standard error by default).
    interactive : bool, optional
        Draw a progress bar (default: when ``stream`` is a terminal).
    quiet : bool
        Report nothing.
    """

    stream: TextIO = field(default_factory=lambda: sys.stderr)
    interactive: bool | None = None
    quiet: bool = False
    timings: dict[str, float] = field(default_factory=dict)
    _last_line: str = ""

    def __post_init__(self) -> None:
        if self.interactive is None:
            self.interactive = bool(getattr(self.stream, "isatty", lambda: False)())

    def log(self, message: str) -> None:
        """Write one line."""
        if self.quiet:
            return
        if self.interactive and self._last_line:
            self.stream.write("\r\033[K")
            self._last_line = ""
        self.stream.write(f"[boligeval] {message}\n")
        self.stream.flush()

    def fraction(self, label: str, done: float) -> None:
        """Report that a share ``done`` (0-1) of a long stage is finished."""
        if self.quiet:
            return
        done = min(max(done, 0.0), 1.0)
        if self.interactive:
            width = 30
            filled = round(done * width)
            line = f"[boligeval] {label} [{'#' * filled}{'.' * (width - filled)}] {done:4.0%}"
            self.stream.write("\r\033[K" + line)
            self._last_line = line
            if done >= 1.0:
                self.stream.write("\n")
                self._last_line = ""
            self.stream.flush()
        elif done >= 1.0 or int(done * 10) != int(getattr(self, "_tenth", -1)):
            self._tenth = int(done * 10)
            self.log(f"{label}: {done:.0%}")

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time a stage and log its start and end."""
        self.log(f"{name} ...")
        start = time.perf_counter()
        yield
        elapsed = time.perf_counter() - start
        self.timings[name] = round(elapsed, 3)
        self.log(f"{name} done in {elapsed:.1f} s")


def silent() -> Progress:
    """A progress reporter that reports nothing (library default)."""
    return Progress(quiet=True, interactive=False)
