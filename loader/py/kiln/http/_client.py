"""http.client over the host's fetch, so urllib.request, http.client and what
is built on them work unchanged.

http.client writes an HTTP/1.1 request to its socket and parses the response
it reads back. Here the socket is a FetchSocket: it collects the request
bytes, sends the request through the blocking transport as soon as it is
complete (so connection errors surface from request(), as with a real
socket), and serves the response back as HTTP/1.1 bytes, the body streamed
chunk by chunk as the host delivers it. http.client's own parser, and
everything above it, stay as they are.
"""

from __future__ import annotations

import collections
import io
import socket

from . import _transport

# The host reassembles chunked bodies; browsers also undo Content-Encoding
# (the Content-Length they report is then the encoded one).
_FRAMING_HEADERS = {"transfer-encoding"}
_DECODED_DROPPED_HEADERS = {"transfer-encoding", "content-encoding", "content-length"}
_DEFAULT_PORTS = {"http": 80, "https": 443}


class _IncompleteRequest(Exception):
    pass


def _parse_request(data: bytes) -> tuple[str, str, list[tuple[str, str]], bytes, int]:
    """(method, target, headers, body, bytes used) of the first whole request in `data`."""
    end = data.find(b"\r\n\r\n")
    if end < 0:
        raise _IncompleteRequest
    lines = data[:end].decode("latin-1").split("\r\n")
    method, target, _version = lines[0].split(" ", 2)
    headers = []
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers.append((name.strip(), value.strip()))
    names = {name.lower(): value for name, value in headers}
    start = end + 4
    if "chunked" in names.get("transfer-encoding", "").lower():
        body, used = _dechunk(data, start)
        headers = [(n, v) for n, v in headers if n.lower() != "transfer-encoding"]
        return method, target, headers, body, used
    length = int(names.get("content-length", "0"))
    if len(data) < start + length:
        raise _IncompleteRequest
    return method, target, headers, bytes(data[start:start + length]), start + length


def _dechunk(data: bytes, position: int) -> tuple[bytes, int]:
    body = bytearray()
    while True:
        line_end = data.find(b"\r\n", position)
        if line_end < 0:
            raise _IncompleteRequest
        size = int(data[position:line_end].split(b";", 1)[0], 16)
        position = line_end + 2
        if size == 0:
            trailer_end = data.find(b"\r\n\r\n", position - 2)
            if trailer_end < 0:
                raise _IncompleteRequest
            return bytes(body), trailer_end + 4
        if len(data) < position + size + 2:
            raise _IncompleteRequest
        body += data[position:position + size]
        position += size + 2


class _ResponseStream(io.RawIOBase):
    """The response as HTTP/1.1 bytes: a head built from the host's response,
    then its body, read from the host as http.client asks for it. The first
    read waits for the response, so a slow server times out where it would
    with a socket: in http.client's reading of the status line."""

    def __init__(self, pending: _transport.PendingRequest):
        self._pending_request = pending
        self._response: _transport.Response | None = None
        self._unread = memoryview(b"")

    def _head(self) -> bytes:
        self._response = response = self._pending_request.response()
        dropped = _DECODED_DROPPED_HEADERS if response.decoded else _FRAMING_HEADERS
        lines = [f"HTTP/1.1 {response.status} {response.reason}"]
        lines += [f"{name}: {value}" for name, value in response.headers if name.lower() not in dropped]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if not self._unread:
            self._unread = memoryview(self._head() if self._response is None else self._response.read_chunk())
            if not self._unread:
                return 0
        n = min(len(buffer), len(self._unread))
        buffer[:n] = self._unread[:n]
        self._unread = self._unread[n:]
        return n

    def close(self) -> None:
        if self._response is not None:
            self._response.close()
        else:
            self._pending_request.close()
        super().close()


class FetchSocket:
    """What an HTTPConnection holds as its socket (see the module docstring)."""

    def __init__(self, scheme: str, host: str, port: int, timeout: float | None):
        self._origin = f"{scheme}://{host}" if port == _DEFAULT_PORTS[scheme] else f"{scheme}://{host}:{port}"
        self._scheme = scheme
        self._timeout = timeout
        self._outgoing = bytearray()
        self._pending: collections.deque[_transport.PendingRequest] = collections.deque()

    def settimeout(self, timeout: float | None) -> None:
        self._timeout = timeout

    def gettimeout(self) -> float | None:
        return self._timeout

    def setsockopt(self, *args) -> None:
        pass

    def sendall(self, data) -> None:
        self._outgoing += data
        while self._outgoing:
            try:
                method, target, headers, body, used = _parse_request(self._outgoing)
            except _IncompleteRequest:
                return
            del self._outgoing[:used]
            self._pending.append(self._send(method, target, headers, body))

    def send(self, data) -> int:
        self.sendall(data)
        return len(data)

    def _send(self, method: str, target: str, headers: list[tuple[str, str]], body: bytes) -> _transport.PendingRequest:
        if target.startswith(("http://", "https://")):
            url = target  # absolute form (a proxy request)
        else:
            host = next((value for name, value in headers if name.lower() == "host"), None)
            url = f"{self._scheme}://{host}{target}" if host else self._origin + target
        pending = _transport.start(method, url, headers, body or None, self._timeout)
        pending.sent()  # a refused connection fails here, in request(), as with a socket
        return pending

    def makefile(self, mode: str = "rb", buffering: int | None = None, **kwargs) -> io.BufferedReader:
        if not self._pending:
            raise OSError("no response to read: the request was not complete")
        return io.BufferedReader(_ResponseStream(self._pending.popleft()))

    def close(self) -> None:
        # Like a socket with a file still open on it: responses being read go on.
        self._outgoing.clear()
        while self._pending:
            self._pending.popleft().close()


class FetchTLSContext:
    """Stands in for ssl.SSLContext: TLS is the host's, which always verifies
    certificates against its own trust store."""

    check_hostname = True
    verify_mode = 2  # ssl.CERT_REQUIRED
    post_handshake_auth = None

    def set_alpn_protocols(self, protocols) -> None:
        pass

    def load_verify_locations(self, *args, **kwargs) -> None:
        raise NotImplementedError("Kiln's HTTPS uses the host's certificate store: extra CA files cannot be added")


def _timeout_of(connection) -> float | None:
    timeout = connection.timeout
    return socket.getdefaulttimeout() if timeout is socket._GLOBAL_DEFAULT_TIMEOUT else timeout


def _connect(self) -> None:
    """HTTPConnection.connect: a FetchSocket instead of a TCP connection."""
    if self._tunnel_host:
        raise OSError(f"cannot tunnel to {self._tunnel_host} through a proxy: Kiln's HTTP goes through the host's fetch")
    scheme = getattr(self, "_kiln_scheme", "http")
    if scheme == "https":
        context = getattr(self, "_context", None)
        if context is not None and (not context.check_hostname or context.verify_mode == 0):
            raise OSError("certificate checks cannot be turned off: Kiln's HTTPS is the host's, which always verifies")
    self.sock = FetchSocket(scheme, self.host, self.port, _timeout_of(self))


def _create_https_context(http_version: int) -> FetchTLSContext:
    return FetchTLSContext()


def install(client) -> None:
    """Route http.client (just imported) through the host's fetch."""
    client.HTTPConnection.connect = _connect
    if not hasattr(client, "HTTPSConnection"):  # no ssl module: define one

        class HTTPSConnection(client.HTTPConnection):
            """HTTPS through the host's fetch (certificates checked by the host)."""

            default_port = client.HTTPS_PORT
            _kiln_scheme = "https"

            def __init__(self, host, port=None, *, timeout=socket._GLOBAL_DEFAULT_TIMEOUT, source_address=None,
                         context=None, blocksize=8192):
                super().__init__(host, port, timeout, source_address, blocksize=blocksize)
                self._context = context if context is not None else FetchTLSContext()

        HTTPSConnection.__module__ = client.__name__
        client.HTTPSConnection = HTTPSConnection
        client.__all__.append("HTTPSConnection")
        client._create_https_context = _create_https_context
