"""HTTP endpoints the HTTP tests and benchmark talk to (under /api/).

    /api/text                 a short UTF-8 text
    /api/binary?mb=N          N MB (default 5) of deterministic bytes, with Content-Length
    /api/echo                 the request (method, headers, body, JSON, form) as JSON
    /api/redirect/N           a chain of N redirects ending at /api/text
    /api/status/CODE          that status, with a short body
    /api/slow?seconds=S       waits S seconds before answering
    /api/gzip                 a gzip-encoded body (Content-Encoding: gzip)
    /api/chunked              a chunked body with no Content-Length
    /api/repeated-headers     X-Multi and Set-Cookie twice each
    /api/cookies/set?k=v      sets cookies, then redirects to /api/cookies
    /api/cookies              the cookies the client sent, as JSON
    /api/stream?id=X          "first" now, the rest only after /api/release?id=X
                              (or after 20 s): the last line says which
    /api/release?id=X         releases that stream
"""

from __future__ import annotations

import gzip
import hashlib
import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler

TEXT = "hello from the test server: grüße, 你好\n"
_released: dict[str, threading.Event] = {}
_released_lock = threading.Lock()


def binary(mb: float) -> bytes:
    """Deterministic bytes (repeatable, not compressible)."""
    size = int(mb * 1_000_000)
    block = b"".join(hashlib.sha256(i.to_bytes(4, "little")).digest() for i in range(2048))  # 64 KiB
    return (block * (size // len(block) + 1))[:size]


def binary_sha256(mb: float) -> str:
    return hashlib.sha256(binary(mb)).hexdigest()


def _release_event(stream_id: str) -> threading.Event:
    with _released_lock:
        return _released.setdefault(stream_id, threading.Event())


def _send(handler: BaseHTTPRequestHandler, status: int, body: bytes, content_type: str = "text/plain; charset=utf-8",
          headers: list[tuple[str, str]] = ()) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    for name, value in headers:
        handler.send_header(name, value)
    handler.end_headers()
    if handler.command != "HEAD":
        handler.wfile.write(body)


def _send_chunked(handler: BaseHTTPRequestHandler, parts, content_type: str = "text/plain; charset=utf-8") -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Transfer-Encoding", "chunked")
    handler.end_headers()
    for part in parts:
        handler.wfile.write(f"{len(part):x}\r\n".encode() + part + b"\r\n")
        handler.wfile.flush()
    handler.wfile.write(b"0\r\n\r\n")
    handler.wfile.flush()


def _stream_lines(stream_id: str):
    yield b"first\n"
    released = _release_event(stream_id).wait(timeout=20)
    for i in range(2, 5):
        yield f"line {i}\n".encode()
    yield f"last released={str(released).lower()}\n".encode()


def handle(handler: BaseHTTPRequestHandler, body: bytes) -> None:
    """Answer a request under /api/."""
    url = urllib.parse.urlsplit(handler.path)
    query = dict(urllib.parse.parse_qsl(url.query))
    parts = [p for p in url.path.split("/") if p][1:]
    route = parts[0] if parts else ""
    if route == "text":
        _send(handler, 200, TEXT.encode())
    elif route == "binary":
        _send(handler, 200, binary(float(query.get("mb", 5))), "application/octet-stream")
    elif route == "echo":
        text = body.decode("utf-8", errors="replace")
        content_type = handler.headers.get("Content-Type", "")
        echo = {
            "method": handler.command,
            "path": handler.path,
            "headers": {k.lower(): v for k, v in handler.headers.items()},
            "body": text,
            "json": json.loads(text) if "json" in content_type and text else None,
            "form": dict(urllib.parse.parse_qsl(text)) if "x-www-form-urlencoded" in content_type else None,
        }
        _send(handler, 200, json.dumps(echo).encode(), "application/json")
    elif route == "redirect":
        remaining = int(parts[1]) if len(parts) > 1 else 1
        target = "/api/text" if remaining <= 1 else f"/api/redirect/{remaining - 1}"
        _send(handler, 302, b"", headers=[("Location", target)])
    elif route == "status":
        code = int(parts[1])
        _send(handler, code, f"status {code}\n".encode())
    elif route == "slow":
        time.sleep(float(query.get("seconds", 3)))
        _send(handler, 200, b"finally\n")
    elif route == "gzip":
        _send(handler, 200, gzip.compress(TEXT.encode() * 50), headers=[("Content-Encoding", "gzip")])
    elif route == "chunked":
        _send_chunked(handler, [f"chunk {i}\n".encode() for i in range(10)])
    elif route == "repeated-headers":
        headers = [("X-Multi", "one"), ("X-Multi", "two"), ("Set-Cookie", "a=1; Path=/api/repeated-headers"), ("Set-Cookie", "b=2; Path=/api/repeated-headers")]
        _send(handler, 200, b"repeated\n", headers=headers)
    elif route == "cookies" and len(parts) > 1 and parts[1] == "set":
        cookies = [("Set-Cookie", f"{k}={v}; Path=/") for k, v in query.items()]
        _send(handler, 302, b"", headers=[*cookies, ("Location", "/api/cookies")])
    elif route == "cookies":
        jar = dict(
            pair.strip().split("=", 1) for pair in handler.headers.get("Cookie", "").split(";") if "=" in pair
        )
        _send(handler, 200, json.dumps({"cookies": jar}).encode(), "application/json")
    elif route == "stream":
        _send_chunked(handler, _stream_lines(query.get("id", "default")))
    elif route == "release":
        _release_event(query.get("id", "default")).set()
        _send(handler, 200, b"released\n")
    else:
        _send(handler, 404, b"no such endpoint\n")
