"""A progress bar with ETA for long runs, drawn on stderr."""

from __future__ import annotations

import sys
import time
from typing import TextIO


def _clock(seconds: float) -> str:
    seconds = int(max(seconds, 0))
    h, rem = divmod(seconds, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


class ProgressBar:
    """``[####----] 3/8 cells 0:42 elapsed, ETA 1:10  label``; one line per item off a TTY."""

    def __init__(self, total: int, unit: str = "cells", stream: TextIO | None = None):
        self.total = total
        self.unit = unit
        self.done = 0
        self.stream = stream or sys.stderr
        self.start = time.monotonic()
        self.tty = self.stream.isatty()

    def line(self, label: str = "") -> str:
        elapsed = time.monotonic() - self.start
        eta = elapsed / self.done * (self.total - self.done) if self.done else float("nan")
        width = 24
        filled = int(width * self.done / self.total) if self.total else width
        eta_text = _clock(eta) if self.done else "?"
        return (f"[{'#' * filled}{'-' * (width - filled)}] {self.done}/{self.total} {self.unit} "
                f"{_clock(elapsed)} elapsed, ETA {eta_text}  {label}")

    def show(self, label: str = "") -> None:
        text = self.line(label)
        if self.tty:
            self.stream.write("\r\033[K" + text)
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def advance(self, label: str = "") -> None:
        self.done += 1
        self.show(label)

    def close(self) -> None:
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()
