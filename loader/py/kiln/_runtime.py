"""Entry points the C core calls (cpython/core/main.c, error.c)."""

from __future__ import annotations

import os
import traceback
import types

from . import code

_RUNTIME_FILES = {os.path.join(os.path.dirname(__file__), name) for name in ("_runtime.py", "code.py")}


def run_code(source: str, globals: dict):
    return code.eval_code(source, globals)


def _drop_runtime_frames(tb: types.TracebackType | None) -> types.TracebackType | None:
    """Skip the runtime's own frames at the top of a traceback: users care about theirs."""
    while tb is not None and tb.tb_frame.f_code.co_filename in _RUNTIME_FILES:
        tb = tb.tb_next
    return tb


def format_exception(exc: BaseException) -> str:
    exc.__traceback__ = _drop_runtime_frames(exc.__traceback__)
    return "".join(traceback.format_exception(exc))
