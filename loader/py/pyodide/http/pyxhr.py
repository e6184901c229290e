"""Pyodide's name for kiln.http.pyxhr."""

from kiln.http.pyxhr import *  # noqa: F403
from kiln.http.pyxhr import __all__  # noqa: F401
