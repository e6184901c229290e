"""Kiln: CPython in WebAssembly. This package runs inside the WASM interpreter."""

from ._version import __version__

__all__ = ["__version__"]
