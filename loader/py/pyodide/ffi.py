"""Pyodide's name for kiln.ffi."""

from kiln.ffi import *  # noqa: F403
from kiln.ffi import __all__  # noqa: F401
