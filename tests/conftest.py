"""Shared fixtures: Node runners, a local HTTP server for dist/, Chromium."""

from __future__ import annotations

import functools
import http.server
import json
import subprocess
import textwrap
import threading
from pathlib import Path

import pytest

from kiln import config, toolchain

TESTS = Path(__file__).parent
PAGES = TESTS / "pages"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_sessionstart(session):
    if not (config.DIST / "kiln.mjs").exists():
        pytest.exit("dist/ is not built: run `make dist` (or `make test`, which builds it)", returncode=2)


class NodeRunner:
    """Runs an ES module snippet under a given Node; `loadKiln` is imported.

    The snippet reports results with `report(value)`, which the test reads
    back as JSON (BigInt values arrive as {"bigint": "..."}).
    """

    def __init__(self, major: str, tmp_path: Path):
        self.major = major
        self.binary = toolchain.node_binary(major)
        self.tmp_path = tmp_path

    def run(
        self, body: str, *, timeout: float = 120, stdin: str = "", check: bool = True, node_args: tuple[str, ...] = ()
    ) -> subprocess.CompletedProcess:
        script = self.tmp_path / "case.mjs"
        prelude = (
            f"import {{ loadKiln, loadPyodide }} from {json.dumps((config.DIST / 'kiln.mjs').as_uri())};\n"
            "const report = (value) => console.log('REPORT ' + JSON.stringify(value,"
            " (k, v) => typeof v === 'bigint' ? { bigint: v.toString() } : v));\n"
        )
        # Report a failure as its stack only: Node would also echo the source
        # line that threw, which in minified glue is hundreds of kilobytes.
        wrapped = (
            "try {\n" + textwrap.dedent(body) + "\n} catch (error) {\n"
            "  console.error('UNCAUGHT ' + (error && error.stack || error));\n  process.exit(1);\n}\n"
        )
        script.write_text(prelude + wrapped)
        proc = subprocess.run(
            [str(self.binary), *node_args, str(script)], capture_output=True, text=True, timeout=timeout, input=stdin
        )
        if check and proc.returncode != 0:
            raise AssertionError(f"node {self.major} exited with {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}")
        return proc

    def reports(self, body: str, **kwargs) -> list:
        proc = self.run(body, **kwargs)
        return [json.loads(line[len("REPORT "):]) for line in proc.stdout.splitlines() if line.startswith("REPORT ")]

    def report(self, body: str, **kwargs):
        values = self.reports(body, **kwargs)
        assert len(values) == 1, f"expected one report, got {values}"
        return values[0]


@pytest.fixture(params=["24", "20"], ids=lambda major: f"node{major}")
def node(request, tmp_path) -> NodeRunner:
    """Each test using this runs under Node 24 (JSPI) and Node 20 (no JSPI)."""
    return NodeRunner(request.param, tmp_path)


@pytest.fixture
def node24(tmp_path) -> NodeRunner:
    return NodeRunner("24", tmp_path)


class _Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".mjs": "text/javascript",
        ".js": "text/javascript",
        ".wasm": "application/wasm",
        ".zip": "application/zip",
    }

    def end_headers(self):
        # Cross-origin isolation, so pages may use SharedArrayBuffer.
        self.send_header("Cross-Origin-Opener-Policy", "same-origin")
        self.send_header("Cross-Origin-Embedder-Policy", "require-corp")
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def http_root(tmp_path_factory) -> Path:
    """What the test server serves: /dist/, /pages/ and /conformance/."""
    root = tmp_path_factory.mktemp("www")
    (root / "dist").symlink_to(config.DIST)
    (root / "pages").symlink_to(PAGES)
    (root / "conformance").symlink_to(TESTS / "conformance")
    return root


@pytest.fixture(scope="session")
def server_url(http_root) -> str:
    handler = functools.partial(_Handler, directory=str(http_root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": str(config.CHROMIUM), "args": CHROMIUM_ARGS}
