"""Pyodide's name for kiln.webloop."""

from kiln.webloop import WebLoop, WebLoopPolicy

__all__ = ["WebLoop", "WebLoopPolicy"]
