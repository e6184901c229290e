"""Running source code the way a REPL cell runs: the value of a trailing
expression is returned. Used by runPython and available to user code."""

from __future__ import annotations

import ast
import linecache
from typing import Any

_FILENAME = "<exec>"


def _ends_with_semicolon(source: str) -> bool:
    """A trailing `;` suppresses the value of the last expression (as in IPython)."""
    for line in reversed(source.splitlines()):
        code = line.split("#", 1)[0].strip()
        if code:
            return code.endswith(";")
    return False


def _register_source(source: str, filename: str) -> None:
    # Lets tracebacks show the offending line of code run from a string.
    lines = [line + "\n" for line in source.splitlines()]
    linecache.cache[filename] = (len(source), None, lines, filename)


def _split(source: str, filename: str, flags: int) -> tuple[Any, Any]:
    tree = ast.parse(source, filename, "exec")
    last_expr = None
    if tree.body and isinstance(tree.body[-1], ast.Expr) and not _ends_with_semicolon(source):
        last_expr = ast.Expression(tree.body.pop().value)
    body = compile(tree, filename, "exec", flags=flags, dont_inherit=True)
    expr = compile(last_expr, filename, "eval", flags=flags, dont_inherit=True) if last_expr else None
    return body, expr


def eval_code(source: str, globals: dict | None = None, locals: dict | None = None, *, filename: str = _FILENAME) -> Any:
    """Run `source`; return the value of its last expression, or None."""
    if globals is None:
        globals = {"__name__": "__main__"}
    _register_source(source, filename)
    body, expr = _split(source, filename, 0)
    exec(body, globals, locals)
    return eval(expr, globals, locals) if expr is not None else None
