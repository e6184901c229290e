"""The tests' HTTP server on 127.0.0.1: static files (dist/, test pages), the
HTTP endpoints (/api/, endpoints.py) and the package index (/index/,
package_index.py), over plain HTTP or TLS, with or without cross-origin
isolation headers (COOP/COEP, which SharedArrayBuffer needs in browsers)."""

from __future__ import annotations

import functools
import http.server
import ssl
import subprocess
import threading
from pathlib import Path

from . import endpoints
from .package_index import PackageIndex


class _Handler(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".mjs": "text/javascript",
        ".js": "text/javascript",
        ".wasm": "application/wasm",
        ".zip": "application/zip",
        ".whl": "application/zip",
    }
    isolated = True
    index: PackageIndex | None = None
    static_log: list[str] | None = None

    def end_headers(self):
        if self.isolated:
            self.send_header("Cross-Origin-Opener-Policy", "same-origin")
            self.send_header("Cross-Origin-Embedder-Policy", "require-corp")
        self.send_header("Cross-Origin-Resource-Policy", "cross-origin")
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Expose-Headers", "*")
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, *args):
        pass

    def _body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", ""):
            data = bytearray()
            while (size := int(self.rfile.readline().split(b";")[0], 16)) > 0:
                data += self.rfile.read(size)
                self.rfile.readline()
            self.rfile.readline()
            return bytes(data)
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _dispatch(self) -> None:
        try:
            self._route()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (a timeout test): nothing to answer

    def _route(self) -> None:
        body = self._body()
        if self.path.startswith("/api/"):
            endpoints.handle(self, body)
        elif self.path.startswith("/index/") and self.index is not None:
            host = self.headers.get("Host", f"127.0.0.1:{self.server.server_address[1]}")
            status, content_type, data = self.index.page(self.path.split("?", 1)[0], self.headers.get("Accept", ""), f"http://{host}")
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        elif self.command in ("GET", "HEAD"):
            if self.static_log is not None:
                self.static_log.append(self.path)
            super().do_GET() if self.command == "GET" else super().do_HEAD()
        else:
            self.send_error(405)

    def do_OPTIONS(self):
        self.send_response(204)
        self.send_header("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS")
        self.send_header("Access-Control-Allow-Headers", "*")
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = _dispatch


class TestServer:
    """A running server; `url` is its origin (http://127.0.0.1:PORT)."""

    def __init__(self, root: Path, *, isolated: bool = True, index: PackageIndex | None = None,
                 tls_dir: Path | None = None):
        handler = type("Handler", (_Handler,), {"isolated": isolated, "index": index, "static_log": []})
        self.static_log = handler.static_log
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(root)))
        self.httpd.daemon_threads = True
        scheme = "http"
        if tls_dir is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*self_signed_certificate(tls_dir))
            self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
            scheme = "https"
        self.url = f"{scheme}://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def self_signed_certificate(folder: Path) -> tuple[str, str]:
    """A certificate for 127.0.0.1 that nothing trusts."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    if not cert.exists():
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
             "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
            check=True, capture_output=True,
        )
    return str(cert), str(key)
