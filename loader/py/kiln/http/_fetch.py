"""pyfetch: the JS fetch() API for Python coroutines (Pyodide's `pyodide.http.pyfetch`)."""

from __future__ import annotations

import asyncio
import builtins
import contextvars
import json
from typing import Any

import _kiln_core

from ..ffi import JsException, JsProxy, to_js
from ._errors import AbortError, BodyUsedError, HttpStatusError

_js = _kiln_core.js_global()

#: The fetch function pyfetch uses when none is passed; the package installer
#: swaps in its caching fetcher while an install runs.
default_fetcher: contextvars.ContextVar[Any] = contextvars.ContextVar("kiln_default_fetcher", default=None)


def _js_object(options: dict[str, Any]) -> JsProxy:
    return to_js(options, dict_converter=_js.Object.fromEntries)


def _abort_reason(reason: object) -> object:
    if reason is None:
        return None
    error = _js.Error.new(str(reason))
    error.name = "AbortError"
    return error


class FetchResponse:
    """The response of a pyfetch(): status and headers now, the body on request."""

    def __init__(self, url: str, js_response: JsProxy, abort_controller: JsProxy | None = None,
                 abort_signal: JsProxy | None = None) -> None:
        self._url = url
        self.js_response = js_response
        self.abort_controller = abort_controller
        self.abort_signal = abort_signal

    @property
    def body_used(self) -> bool:
        return bool(self.js_response.bodyUsed)

    @property
    def headers(self) -> dict[str, str]:
        return _js.Object.fromEntries(self.js_response.headers.entries()).to_py()

    @property
    def ok(self) -> bool:
        return bool(self.js_response.ok)

    @property
    def redirected(self) -> bool:
        return bool(self.js_response.redirected)

    @property
    def status(self) -> int:
        return int(self.js_response.status)

    @property
    def status_text(self) -> str:
        return str(self.js_response.statusText)

    @property
    def type(self) -> str:
        return str(self.js_response.type)

    @property
    def url(self) -> str:
        return str(self.js_response.url) or self._url

    def __repr__(self) -> str:
        return f"<FetchResponse [{self.status}] {self.url}>"

    def raise_for_status(self) -> None:
        """Raise HttpStatusError for a 4xx or 5xx status."""
        if 400 <= self.status < 600:
            raise HttpStatusError(self.status, self.status_text, self.url)

    def clone(self) -> FetchResponse:
        """An independent copy, so the body can be read twice."""
        if self.body_used:
            raise BodyUsedError
        return FetchResponse(self._url, self.js_response.clone(), self.abort_controller, self.abort_signal)

    def abort(self, reason: object = None) -> None:
        """Abort the request (a body being read raises AbortError)."""
        if self.abort_controller is None:
            raise ValueError("this response has no abort controller")
        self.abort_controller.abort(_abort_reason(reason))

    async def _body(self, method: str) -> Any:
        if self.abort_signal is not None and self.abort_signal.aborted:
            raise AbortError(self.abort_signal.reason)
        if self.body_used:
            raise BodyUsedError
        try:
            return await getattr(self.js_response, method)()
        except JsException as error:
            if self.abort_signal is not None and self.abort_signal.aborted:
                raise AbortError(self.abort_signal.reason) from None
            raise OSError(f"reading the body of {self.url} failed: {error}") from None
        except asyncio.CancelledError as cancel:
            if self.abort_controller is not None:
                self.abort_controller.abort(_abort_reason("\n".join(map(str, cancel.args)) or None))
            raise

    async def buffer(self) -> JsProxy:
        """The body as a JS ArrayBuffer."""
        return await self._body("arrayBuffer")

    async def text(self) -> str:
        return str(await self._body("text"))

    async def string(self) -> str:
        """Same as text() (Pyodide's older name)."""
        return await self.text()

    async def json(self, **kwargs: Any) -> Any:
        """The body parsed with json.loads (kwargs are passed on)."""
        return json.loads(await self.text(), **kwargs)

    async def bytes(self) -> builtins.bytes:
        return (await self.buffer()).to_bytes()

    async def memoryview(self) -> builtins.memoryview:
        return builtins.memoryview(await self.bytes())

    async def unpack_archive(self, *, extract_dir: str | None = None, format: str | None = None) -> None:
        """Unpack the body (zip, tar, tar.gz, ...) with shutil.unpack_archive;
        the format comes from the URL's file name unless given."""
        from ._archive import unpack_bytes

        unpack_bytes(await self.bytes(), self.url.rsplit("/", 1)[-1].split("?", 1)[0], extract_dir, format)


async def pyfetch(request: str | JsProxy, /, *, signal: JsProxy | None = None, fetcher: Any = None,
                  **kwargs: Any) -> FetchResponse:
    """fetch(request, kwargs) for Python: kwargs are fetch()'s options
    (method, headers, body, credentials, ...). Cancelling the awaiting task
    aborts the request."""
    controller = _js.AbortController.new()
    if signal is not None:
        signal = _js.AbortSignal.any(to_js([signal, controller.signal]))
    else:
        signal = controller.signal
    kwargs["signal"] = signal
    if isinstance(kwargs.get("body"), (bytes, bytearray, builtins.memoryview)):
        kwargs["body"] = to_js(bytes(kwargs["body"]))
    options = _js_object(kwargs)
    fetcher = fetcher or default_fetcher.get() or _js.fetch
    url = request if isinstance(request, str) else str(request.url)
    try:
        js_response = await fetcher(request, options)
    except asyncio.CancelledError as cancel:
        controller.abort(_abort_reason("\n".join(map(str, cancel.args)) or None))
        raise
    except JsException as error:
        if signal.aborted:
            raise AbortError(signal.reason) from None
        raise ConnectionError(f"fetch of {url} failed: {error}") from None
    return FetchResponse(url, js_response, controller, signal)
