"""Pyodide's name for kiln.http."""

from kiln.http import *  # noqa: F403
from kiln.http import __all__  # noqa: F401
