"""An asyncio event loop driven by the JS event loop.

Callbacks are scheduled with the host's timers (setImmediate / MessageChannel
/ setTimeout), so Python tasks interleave with JS work and the page stays
responsive. The loop never "runs" in the asyncio sense: JS runs it. Blocking
until a future is done (run_until_complete, asyncio.run) needs JSPI.
"""

from __future__ import annotations

import asyncio
import contextvars
import sys
import time
from asyncio import events, futures, tasks
from typing import Any

import _kiln_core

from . import _runtime
from .ffi import JsProxy, create_once_callable, create_proxy

_js = _kiln_core.js_global()


class WebLoop(asyncio.AbstractEventLoop):
    def __init__(self) -> None:
        self._closed = False
        self._debug = False
        self._task_factory = None
        self._exception_handler = None

    # -- scheduling --------------------------------------------------------

    def _schedule(self, handle: asyncio.Handle, delay: float) -> None:
        def run() -> None:
            if handle.cancelled():
                return
            previous = events._get_running_loop()
            events._set_running_loop(self)
            try:
                handle._run()
            except (KeyboardInterrupt, SystemExit) as error:
                # asyncio re-raises these after a task has recorded them as its
                # result (whoever awaits the task sees them): only one that no
                # task recorded still needs reporting.
                owner = getattr(handle._callback, "__self__", None)
                if isinstance(error, KeyboardInterrupt) and owner not in _runtime._async_runs:
                    # Ctrl-C meant for the runPythonAsync calls awaiting, which
                    # other code happened to be running when it arrived.
                    if _runtime.interrupt_async_runs(raised=True):
                        return
                if not (isinstance(owner, asyncio.Future) and owner.done()):
                    self.call_exception_handler({"message": f"{type(error).__name__} in {handle!r}", "exception": error})
            finally:
                events._set_running_loop(previous)

        _kiln_core.schedule(run, max(delay, 0.0))

    def call_soon(self, callback, *args, context: contextvars.Context | None = None) -> asyncio.Handle:
        self._check_closed()
        handle = asyncio.Handle(callback, args, self, context)
        self._schedule(handle, 0)
        return handle

    call_soon_threadsafe = call_soon

    def call_later(self, delay: float, callback, *args, context: contextvars.Context | None = None) -> asyncio.TimerHandle:
        self._check_closed()
        handle = asyncio.TimerHandle(self.time() + delay, callback, args, self, context)
        self._schedule(handle, delay)
        return handle

    def call_at(self, when: float, callback, *args, context: contextvars.Context | None = None) -> asyncio.TimerHandle:
        return self.call_later(when - self.time(), callback, *args, context=context)

    def _timer_handle_cancelled(self, handle: asyncio.TimerHandle) -> None:
        pass  # a cancelled handle is skipped when its timer fires

    def time(self) -> float:
        return time.monotonic()

    # -- futures and tasks -------------------------------------------------

    def create_future(self) -> asyncio.Future:
        return futures.Future(loop=self)

    def create_task(self, coro, *, name=None, context=None) -> asyncio.Task:
        self._check_closed()
        if self._task_factory is None:
            task = tasks.Task(coro, loop=self, name=name, context=context)
        elif context is None:
            task = self._task_factory(self, coro)
        else:
            task = self._task_factory(self, coro, context=context)
        if name is not None:
            task.set_name(name)
        return task

    def set_task_factory(self, factory) -> None:
        self._task_factory = factory

    def get_task_factory(self):
        return self._task_factory

    def run_in_executor(self, executor, func, *args) -> asyncio.Future:
        """There are no threads: run now, return a done future."""
        future = self.create_future()
        try:
            future.set_result(func(*args))
        except BaseException as error:  # delivered through the future
            future.set_exception(error)
        return future

    # -- running -----------------------------------------------------------

    def run_until_complete(self, future) -> Any:
        """Block until done: possible only with JSPI, in a suspendable context."""
        from .ffi import run_sync

        return run_sync(asyncio.ensure_future(future, loop=self))

    def run_forever(self) -> None:
        raise RuntimeError("the JS event loop already runs this loop; schedule work with create_task instead")

    def is_running(self) -> bool:
        return False

    def stop(self) -> None:
        pass

    def is_closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        self._closed = True

    def _check_closed(self) -> None:
        if self._closed:
            raise RuntimeError("Event loop is closed")

    async def shutdown_asyncgens(self) -> None:
        pass

    async def shutdown_default_executor(self, timeout=None) -> None:
        pass

    # -- errors and debugging ----------------------------------------------

    def get_exception_handler(self):
        return self._exception_handler

    def set_exception_handler(self, handler) -> None:
        self._exception_handler = handler

    def default_exception_handler(self, context: dict) -> None:
        message = context.get("message") or "Unhandled error in the event loop"
        exception = context.get("exception")
        print(f"kiln asyncio: {message}", file=sys.stderr)
        if exception is not None:
            import traceback

            traceback.print_exception(exception, file=sys.stderr)

    def call_exception_handler(self, context: dict) -> None:
        handler = self._exception_handler
        if handler is None:
            self.default_exception_handler(context)
        else:
            try:
                handler(self, context)
            except BaseException as error:
                self.default_exception_handler({"message": "exception in the exception handler", "exception": error})

    def get_debug(self) -> bool:
        return self._debug

    def set_debug(self, enabled: bool) -> None:
        self._debug = enabled


class WebLoopPolicy(asyncio.DefaultEventLoopPolicy):
    """Every event loop is a WebLoop; get_event_loop() returns the shared one."""

    def __init__(self) -> None:
        super().__init__()
        self._default: WebLoop | None = None

    def get_event_loop(self) -> WebLoop:
        if self._default is None or self._default.is_closed():
            self._default = WebLoop()
        return self._default

    def set_event_loop(self, loop) -> None:
        self._default = loop

    def new_event_loop(self) -> WebLoop:
        return WebLoop()


def get_loop() -> asyncio.AbstractEventLoop:
    return asyncio.get_event_loop_policy().get_event_loop()


def as_js_promise(awaitable: Any) -> JsProxy:
    """A JS Promise settled with the awaitable's result (or its exception)."""
    if isinstance(awaitable, JsProxy):
        return awaitable
    future = asyncio.ensure_future(awaitable, loop=get_loop())

    def executor(resolve, reject) -> None:
        def settle(done: asyncio.Future) -> None:
            if done.cancelled():
                reject(_kiln_core.js_error(asyncio.CancelledError()))
            elif (error := done.exception()) is not None:
                reject(_kiln_core.js_error(error))
            else:
                resolve(_for_js(done.result()))

        future.add_done_callback(settle)

    return _js.Promise.new(create_once_callable(executor))


def _for_js(value: Any) -> Any:
    """Scalars as they are; anything else as a PyProxy JS owns (not borrowed)."""
    if value is None or isinstance(value, (bool, int, float, str, JsProxy)):
        return value
    return create_proxy(value)


def future_of_promise(promise: JsProxy) -> asyncio.Future:
    """An asyncio Future settled by a JS promise."""
    loop = get_loop()
    future = loop.create_future()

    def on_value(value: Any) -> None:
        if not future.done():
            future.set_result(value)

    def on_error(error: Any) -> None:
        if future.done():
            return
        from .ffi import JsException

        original = _kiln_core.python_exception_of(error)
        if original is not None:
            future.set_exception(original)  # a Python exception that went out to JS
        else:
            exception = JsException(_describe(error))
            exception.js_error = error
            future.set_exception(exception)

    # Only one of the two handlers runs; either releases both.
    handlers: list[JsProxy] = []

    def settling(callback):
        def handler(value: Any) -> None:
            for proxy in handlers:
                proxy.destroy()
            callback(value)

        return handler

    handlers.extend([create_proxy(settling(on_value)), create_proxy(settling(on_error))])
    promise.then(*handlers)
    return future


def _describe(error: Any) -> str:
    try:
        return f"{error.name}: {error.message}"
    except AttributeError:
        return str(error)


def install() -> None:
    if not isinstance(asyncio.get_event_loop_policy(), WebLoopPolicy):
        asyncio.set_event_loop_policy(WebLoopPolicy())


install()
