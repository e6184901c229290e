"""Kiln: CPython in WebAssembly. This package runs inside the WASM interpreter.

`from kiln import document, window` gives the page's objects (as `js` does).
"""

from ._version import __version__

__all__ = ["__version__", "document", "window"]


def __getattr__(name: str) -> object:
    if name in ("document", "window"):
        import _kiln_core

        js = _kiln_core.js_global()
        if not hasattr(js, name):
            raise AttributeError(
                f"kiln.{name}: there is no {name} here (Node, or a worker: a page's DOM lives on its main thread)"
            )
        return getattr(js, name)
    raise AttributeError(f"module 'kiln' has no attribute {name!r}")
