"""Compatibility with code written for Pyodide: `pyodide.ffi`, `pyodide.code`
and `pyodide_js` expose Kiln's objects under Pyodide's names."""

from kiln import __version__

__all__ = ["__version__"]
