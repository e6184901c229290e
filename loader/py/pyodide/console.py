"""Pyodide's name for kiln.console."""

from kiln.console import *  # noqa: F403
from kiln.console import __all__  # noqa: F401
