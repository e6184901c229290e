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


# Filenames of runs in progress. Tracebacks read a run's source back by its
# filename, so two runs at once (nested, or overlapping runPythonAsync calls)
# get different ones: "<exec>", then "<exec-2>", ... (as CPython's REPL
# numbers its inputs).
_filenames_in_use: set[str] = set()


def _claim_filename(filename: str) -> str:
    name, n = filename, 1
    while name in _filenames_in_use:
        n += 1
        name = f"{filename[:-1]}-{n}>" if filename.endswith(">") else f"{filename}-{n}"
    _filenames_in_use.add(name)
    return name


def run_code(source: str, globals: dict | None, locals: dict | None, filename: str):
    from .code import eval_code

    name = _claim_filename(filename)
    try:
        return eval_code(source, main_globals() if globals is None else globals, locals, filename=name)
    finally:
        _filenames_in_use.discard(name)  # an error is formatted before any other run starts


def run_code_async(source: str, globals: dict | None, locals: dict | None, filename: str):
    """runPythonAsync: the code runs as a task registered at once, so an
    interrupt that arrives before its first step still cancels it; JS awaits
    the returned future, where that cancellation is a KeyboardInterrupt."""
    import asyncio

    from .code import eval_code_async
    from .webloop import get_loop

    name = _claim_filename(filename)
    loop = get_loop()
    task = loop.create_task(eval_code_async(source, main_globals() if globals is None else globals, locals, filename=name))
    _async_runs[task] = False
    outcome = loop.create_future()

    def settle(done) -> None:
        interrupted = _async_runs.pop(done, False)
        # Free the filename once the outcome's callbacks (which format its
        # error for JS) have run: setting the outcome queues them after this.
        loop.call_soon(loop.call_soon, _filenames_in_use.discard, name)
        if done.cancelled():
            outcome.set_exception(KeyboardInterrupt() if interrupted else asyncio.CancelledError())
        elif (error := done.exception()) is not None:
            outcome.set_exception(error)
        else:
            outcome.set_result(done.result())

    task.add_done_callback(settle)
    return outcome


def prepare_async() -> None:
    """Import what runPythonAsync runs on. The caller keeps interrupts off
    meanwhile: one landing in the middle of these imports would leave asyncio
    half-imported (and unimportable) for the rest of the session."""
    import asyncio  # noqa: F401

    from . import code, webloop  # noqa: F401


# Tasks of runPythonAsync calls in progress, and whether an interrupt
# cancelled them (their cancellation then becomes KeyboardInterrupt).
_async_runs: dict = {}


def check_signals() -> None:
    _kiln_core.check_signals()


def interrupt_async_runs(raised: bool = False) -> bool:
    """An interrupt arrived while runPythonAsync calls were awaiting: run the
    SIGINT handler, and if it raised KeyboardInterrupt, cancel those runs with it.
    raised: the KeyboardInterrupt was already raised, in a callback none of the
    runs owns (the eval loop checks signals in whatever Python code runs).
    Returns whether runs were cancelled."""
    if not raised:
        try:
            _kiln_core.check_signals()
        except KeyboardInterrupt:
            pass
        else:
            return False
    for task in _async_runs:
        _async_runs[task] = True
        task.cancel()
    return bool(_async_runs)


def main_globals() -> dict:
    return sys.modules["__main__"].__dict__


def builtins_dict() -> dict:
    import builtins

    return builtins.__dict__


def unpack_archive(buffer, format: str, extract_dir: str | None) -> None:
    from .http._archive import unpack_bytes

    formats = {"wheel": "zip", "whl": "zip", "tar.gz": "gztar", "tgz": "gztar", "tar.bz2": "bztar", "tar.xz": "xztar"}
    unpack_bytes(buffer.to_bytes(), "", extract_dir, formats.get(format, format))


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


def archive_side_modules(buffer, file_name: str, install_dir: str, relaxed_simd: bool = False):
    from ._packages import archive_side_modules

    return archive_side_modules(buffer, file_name, install_dir, relaxed_simd)


def install_archive(buffer, file_name: str, install_dir: str, source: str, relaxed_simd: bool = False) -> None:
    from ._packages import install_archive

    install_archive(buffer, file_name, install_dir, source, relaxed_simd)


def invalidate_import_caches() -> None:
    _imports.invalidate_caches()


def install_wheel(buffer, file_name: str, install_dir: str, metadata=None):
    """pyodide_js._api.install, as micropip calls it."""
    from ._packages import install_wheel

    return install_wheel(buffer, file_name, install_dir, metadata)


def install_requirements(requirements, options):
    """kiln.install(): requirements through micropip's resolver, in one transaction."""
    import _kiln_micropip

    return as_js_promise(_kiln_micropip.install_requirements(requirements.to_py(), options.to_py()))


def prepare_snapshot() -> None:
    """Build time, just before the memory snapshot is taken: do what every
    start from it would otherwise do again, in each process. The restore
    imports ._snapshot; loadKiln hands ._host its host objects; the first
    runPython imports .code and parses, which creates the AST node types
    (about 120 classes: most of that run's time). An import after a restore
    costs more than the module: V8 compiles the WASM functions of the import
    machinery on their first call (about 10 ms)."""
    from . import _host, _snapshot  # noqa: F401
    from .code import _parse

    _parse("None")


def after_snapshot_restore(environ: str) -> None:
    """Started from a memory snapshot: re-read what CPython read from the build
    machine while starting (``environ`` is the host's, "K=V" joined by NULs)."""
    from ._snapshot import refresh_host_state

    refresh_host_state(environ)


def set_host(name: str, host) -> None:
    from . import _host

    _host.set_host(name, host)


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
    """The text of a PythonError. The exception lives on with the JS error (to
    be raised again if it goes back to Python); its frames' locals need not:
    they are cleared once formatted, so a kept error keeps no data alive."""
    import traceback

    exc.__traceback__ = _drop_runtime_frames(exc.__traceback__)
    try:
        _add_import_hint(exc)
    except Exception:  # a hint is a courtesy: never worth losing the error's text
        pass
    text = "".join(traceback.format_exception(exc))
    for chained in _chain(exc):
        traceback.clear_frames(chained.__traceback__)
    return text


def _add_import_hint(exc: BaseException) -> None:
    if isinstance(exc, ModuleNotFoundError) and not getattr(exc, "_kiln_hinted", False):
        hint = _imports.missing_module_hint(exc)
        if hint:
            exc.add_note(hint)
            exc._kiln_hinted = True


def _excepthook(kind, value, tb) -> None:
    _add_import_hint(value)
    sys.__excepthook__(kind, value, tb)


def _unraisablehook(unraisable) -> None:
    # The eval loop runs the SIGINT handler in whatever Python code is running,
    # also a weakref callback or a __del__ that the garbage collector or an
    # import set off, where an exception is only printed: the interrupt would
    # be lost and the interrupted `while True: pass` would never stop.
    from . import _host

    if isinstance(unraisable.exc_value, KeyboardInterrupt) and _host.system is not None:
        if _host.system.redeliverInterrupt():
            return
    sys.__unraisablehook__(unraisable)


def _chain(exc: BaseException):
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


_platform_sleep = time.sleep


def _sleep(seconds: float) -> None:
    """time.sleep: a JS timer where Python may block on it (JSPI: the page
    stays responsive), else Atomics.wait where the thread may block; both end
    early for an interrupt. Elsewhere (a page's main thread without JSPI)
    the platform's sleep, which spins."""
    from . import _host

    system = _host.system
    if system is None or not seconds > 0:
        return _platform_sleep(seconds)
    end = time.monotonic() + seconds
    while (left := end - time.monotonic()) > 0:
        if _kiln_core.can_run_sync():
            outcome = _kiln_core.run_sync_promise(system.sleepPromise(left * 1000))
        elif system.canBlock:
            outcome = system.sleepBlocking(left * 1000)
        else:
            return _platform_sleep(left)
        if outcome == "interrupted":
            _kiln_core.check_signals()  # KeyboardInterrupt, or the handler runs and the sleep goes on


def _install_webloop(asyncio_module) -> None:
    # kiln.webloop installs its policy when imported; if it is being imported
    # right now (it imports asyncio), it will finish that itself.
    if "kiln.webloop" not in sys.modules:
        import kiln.webloop  # noqa: F401


def _install_http_client(client_module) -> None:
    from .http import _client

    _client.install(client_module)


def _install_urllib3(urllib3_module) -> None:
    from .http import _urllib3

    _urllib3.install(urllib3_module)


def _install_socket_hint(socket_module) -> None:
    """socket.socket() fails (there is no raw TCP here): say what to use instead."""
    import errno

    refused = socket_module.socket.__init__

    def __init__(self, *args, **kwargs):
        try:
            refused(self, *args, **kwargs)
        except OSError as error:
            if error.errno != errno.EAFNOSUPPORT:
                raise
            raise OSError(
                error.errno,
                "Sockets are not available in Kiln (no raw TCP in browsers, nor in Node through Kiln). "
                "HTTP works: urllib.request, http.client, requests and pyodide.http.pyfetch go through the host's fetch",
            ) from None

    socket_module.socket.__init__ = __init__


def _install_micropip_adapter(micropip_module) -> None:
    import _kiln_micropip

    _kiln_micropip.install_hook(micropip_module)


def _boot() -> None:
    # Code written for Pyodide (micropip first of all) detects it by this module.
    sys.modules["_pyodide_core"] = _kiln_core
    # Modules written to the working directory are importable (as in a REPL).
    sys.path.insert(0, "")
    sys.excepthook = _excepthook
    sys.unraisablehook = _unraisablehook
    _imports.install()
    _imports.register("js", _kiln_core.js_global())
    # asyncio's event loop is the JS event loop: set up when asyncio is imported.
    _imports.after_import("asyncio", _install_webloop)
    # HTTP goes through the host's fetch: set up when the clients are imported.
    _imports.after_import("http.client", _install_http_client)
    _imports.after_import("urllib3", _install_urllib3)
    _imports.after_import("micropip", _install_micropip_adapter)
    _imports.after_import("socket", _install_socket_hint)
    time.sleep = _sleep


_boot()
