"""urllib3 (and so requests) in Kiln.

urllib3 >= 2.2 brings its own Emscripten backend and switches to it on
import. Kiln keeps it where it works well: in browsers, under JSPI (fetch,
streamed) and in contexts without a helper thread (synchronous XHR, as Kiln
would do). Elsewhere requests go through Kiln's blocking transport, with
urllib3's own error types: in Node (without JSPI urllib3's backend refuses;
with it, its fetch hides Set-Cookie from requests' cookie jar) and in
cross-origin isolated workers (its streaming worker starts only once control
returns to JS, so the first requests would not stream).
"""

from __future__ import annotations

import io
import zlib

import _kiln_core

from . import _transport

_DECODERS = _transport._DECODERS


_IN_NODE = not hasattr(_kiln_core.js_global(), "document") and hasattr(getattr(_kiln_core.js_global(), "process", None), "versions")


def _urllib3_backend_preferred() -> bool:
    return not _IN_NODE and (_kiln_core.can_run_sync() or _transport.backend() == "xhr")


class _OriginalResponse:
    """What requests reads Set-Cookie from (`response.raw._original_response.msg`)."""

    def __init__(self, headers: list[tuple[str, str]]):
        import http.client

        self.msg = http.client.HTTPMessage()
        for name, value in headers:
            self.msg[name] = value


class _BodyStream(io.RawIOBase):
    """A transport response body as a raw stream, decoded if the host did not
    (urllib3's Emscripten response expects decoded bodies, as browsers give)."""

    def __init__(self, response: _transport.Response, encoding: str | None, url: str):
        self._response = response
        self._url = url
        self._decoder = zlib.decompressobj(_DECODERS[encoding]) if encoding else None
        self._pending = memoryview(b"")

    def readable(self) -> bool:
        return True

    def _next_chunk(self) -> bytes:
        from urllib3.exceptions import ProtocolError, ReadTimeoutError

        try:
            chunk = self._response.read_chunk()
        except TimeoutError:
            raise ReadTimeoutError(None, self._url, "Read timed out.") from None
        except OSError as error:
            raise ProtocolError("Connection broken", error) from None
        if self._decoder is None:
            return chunk
        return self._decoder.decompress(chunk) if chunk else self._decoder.flush()

    def readinto(self, buffer) -> int:
        while not self._pending:
            chunk = self._next_chunk()
            if not chunk and (self._decoder is None or self._decoder.eof or self._response._closed):
                return 0
            self._pending = memoryview(chunk)
        n = min(len(buffer), len(self._pending))
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n

    def close(self) -> None:
        self._response.close()
        super().close()


def _body_bytes(body) -> bytes | None:
    if body is None:
        return None
    if isinstance(body, str):
        return body.encode("utf-8")
    if isinstance(body, (bytes, bytearray, memoryview)):
        return bytes(body)
    if hasattr(body, "read"):
        data = body.read()
        return data.encode("utf-8") if isinstance(data, str) else data
    return b"".join(part.encode("utf-8") if isinstance(part, str) else bytes(part) for part in body)


def _raise_connection_error(connection, error: OSError, url: str):
    from urllib3.exceptions import NameResolutionError, NewConnectionError, ReadTimeoutError, SSLError

    if isinstance(error, TimeoutError):
        raise ReadTimeoutError(None, url, f"Read timed out. (read timeout={connection.timeout})") from None
    if isinstance(error, _transport.CertificateVerifyError):
        raise SSLError(str(error)) from None
    if isinstance(error, OSError) and type(error).__name__ == "gaierror":
        raise NameResolutionError(connection.host, connection, error) from None
    raise NewConnectionError(connection, f"Failed to establish a new connection: {error}") from None


class _TransportRequests:
    """Mixed into urllib3's Emscripten connections: request() through Kiln's
    transport unless urllib3's own backend is preferred here."""

    def request(self, method, url, body=None, headers=None, *, chunked=False, preload_content=True,
                decode_content=True, enforce_content_length=True):
        if _urllib3_backend_preferred():
            return super().request(method, url, body, headers, chunked=chunked, preload_content=preload_content,
                                   decode_content=decode_content, enforce_content_length=enforce_content_length)
        from urllib3._collections import HTTPHeaderDict
        from urllib3.contrib.emscripten.request import EmscriptenRequest
        from urllib3.contrib.emscripten.response import EmscriptenResponse

        self._closed = False
        self._kiln_headers = None
        if url.startswith("/"):
            url = f"{self.scheme}://{self.host}{f':{self.port}' if self.port else ''}{url}"
        request = EmscriptenRequest(url=url, method=method, timeout=self.timeout or 0, decode_content=decode_content)
        request.set_body(body)
        pairs = [(str(k), str(v)) for k, v in (headers or {}).items()]
        try:
            response = _transport.request(method, url, pairs, _body_bytes(body), self.timeout or None)
        except OSError as error:
            _raise_connection_error(self, error, url)
        response_headers = HTTPHeaderDict()
        encoding = None
        for name, value in response.headers:
            lower = name.lower()
            if not response.decoded and lower == "content-encoding" and value.strip().lower() in _DECODERS:
                encoding = value.strip().lower()
            response_headers.add(name, value)
        self._kiln_headers = response.headers
        if encoding:
            response_headers.discard("content-encoding")
            response_headers.discard("content-length")
        response_headers.discard("transfer-encoding")
        self._response = EmscriptenResponse(
            status_code=response.status, headers=response_headers, body=_BodyStream(response, encoding, url), request=request
        )

    def getresponse(self):
        response = super().getresponse()
        if getattr(self, "_kiln_headers", None) is not None:
            response._original_response = _OriginalResponse(self._kiln_headers)
        return response


def install(urllib3) -> None:
    """urllib3 (just imported, its Emscripten backend injected): use Kiln's
    connections, which choose per request between that backend and Kiln's."""
    from urllib3 import connection, connectionpool
    from urllib3.contrib.emscripten.connection import EmscriptenHTTPConnection, EmscriptenHTTPSConnection

    class KilnHTTPConnection(_TransportRequests, EmscriptenHTTPConnection):
        pass

    class KilnHTTPSConnection(_TransportRequests, EmscriptenHTTPSConnection):
        pass

    connectionpool.HTTPConnectionPool.ConnectionCls = KilnHTTPConnection
    connectionpool.HTTPSConnectionPool.ConnectionCls = KilnHTTPSConnection
    connection.HTTPConnection = KilnHTTPConnection
    connection.HTTPSConnection = KilnHTTPSConnection
    connection.VerifiedHTTPSConnection = KilnHTTPSConnection
