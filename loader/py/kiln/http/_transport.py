"""Blocking HTTP requests: the primitive under urllib, http.client, pyxhr and
open_url. The host makes the request (loader/src/net/http_host.mjs) while
Python waits: a helper thread in Node and cross-origin isolated workers, JSPI
where Python may block on a promise, synchronous XHR elsewhere in browsers."""

from __future__ import annotations

import errno
import socket
import zlib

import _kiln_core

from .. import _host
from ..ffi import JsException, JsPromise, run_sync, to_js

# Node's error codes for a certificate the host does not trust.
_CERTIFICATE_CODES = {
    "DEPTH_ZERO_SELF_SIGNED_CERT",
    "SELF_SIGNED_CERT_IN_CHAIN",
    "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
    "UNABLE_TO_GET_ISSUER_CERT",
    "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
    "CERT_HAS_EXPIRED",
    "CERT_NOT_YET_VALID",
    "CERT_REVOKED",
    "ERR_TLS_CERT_ALTNAME_INVALID",
}


_DECODERS = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}


class CertificateVerifyError(ConnectionError):
    """The host refused the server's TLS certificate (as ssl.SSLCertVerificationError would)."""


def _timeout_ms(timeout: float | None) -> int:
    return 0 if timeout is None else max(1, int(timeout * 1000))


def _python_error(error: JsException, url: str) -> OSError:
    """The OSError a socket-based client would have raised for a failed request."""
    js_error = error.js_error
    name = getattr(js_error, "name", "")
    code = getattr(js_error, "code", "") or ""
    message = getattr(js_error, "message", str(error))
    if name == "TimeoutError":
        return TimeoutError("timed out")
    if code == "ECONNREFUSED":
        return ConnectionRefusedError(errno.ECONNREFUSED, f"Connection refused: {message}")
    if code == "ECONNRESET":
        return ConnectionResetError(errno.ECONNRESET, f"Connection reset by peer: {message}")
    if code in ("ENOTFOUND", "EAI_AGAIN", "EAI_NONAME"):
        return socket.gaierror(socket.EAI_NONAME, f"Name or service not known: {message}")
    if code in _CERTIFICATE_CODES or code.startswith("ERR_TLS_"):
        return CertificateVerifyError(f"certificate verify failed: {message} [{code}]")
    # Browsers say only "Failed to fetch" (or NetworkError): CORS, DNS, refused
    # connections and TLS failures all look alike there.
    return ConnectionError(f"{message} (the browser gives no detail: a refused connection, an unknown host, "
                           "a TLS failure or a CORS refusal all look alike)" if not code else message)


def _interrupted(error: JsException) -> bool:
    return getattr(error.js_error, "name", "") == "KilnInterrupted"


class Response:
    """A response whose head has arrived; the body is read piece by piece."""

    def __init__(self, kind: str, request_id: int, head, url: str, timeout: float | None):
        self._kind = kind
        self._id = request_id
        self._timeout_ms = _timeout_ms(timeout)
        self._url = url
        self._closed = False
        self.status: int = int(head.status)
        self.reason: str = str(head.statusText)
        self.url: str = str(head.url)
        self.redirected: bool = bool(head.redirected)
        flat = list(head.headers)
        self.headers: list[tuple[str, str]] = list(zip(flat[::2], flat[1::2]))
        #: The host already undid Content-Encoding and chunking (browsers' fetch and XHR).
        self.decoded: bool = bool(head.decoded)

    def content_headers(self) -> list[tuple[str, str]]:
        """The headers that describe the body as read_content() returns it."""
        dropped = {"transfer-encoding"}
        if self.decoded or self.content_encoding() in _DECODERS:
            dropped |= {"content-encoding", "content-length"}
        return [(k, v) for k, v in self.headers if k.lower() not in dropped]

    def content_encoding(self) -> str:
        return next((v.strip().lower() for k, v in self.headers if k.lower() == "content-encoding"), "")

    def read_content(self) -> bytes:
        """The whole body, with gzip/deflate undone (as fetch and XHR give it)."""
        chunks = []
        while chunk := self.read_chunk():
            chunks.append(chunk)
        data = b"".join(chunks)
        if not self.decoded and self.content_encoding() in _DECODERS:
            data = zlib.decompress(data, _DECODERS[self.content_encoding()])
        return data

    def read_chunk(self) -> bytes:
        """The next piece of the body; b"" at its end."""
        if self._closed:
            return b""
        chunk = _call("read", self._kind, self._id, self._timeout_ms, url=self._url)
        data = chunk.to_bytes()
        if not data:
            self._closed = True
        return data

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            _host.http.close(self._kind, self._id)

    def __del__(self) -> None:
        if not getattr(self, "_closed", True) and _host.http is not None:
            self.close()


class PendingRequest:
    """A request on its way: sent() waits until it is sent (connection errors
    surface there), response() until the response's head has arrived."""

    def __init__(self, kind: str, request_id: int, url: str, timeout: float | None):
        self._kind = kind
        self._id = request_id
        self._url = url
        self._timeout = timeout
        self._done = False

    def sent(self) -> None:
        self._guarded("sent", _timeout_ms(self._timeout))

    def response(self) -> Response:
        head = self._guarded("head", _timeout_ms(self._timeout))
        self._done = True
        return Response(self._kind, self._id, head, self._url, self._timeout)

    def _guarded(self, method: str, *args):
        try:
            return _call(method, self._kind, self._id, *args, url=self._url)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        if not self._done:
            self._done = True
            _host.http.close(self._kind, self._id)


def _call(method: str, kind: str, *args, url: str):
    """Call the host, blocking; JS errors become the OSErrors sockets give."""
    while True:
        try:
            result = getattr(_host.http, method)(kind, *args)
            return run_sync(result) if isinstance(result, JsPromise) else result
        except JsException as error:
            if _interrupted(error):
                _kiln_core.check_signals()  # raises KeyboardInterrupt, or runs the handler and waits on
                continue
            raise _python_error(error, url) from None


def backend() -> str:
    """How a blocking request goes out here, or raise saying why it cannot."""
    host = _host.http
    if host is None:
        raise OSError(errno.ENOSYS, "HTTP is not available: the runtime was started without its host")
    kind = host.choose(_kiln_core.can_run_sync())
    if not kind:
        raise OSError(errno.ENOSYS, f"blocking HTTP is not available here: {host.unavailableReason()}")
    return kind


def start(method: str, url: str, headers: list[tuple[str, str]], body: bytes | None = None,
          timeout: float | None = None) -> PendingRequest:
    """Send a request; returns at once (see PendingRequest)."""
    kind = backend()
    flat = [part for pair in headers for part in pair]
    request_id = _call("start", kind, url, method, to_js(flat), to_js(body) if body else None, url=url)
    return PendingRequest(kind, request_id, url, timeout)


def request(method: str, url: str, headers: list[tuple[str, str]], body: bytes | None = None,
            timeout: float | None = None) -> Response:
    """Send a request and wait for the response's head."""
    pending = start(method, url, headers, body, timeout)
    pending.sent()
    return pending.response()


_REDIRECTS = {301, 302, 303, 307, 308}


def request_following_redirects(method: str, url: str, headers: list[tuple[str, str]], body: bytes | None = None,
                                timeout: float | None = None, limit: int = 20) -> Response:
    """request(), following redirects as fetch() does (where the host did not already)."""
    from urllib.parse import urljoin

    for _ in range(limit + 1):
        response = request(method, url, headers, body, timeout)
        location = next((v for k, v in response.headers if k.lower() == "location"), None)
        if response.status not in _REDIRECTS or location is None:
            return response
        response.close()
        url = urljoin(url, location)
        if response.status == 303 or (response.status in (301, 302) and method == "POST"):
            method, body = "GET", None
            headers = [(k, v) for k, v in headers if k.lower() not in ("content-type", "content-length")]
    raise OSError(f"more than {limit} redirects, last to {url}")
