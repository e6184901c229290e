"""The runtime's Python half: started by the C core at boot (main.c), and the
functions the JS side calls (bridge.js `runtime`)."""

from __future__ import annotations

import os
import sys
import time

import _kiln_core

from . import _imports, ffi

# Everything else (ast, asyncio, traceback...) is imported on first use:
# start-up time is what users wait for.

_RUNTIME_FILES = {
    os.path.join(os.path.dirname(__file__), name) for name in ("_runtime.py", "code.py", "webloop.py")
}


def run_code(source: str, globals: dict | None, locals: dict | None, filename: str):
    from .code import eval_code

    return eval_code(source, main_globals() if globals is None else globals, locals, filename=filename)


def run_code_async(source: str, globals: dict | None, locals: dict | None, filename: str):
    from .code import eval_code_async

    return eval_code_async(source, main_globals() if globals is None else globals, locals, filename=filename)


def main_globals() -> dict:
    return sys.modules["__main__"].__dict__


def pyimport(name: str):
    import importlib

    return importlib.import_module(name)


def register_js_module(name: str, jsobject) -> None:
    _imports.register(name, jsobject)


def unregister_js_module(name: str) -> None:
    _imports.unregister(name)


def find_imports(source: str) -> list[str]:
    from .code import find_imports

    return find_imports(source)


def install_archive(path: str, install_dir: str) -> list[str]:
    from ._packages import install_archive

    return install_archive(path, install_dir)


def set_package_host(host) -> None:
    _imports.set_package_host(host)


def sha256_hex(data) -> str:
    import hashlib

    return hashlib.sha256(data.to_bytes()).hexdigest()


def as_js_promise(awaitable):
    from .webloop import as_js_promise

    return as_js_promise(awaitable)


def _drop_runtime_frames(tb):
    """Skip the runtime's own frames at the top of a traceback: users care about theirs."""
    while tb is not None and tb.tb_frame.f_code.co_filename in _RUNTIME_FILES:
        tb = tb.tb_next
    return tb


def format_exception(exc: BaseException) -> str:
    import traceback

    exc.__traceback__ = _drop_runtime_frames(exc.__traceback__)
    return "".join(traceback.format_exception(exc))


_blocking_sleep = time.sleep


def _sleep(seconds: float) -> None:
    """time.sleep: waits on a JS timer where Python may block (JSPI), so the
    page or process stays responsive; otherwise the platform's busy wait."""
    if seconds > 0 and _kiln_core.can_run_sync():
        js = _kiln_core.js_global()
        milliseconds = seconds * 1000

        def start_timer(resolve, reject) -> None:
            js.setTimeout(resolve, milliseconds)

        ffi.run_sync(js.Promise.new(ffi.create_once_callable(start_timer)))
    else:
        _blocking_sleep(seconds)


def _install_webloop(asyncio_module) -> None:
    # kiln.webloop installs its policy when imported; if it is being imported
    # right now (it imports asyncio), it will finish that itself.
    if "kiln.webloop" not in sys.modules:
        import kiln.webloop  # noqa: F401


def _boot() -> None:
    _imports.install()
    _imports.register("js", _kiln_core.js_global())
    # asyncio's event loop is the JS event loop: set up when asyncio is imported.
    _imports.after_import("asyncio", _install_webloop)
    time.sleep = _sleep


_boot()
