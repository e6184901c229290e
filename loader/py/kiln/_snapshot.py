"""After a start from a memory snapshot (loader/src/snapshot.mjs): the state
CPython took from its host while starting holds the snapshot builder's values.
Read them again from this host, as a normal start would have."""

from __future__ import annotations

import os
import sys

import _imp
import _locale


def refresh_host_state(environ: str) -> None:
    _sync_environ(dict(entry.split("=", 1) for entry in environ.split("\0") if entry))
    # CPython sets LC_CTYPE from the environment while starting.
    _locale.setlocale(_locale.LC_CTYPE, "")
    _refresh_time_zone()
    _refresh_runtime()


def _sync_environ(wanted: dict[str, str]) -> None:
    """os.environ, and the C environment under it (putenv/unsetenv), as `wanted`."""
    for key in [key for key in os.environ if key not in wanted]:
        del os.environ[key]
    for key, value in wanted.items():
        if os.environ.get(key) != value:
            os.environ[key] = value


def _refresh_time_zone() -> None:
    """The time module computed its zone attributes while starting; the C
    library's zone has been asked again (snapshot.js resetTimezone): copy
    them from a fresh instance of the module."""
    time = sys.modules["time"]
    fresh = _imp.create_builtin(time.__spec__)
    _imp.exec_builtin(fresh)
    for name in ("timezone", "altzone", "daylight", "tzname"):
        setattr(time, name, getattr(fresh, name))


def _refresh_runtime() -> None:
    """Kiln's runtime was imported before the snapshot was taken, on the
    builder's host (Node): what it read off globalThis is this host's now."""
    from .ffi import in_browser

    for name in ("kiln.ffi", "pyodide.ffi"):
        if name in sys.modules:
            sys.modules[name].IN_BROWSER = in_browser()
