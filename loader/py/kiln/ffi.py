"""The JS <-> Python bridge, Python side.

The names follow Pyodide's ``pyodide.ffi`` (which re-exports this module), so
code written for Pyodide runs unchanged.
"""

from __future__ import annotations

import _kiln_core
from _kiln_core import ConversionError, JsException, JsProxy

from ._jsproxy import (
    JsArray,
    JsAsyncIterable,
    JsAsyncIterator,
    JsBuffer,
    JsCallable,
    JsIterable,
    JsIterator,
    JsMap,
    JsMutableMap,
    JsPromise,
    register_mixins,
)


register_mixins()


def _js_error_field(field: str) -> property:
    """JsException.name / .message: the JS error's, as Pyodide gives them
    (urllib3's Emscripten backend reads both). JsException(name, message)
    builds one without a JS error."""

    def get(self) -> str:
        js_error = getattr(self, "js_error", None)
        if js_error is not None:
            try:
                return str(getattr(js_error, field))
            except AttributeError:
                pass
        if len(self.args) == 2:
            return str(self.args[0] if field == "name" else self.args[1])
        return "Error" if field == "name" else (str(self.args[0]) if self.args else "")

    return property(get)


JsException.name = _js_error_field("name")
JsException.message = _js_error_field("message")

#: What JS ``null`` becomes in Python (``undefined`` becomes None).
jsnull = _kiln_core.js_null()

_js = _kiln_core.js_global()


def in_browser() -> bool:
    """A page or a Web Worker (not Node)."""
    return hasattr(_js, "document") or hasattr(_js, "importScripts")


#: Set again after a start from a memory snapshot (kiln._snapshot), made in Node.
IN_BROWSER: bool = in_browser()


def to_js(
    obj: object,
    *,
    depth: int = -1,
    dict_converter: object = None,
    default_converter: object = None,
    create_pyproxies: bool = True,
) -> object:
    """Convert a Python object to JS, deeply: list/tuple -> Array, dict -> Map
    (or ``dict_converter(entries)``, e.g. ``js.Object.fromEntries``), set ->
    Set, bytes -> Uint8Array. Other objects become PyProxies (or go through
    ``default_converter``). Cycles are preserved."""
    return _kiln_core.to_js(
        obj,
        depth=depth,
        dict_converter=dict_converter,
        default_converter=default_converter,
        create_pyproxies=create_pyproxies,
    )


def create_proxy(obj: object, *, roundtrip: bool = True) -> JsProxy:
    """A PyProxy JS may keep (e.g. an event handler), until ``.destroy()``."""
    return _kiln_core.create_proxy(obj)


def create_once_callable(obj: object) -> JsProxy:
    """A JS function that calls ``obj`` once and then releases it."""
    return _kiln_core.create_once_callable(obj)


def destroy_proxies(pyproxies: JsProxy) -> None:
    """Destroy every PyProxy in a JS array (e.g. the ``pyproxies`` list of toJs)."""
    _kiln_core.destroy_proxy(pyproxies)


def can_run_sync() -> bool:
    """Whether run_sync() can block here (JSPI, and no JS frame below)."""
    return _kiln_core.can_run_sync()


def run_sync(awaitable: object) -> object:
    """Block until ``awaitable`` (a JS promise or a Python awaitable) is done,
    without blocking the JS event loop: needs JSPI (Node >= 24, Chromium)."""
    if isinstance(awaitable, JsProxy):
        return _kiln_core.run_sync_promise(awaitable)
    import asyncio

    from . import webloop

    future = asyncio.ensure_future(awaitable, loop=webloop.get_loop())
    return _kiln_core.run_sync_promise(webloop.as_js_promise(future))


def register_js_module(name: str, jsproxy: object) -> None:
    """Make a JS object importable as a Python module: ``import name``."""
    from . import _imports

    _imports.register(name, jsproxy)


def unregister_js_module(name: str) -> None:
    from . import _imports

    _imports.unregister(name)


__all__ = [
    "ConversionError",
    "IN_BROWSER",
    "JsArray",
    "JsAsyncIterable",
    "JsAsyncIterator",
    "JsBuffer",
    "JsCallable",
    "JsException",
    "JsIterable",
    "JsIterator",
    "JsMap",
    "JsMutableMap",
    "JsPromise",
    "JsProxy",
    "can_run_sync",
    "create_once_callable",
    "create_proxy",
    "destroy_proxies",
    "jsnull",
    "register_js_module",
    "run_sync",
    "to_js",
    "unregister_js_module",
]
