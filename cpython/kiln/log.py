"""Progress output for long builds and downloads."""

from __future__ import annotations

import sys
import time
from contextlib import contextmanager

_start = time.monotonic()


def info(message: str) -> None:
    elapsed = time.monotonic() - _start
    print(f"[kiln {elapsed:6.1f}s] {message}", file=sys.stderr, flush=True)


def warn(message: str) -> None:
    """Something the user should notice (a skipped part), framed to stand out."""
    info(f"*** {message} ***")


@contextmanager
def step(title: str):
    """Print a step's start and its duration when it ends."""
    info(f"{title} ...")
    began = time.monotonic()
    yield
    info(f"{title}: done in {time.monotonic() - began:.1f}s")


class Progress:
    """A byte counter that prints at most every few seconds."""

    def __init__(self, label: str, total: int | None):
        self.label = label
        self.total = total
        self.done = 0
        self._last = 0.0

    def advance(self, n: int) -> None:
        self.done += n
        now = time.monotonic()
        if now - self._last >= 2 or (self.total and self.done >= self.total):
            self._last = now
            if self.total:
                info(f"{self.label}: {self.done / 1e6:.1f} / {self.total / 1e6:.1f} MB")
            else:
                info(f"{self.label}: {self.done / 1e6:.1f} MB")
