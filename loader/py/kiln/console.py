"""An interactive console for REPL hosts (Pyodide's `pyodide.console`, which
re-exports this, so a host can switch by changing an import).

`Console.push(line)` says at once whether the input is complete, incomplete
or a syntax error, and runs complete input asynchronously (top-level `await`
allowed), one run at a time, with the standard streams redirected to the
console's callbacks.
"""

from __future__ import annotations

import ast
import asyncio
import codeop
import rlcompleter
import sys
import traceback
from collections.abc import Callable, Generator
from contextlib import ExitStack, contextmanager, redirect_stderr, redirect_stdout
from io import TextIOBase
from platform import python_build, python_version
from typing import Any, Literal

from .code import _compile, _ends_with_semicolon, _register_source

__all__ = ["BANNER", "Console", "ConsoleFuture", "PyodideConsole", "repr_shorten", "shorten"]

BANNER = (
    f"Python {python_version()} ({', '.join(python_build())}) on WebAssembly/Emscripten\n"
    'Type "help", "copyright", "credits" or "license" for more information.'
)

ConsoleFutureStatus = Literal["incomplete", "syntax-error", "complete"]
INCOMPLETE: ConsoleFutureStatus = "incomplete"
SYNTAX_ERROR: ConsoleFutureStatus = "syntax-error"
COMPLETE: ConsoleFutureStatus = "complete"


class ConsoleFuture(asyncio.Future):
    """What push() returns: `syntax_check` is known at once; the future
    settles with the value of the input's last expression, or its exception
    (then `formatted_error` holds the traceback, trimmed to the user's frames)."""

    def __init__(self, syntax_check: ConsoleFutureStatus):
        super().__init__()
        self.syntax_check = syntax_check
        self.formatted_error: str | None = None


class _TextStream(TextIOBase):
    def __init__(self, name: str):
        self._name = name

    @property
    def name(self) -> str:
        return self._name

    @property
    def encoding(self) -> str:
        return "utf-8"

    def isatty(self) -> bool:
        return True


class _WriteStream(_TextStream):
    """A text stream calling `write(text)` for each write."""

    def __init__(self, write: Callable[[str], int | None], name: str):
        super().__init__(name)
        self._write = write

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if self.closed:
            raise ValueError("write to closed file")
        written = self._write(text)
        return len(text) if written is None else written


class _ReadStream(_TextStream):
    """A text stream reading through `read(size)` (size -1: a line or more)."""

    def __init__(self, read: Callable[[int], str], name: str):
        super().__init__(name)
        self._read = read
        self._pending = ""

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> str:
        if self.closed:
            raise ValueError("read from closed file")
        size = -1 if size is None else size
        if 0 <= size <= len(self._pending):
            text, self._pending = self._pending[:size], self._pending[size:]
            return text
        wanted = size - len(self._pending) if size >= 0 else -1
        got = self._read(wanted) or ""
        text = self._pending + got
        if size >= 0:
            text, self._pending = text[:size], text[size:]
        else:
            self._pending = ""
        return text

    def readline(self, size: int | None = -1) -> str:
        text = self.read(size if size is not None else -1)
        line, newline, rest = text.partition("\n")
        self._pending = rest + self._pending
        return line + newline


class _RedirectStdin:
    def __init__(self, stream):
        self._stream, self._saved = stream, None

    def __enter__(self):
        self._saved, sys.stdin = sys.stdin, self._stream

    def __exit__(self, *exc):
        sys.stdin = self._saved


class Console:
    """An interactive console in the manner of code.InteractiveConsole,
    running code asynchronously (see the module docstring)."""

    def __init__(
        self,
        globals: dict[str, Any] | None = None,
        *,
        stdin_callback: Callable[[int], str] | None = None,
        stdout_callback: Callable[[str], int | None] | None = None,
        stderr_callback: Callable[[str], int | None] | None = None,
        persistent_stream_redirection: bool = False,
        filename: str = "<console>",
        dont_inherit: bool = False,
        optimize: int = -1,
    ) -> None:
        self.globals = globals if globals is not None else {"__name__": "__console__", "__doc__": None}
        self.stdin_callback = stdin_callback
        self.stdout_callback = stdout_callback
        self.stderr_callback = stderr_callback
        self.filename = filename
        self.buffer: list[str] = []
        self.completer_word_break_characters = " \t\n`~!@#$%^&*()-=+[{]}\\|;:'\",<>/?"
        self._dont_inherit = dont_inherit
        self._optimize = optimize
        self._checker = codeop.CommandCompiler()
        self._checker.compiler.flags |= ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
        self._completer = rlcompleter.Completer(self.globals)
        self._lock = asyncio.Lock()
        self._redirected = False
        self._persistent: Generator[None] | None = None
        self._run_count = 0
        if persistent_stream_redirection:
            self.persistent_redirect_streams()

    # -- streams -----------------------------------------------------------

    def persistent_redirect_streams(self) -> None:
        """Redirect sys.stdin/stdout/stderr to the callbacks until persistent_restore_streams()."""
        if self._persistent is None:
            self._persistent = self._redirections()
            next(self._persistent)

    def persistent_restore_streams(self) -> None:
        if self._persistent is not None:
            self._persistent.close()
            self._persistent = None

    @contextmanager
    def redirect_streams(self) -> Generator[None]:
        """Redirect the standard streams to the callbacks (nests)."""
        yield from self._redirections()

    def _redirections(self) -> Generator[None]:
        if self._redirected:
            yield
            return
        with ExitStack() as stack:
            if self.stdin_callback:
                stack.enter_context(_RedirectStdin(_ReadStream(self.stdin_callback, getattr(sys.stdin, "name", "<stdin>"))))
            if self.stdout_callback:
                stack.enter_context(redirect_stdout(_WriteStream(self.stdout_callback, getattr(sys.stdout, "name", "<stdout>"))))
            if self.stderr_callback:
                stack.enter_context(redirect_stderr(_WriteStream(self.stderr_callback, getattr(sys.stderr, "name", "<stderr>"))))
            self._redirected = True
            try:
                yield
            finally:
                self._redirected = False

    # -- running -----------------------------------------------------------

    def push(self, line: str) -> ConsoleFuture:
        """Add a line to the buffer and run the buffer if it is complete (or
        report its syntax error); an incomplete buffer is kept for the next line."""
        self.buffer.append(line)
        result = self.runsource("\n".join(self.buffer), self.filename)
        if result.syntax_check != INCOMPLETE:
            self.buffer = []
        return result

    def runsource(self, source: str, filename: str = "<console>") -> ConsoleFuture:
        """Check `source`; start running it if complete."""
        try:
            complete = self._checker(source, filename, "single") is not None
            if complete:
                code = self._compile_for_run(source, filename)
        except (OverflowError, SyntaxError, ValueError) as error:
            future = ConsoleFuture(SYNTAX_ERROR)
            future.formatted_error = self.formatsyntaxerror(error)
            future.set_exception(error)
            return future
        if not complete:
            future = ConsoleFuture(INCOMPLETE)
            future.set_result(None)
            return future
        future = ConsoleFuture(COMPLETE)

        def settle(task: asyncio.Task) -> None:
            if task.cancelled():
                future.cancel()
            elif (error := task.exception()) is not None:
                future.formatted_error = self.formattraceback(error)
                future.set_exception(error)
            else:
                future.set_result(task.result())

        asyncio.ensure_future(self._run_serialised(source, code)).add_done_callback(settle)
        return future

    def _compile_for_run(self, source: str, filename: str):
        flags = ast.PyCF_ALLOW_TOP_LEVEL_AWAIT | self._checker.compiler.flags
        body, expr = _compile(source, filename, flags)
        if _ends_with_semicolon(source):
            expr = None
        return body, expr

    async def _run_serialised(self, source: str, code) -> Any:
        async with self._lock:
            return await self.runcode(source, code)

    async def runcode(self, source: str, code) -> Any:
        """Run compiled input (from runsource) with the streams redirected;
        the value of its last expression."""
        body, expr = code
        _register_source(source, self.filename)
        with self.redirect_streams():
            try:
                result = eval(body, self.globals)
                if asyncio.iscoroutine(result):
                    await result
                if expr is None:
                    return None
                value = eval(expr, self.globals)
                return await value if asyncio.iscoroutine(value) else value
            finally:
                sys.stdout.flush()
                sys.stderr.flush()

    # -- errors ------------------------------------------------------------

    def formatsyntaxerror(self, error: BaseException) -> str:
        """The syntax error, without a stack (there is none worth showing)."""
        sys.last_exc = sys.last_value = error
        sys.last_type = type(error)
        sys.last_traceback = None
        return "".join(traceback.format_exception_only(type(error), error))

    def num_frames_to_keep(self, tb) -> int:
        """Frames from the first one in the console's (or runPython's) code on."""
        kept, keeping = 0, False
        for frame, _ in traceback.walk_tb(tb):
            keeping = keeping or frame.f_code.co_filename in (self.filename, "<exec>")
            kept += keeping
        return kept

    def formattraceback(self, error: BaseException) -> str:
        from ._runtime import _add_import_hint

        _add_import_hint(error)
        sys.last_exc = sys.last_value = error
        sys.last_type = type(error)
        sys.last_traceback = error.__traceback__
        keep = self.num_frames_to_keep(error.__traceback__)
        return "".join(traceback.format_exception(type(error), error, error.__traceback__, -keep if keep else None))

    # -- completion --------------------------------------------------------

    def complete(self, source: str) -> tuple[list[str], int]:
        """Completions of the last word of `source`, and where that word starts."""
        start = max(source.rfind(c) for c in self.completer_word_break_characters) + 1
        word = source[start:]
        matches = self._completer.attr_matches(word) if "." in word else self._completer.global_matches(word)
        return matches, start


class PyodideConsole(Console):
    """A Console that loads the lock-file packages a piece of code imports before running it."""

    async def runcode(self, source: str, code) -> Any:
        from pyodide_js import loadPackagesFromImports

        await loadPackagesFromImports(source)
        return await super().runcode(source, code)


def shorten(text: str, limit: int = 1000, split: int | None = None, separator: str = "...") -> str:
    """`text`, or its first and last `split` characters around `separator` if longer than `limit`."""
    if limit < 2:
        raise ValueError("limit must be greater than or equal to 2.")
    split = min(limit // 2 if split is None else split, len(text) // 2)
    return f"{text[:split]}{separator}{text[-split:]}" if len(text) > limit else text


def repr_shorten(value: Any, limit: int = 1000, split: int | None = None, separator: str = "...") -> str:
    """repr(value), shortened like shorten()."""
    if limit < 4:
        raise ValueError("limit must be greater than or equal to 4.")
    return shorten(repr(value), limit=limit, split=split, separator=separator)
