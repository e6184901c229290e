"""Running source code the way a notebook cell runs: the value of a trailing
expression is returned. Used by runPython / runPythonAsync and available to
user code (as pyodide.code too)."""

from __future__ import annotations

import linecache

# The C module under `ast`: importing `ast` itself (with re, enum and
# contextlib) was most of the first runPython's time.
import _ast

_FILENAME = "<exec>"
CO_COROUTINE = 0x0080  # inspect.CO_COROUTINE, without importing inspect


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


def _parse(source: str, filename: str = "<unknown>") -> _ast.Module:
    """ast.parse(source, filename)."""
    return compile(source, filename, "exec", flags=_ast.PyCF_ONLY_AST, dont_inherit=True)


def _walk(tree: _ast.AST):
    """The nodes of `tree`, breadth first, as ast.walk gives them."""
    pending = [tree]
    for node in pending:  # grows as it goes
        yield node
        for field in node._fields:
            value = getattr(node, field, None)
            if isinstance(value, _ast.AST):
                pending.append(value)
            elif isinstance(value, list):
                pending.extend(item for item in value if isinstance(item, _ast.AST))


def _compile(source: str, filename: str, flags: int) -> tuple[object, object]:
    """The code of all statements, and of the trailing expression (or None)."""
    tree = _parse(source, filename)
    last_expr = None
    if tree.body and isinstance(tree.body[-1], _ast.Expr) and not _ends_with_semicolon(source):
        last_expr = _ast.Expression(tree.body.pop().value)
    body = compile(tree, filename, "exec", flags=flags, dont_inherit=True)
    expr = compile(last_expr, filename, "eval", flags=flags, dont_inherit=True) if last_expr else None
    return body, expr


def eval_code(source: str, globals: dict | None = None, locals: dict | None = None, *, filename: str = _FILENAME) -> object:
    """Run `source`; return the value of its last expression, or None."""
    if globals is None:
        globals = {"__name__": "__main__"}
    _register_source(source, filename)
    body, expr = _compile(source, filename, 0)
    exec(body, globals, locals)
    return eval(expr, globals, locals) if expr is not None else None


async def eval_code_async(
    source: str, globals: dict | None = None, locals: dict | None = None, *, filename: str = _FILENAME
) -> object:
    """Like eval_code, with top-level `await` allowed."""
    if globals is None:
        globals = {"__name__": "__main__"}
    _register_source(source, filename)
    body, expr = _compile(source, filename, _ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    result = eval(body, globals, locals)
    if body.co_flags & CO_COROUTINE:
        await result
    if expr is None:
        return None
    value = eval(expr, globals, locals)
    if expr.co_flags & CO_COROUTINE:
        value = await value
    return value


def find_imports(source: str) -> list[str]:
    """Top-level names of the modules `source` imports (absolute imports only)."""
    try:
        tree = _parse(source)
    except SyntaxError:
        return []
    names: list[str] = []
    for node in _walk(tree):
        if isinstance(node, _ast.Import):
            found = [alias.name for alias in node.names]
        elif isinstance(node, _ast.ImportFrom) and node.level == 0 and node.module:
            found = [node.module]
        else:
            continue
        for name in found:
            top = name.split(".", 1)[0]
            if top not in names:
                names.append(top)
    return names
