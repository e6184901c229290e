"""Kiln: CPython in WebAssembly. This package runs inside the WASM interpreter."""

__version__ = "0.1.0"
