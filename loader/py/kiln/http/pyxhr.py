"""A small requests-like synchronous HTTP API (Pyodide's `pyodide.http.pyxhr`).

In Pyodide it is synchronous XMLHttpRequest, browsers only; in Kiln it uses
the blocking transport, so it works in Node and Web Workers too.
"""

from __future__ import annotations

import base64
import json as _json
from typing import Any
from urllib.parse import urlencode

from . import _transport
from ._errors import HttpStatusError, XHRError, XHRNetworkError, XHRTimeoutError

__all__ = ["XHRError", "XHRNetworkError", "XHRResponse", "XHRTimeoutError", "delete", "get", "head", "options",
           "patch", "post", "put"]


class XHRResponse:
    """status_code, headers (lower-case names), content, text, json(), ok, url."""

    def __init__(self, status_code: int, reason: str, url: str, headers: dict[str, str], content: bytes):
        self.status_code = status_code
        self.reason = reason
        self.url = url
        self.headers = headers
        self.content = content

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")

    @property
    def ok(self) -> bool:
        return 200 <= self.status_code < 400

    def json(self, **kwargs: Any) -> Any:
        return _json.loads(self.text, **kwargs)

    def raise_for_status(self) -> None:
        if 400 <= self.status_code < 600:
            raise HttpStatusError(self.status_code, self.reason, self.url)

    def __repr__(self) -> str:
        return f"<XHRResponse [{self.status_code}]>"


def _request(method: str, url: str, *, headers: dict[str, str] | None = None, params: dict[str, Any] | None = None,
             data: str | bytes | None = None, json: Any = None, auth: tuple[str, str] | None = None,
             timeout: float | None = None) -> XHRResponse:
    headers = dict(headers or {})
    if params:
        url = f"{url}{'&' if '?' in url else '?'}{urlencode(params)}"
    if auth:
        user, password = auth
        headers["Authorization"] = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
    if json is not None:
        data = _json.dumps(json)
        headers["Content-Type"] = "application/json"
    body = data.encode() if isinstance(data, str) else data
    try:
        response = _transport.request_following_redirects(method, url, list(headers.items()), body, timeout)
        content = response.read_content()
    except TimeoutError as error:
        raise XHRTimeoutError(f"{method} {url} timed out after {timeout} s") from error
    except OSError as error:
        raise XHRNetworkError(f"{method} {url} failed: {error}") from error
    names = {}
    for name, value in response.content_headers():
        key = name.lower()
        names[key] = f"{names[key]}, {value}" if key in names else value
    return XHRResponse(response.status, response.reason, response.url, names, content)


def get(url: str, **kwargs: Any) -> XHRResponse:
    return _request("GET", url, **kwargs)


def post(url: str, **kwargs: Any) -> XHRResponse:
    return _request("POST", url, **kwargs)


def put(url: str, **kwargs: Any) -> XHRResponse:
    return _request("PUT", url, **kwargs)


def delete(url: str, **kwargs: Any) -> XHRResponse:
    return _request("DELETE", url, **kwargs)


def head(url: str, **kwargs: Any) -> XHRResponse:
    return _request("HEAD", url, **kwargs)


def patch(url: str, **kwargs: Any) -> XHRResponse:
    return _request("PATCH", url, **kwargs)


def options(url: str, **kwargs: Any) -> XHRResponse:
    return _request("OPTIONS", url, **kwargs)
