"""Pyodide's name for kiln.code."""

from kiln.code import eval_code, eval_code_async, find_imports

__all__ = ["eval_code", "eval_code_async", "find_imports"]
