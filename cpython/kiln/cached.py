"""Cached build stages: one folder per output, named by a hash of its inputs.

Every expensive output (toolchain, downloads, CPython, recipes, the core,
zips) is a folder that is complete once its marker exists. The marker is
written last, so a build that dies half-way leaves a folder without one, which
the next run deletes and builds again. Stages build in place rather than in a
staging folder renamed at the end: CPython's build tree records its absolute
paths, so it could not be moved. One process builds a stage at a time; others
wait on its lock file and then take the finished folder.
"""

from __future__ import annotations

import contextlib
import fcntl
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

from . import log

MARKER = ".kiln-complete"


def is_complete(out: Path) -> bool:
    return (out / MARKER).exists()


def stage(out: Path, build: Callable[[Path], None], *, force: bool = False) -> Path:
    """`out`, made by `build(out)` (into an empty folder) unless complete already."""
    if is_complete(out) and not force:
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    with _exclusive(out):
        if is_complete(out) and not force:  # built by the process we waited for
            return out
        if out.exists():
            shutil.rmtree(out)
        out.mkdir()
        build(out)
        (out / MARKER).touch()
    return out


@contextlib.contextmanager
def _exclusive(out: Path) -> Iterator[None]:
    with open(out.with_name(f".{out.name}.lock"), "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.info(f"{out.name}: another kiln process is building it; waiting")
            fcntl.flock(lock, fcntl.LOCK_EX)
        yield
