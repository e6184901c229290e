"""HTTP from Python over the host's fetch: pyfetch, open_url, pyxhr,
urllib.request, http.client, urllib3 and requests against a real server on
127.0.0.1 (tests/servers/endpoints.py), in Node 20, Node 24, Chromium's main
thread (runPythonAsync) and a Chromium Web Worker (runPython)."""

import json
import socket
from pathlib import Path

import pytest

from servers import endpoints

PROBE = (Path(__file__).parent / "http_probe.py").read_text()
TEXT = endpoints.TEXT
BINARY_5MB = endpoints.binary_sha256(5)
CHUNKED = "".join(f"chunk {i}\n" for i in range(10))
STREAM = ["first\n", "last released=true"]
ECHO = ["POST", {"a": [1, 2]}, "yes"]

# What each probe must see. Failures are "timeout", "tls" or "unreachable";
# browsers cannot tell a refused connection from a TLS failure (fetch says
# only "Failed to fetch"), so there both are checked to be errors of some kind.
EXPECTED = {
    "urllib": {
        "text": [200, TEXT], "binary": BINARY_5MB, "echo": ECHO, "redirect": TEXT,
        "status404": [404, "status 404\n"], "status500": [500, "status 500\n"], "slow": "timeout",
        "gzip": (TEXT * 50)[:40], "chunked": CHUNKED, "repeated": "one, two", "stream": STREAM,
        "refused": "unreachable", "tls": "tls",
    },
    "http_client": {
        "text": [200, "OK", TEXT], "echo": ["POST", "part one, part two"], "head": [200, 0],
        "status404": [404, "status 404\n"], "repeated": "one, two", "binary": BINARY_5MB, "slow": "timeout",
        "stream": STREAM, "refused": "unreachable", "tls": "tls",
    },
    "pyxhr": {
        "text": [200, TEXT], "open_url": TEXT, "binary": BINARY_5MB, "echo": ECHO, "redirect": TEXT,
        "status404": [404, "HttpStatusError"], "status500": [500, "HttpStatusError"], "slow": "timeout",
        "gzip": (TEXT * 50)[:40], "chunked": CHUNKED, "repeated": "one, two", "refused": "unreachable", "tls": "tls",
    },
    "requests": {
        "text": [200, TEXT], "binary": BINARY_5MB, "echo": ECHO, "form": {"name": "kiln", "n": "3"}, "redirect": TEXT,
        "status404": [404, "HTTPError"], "status500": [500, "HTTPError"], "slow": "timeout",
        "gzip": (TEXT * 50)[:40], "chunked": CHUNKED, "repeated": "one, two",
        "cookies": {"flavour": "oat", "size": "big"}, "stream": STREAM,
        "iter_content": [True, endpoints.binary_sha256(1)], "refused": "unreachable", "tls": "tls",
    },
    "urllib3": {
        "text": [200, TEXT], "binary": BINARY_5MB, "echo": ECHO, "redirect": TEXT, "status404": 404,
        "slow": "timeout", "gzip": (TEXT * 50)[:40], "chunked": CHUNKED, "stream": STREAM,
        "refused": "unreachable", "tls": "tls",
    },
    "pyfetch": {
        "text": [200, TEXT], "binary": BINARY_5MB, "echo": ECHO, "redirect": [TEXT, True],
        "status404": [404, "HttpStatusError"], "status500": [500, "HttpStatusError"], "body_used": [True, True],
        "cancelled": True, "abort": "enough", "gzip": (TEXT * 50)[:40], "chunked": CHUNKED, "stream": STREAM,
        "refused": "ConnectionError", "tls": "ConnectionError",
    },
}
NEEDS_INDEX = {"requests": "requests", "urllib3": "urllib3"}


@pytest.fixture(scope="module")
def closed_port() -> int:
    """A port nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def check(seen: dict, api: str, in_browser: bool) -> None:
    expected = dict(EXPECTED[api])
    if in_browser:
        for key in ("refused", "tls"):
            assert seen.pop(key, "").startswith(("unreachable", "tls", "failed", "ConnectionError")), (key, seen)
            expected.pop(key)
    assert seen == expected


def _probe_call(api: str, server_url: str, tls_url: str, port: int) -> str:
    args = f"{json.dumps(server_url)}, {json.dumps(tls_url)}, {port}"
    if api == "pyfetch":
        return f"import json; json.dumps(await probe_pyfetch({args}))"
    return f"import json; json.dumps(probe_{api}({args}))"


def _install_line(api: str, server_url: str) -> str:
    if api not in NEEDS_INDEX:
        return ""
    return f"await kiln.install([{json.dumps(NEEDS_INDEX[api])}], {{ index_urls: [{json.dumps(server_url + '/index/simple')}] }});"


SYNC_APIS = ["urllib", "http_client", "pyxhr", "requests", "urllib3"]


@pytest.mark.parametrize("api", [*SYNC_APIS, "pyfetch"])
def test_http_api_in_node(api, node, server_url, tls_server, closed_port):
    run = "runPythonAsync" if api == "pyfetch" else "runPython"
    result = node.report(f"""
        const kiln = await loadKiln({{ packageCache: false }});
        {_install_line(api, server_url)}
        kiln.runPython({json.dumps(PROBE)});
        const seen = JSON.parse(await kiln.{run}({json.dumps(_probe_call(api, server_url, tls_server.url, closed_port))}));
        report([seen, kiln.runPython("6 * 7")]);
    """, timeout=240)
    seen, alive = result
    check(seen, api, in_browser=False)
    assert alive == 42


def test_requests_under_runpythonasync_in_node24(node24, server_url, tls_server, closed_port):
    """With JSPI available (runPythonAsync), Node still uses Kiln's transport: urllib3's fetch backend would hide Set-Cookie."""
    result = node24.report(f"""
        const kiln = await loadKiln({{ packageCache: false }});
        {_install_line("requests", server_url)}
        kiln.runPython({json.dumps(PROBE)});
        const state = await kiln.runPythonAsync("from kiln.ffi import can_run_sync; from kiln.http import _urllib3; [can_run_sync(), _urllib3._urllib3_backend_preferred()]");
        const seen = JSON.parse(await kiln.runPythonAsync({json.dumps(_probe_call("requests", server_url, tls_server.url, closed_port))}));
        report([state.toJs(), seen]);
    """, timeout=240)
    state, seen = result
    assert state == [True, False]
    check(seen, "requests", in_browser=False)


@pytest.mark.parametrize("api", [*SYNC_APIS, "pyfetch"])
def test_http_api_in_chromium_main_thread(api, chromium, server_url, tls_server, closed_port):
    seen = json.loads(chromium.main(f"""
        const kiln = await loadKiln({{ packageCache: false }});
        {_install_line(api, server_url)}
        kiln.runPython({json.dumps(PROBE)});
        return await kiln.runPythonAsync({json.dumps(_probe_call(api, server_url, tls_server.url, closed_port))});
    """))
    check(seen, api, in_browser=True)


@pytest.mark.parametrize("api", [*SYNC_APIS, "pyfetch"])
def test_http_api_in_chromium_worker(api, chromium, server_url, tls_server, closed_port):
    run = "runPythonAsync" if api == "pyfetch" else "runPython"
    seen = json.loads(chromium.worker(f"""
        const kiln = await loadKiln({{ packageCache: false }});
        {_install_line(api, server_url)}
        kiln.runPython({json.dumps(PROBE)});
        return await kiln.{run}({json.dumps(_probe_call(api, server_url, tls_server.url, closed_port))});
    """))
    check(seen, api, in_browser=True)


def test_raw_sockets_stay_refused_with_a_pointer_to_http(node24):
    message = node24.report("""
        const kiln = await loadKiln();
        report(kiln.runPython("import socket\\ntry:\\n  socket.socket()\\nexcept OSError as e:\\n  r = str(e)\\nr"));
    """)
    assert "urllib" in message and "requests" in message


def test_many_blocking_requests_keep_memory_bounded(node, server_url):
    # Each blocking request talks to the helper thread through a shared
    # buffer; they are reused, so 300 requests must not hold 300 MiB.
    before, after, bodies = node.report(f"""
        const kiln = await loadKiln();
        kiln.runPython("import urllib.request; urllib.request.urlopen('{server_url}/api/text').read()");
        globalThis.gc?.();
        const before = process.memoryUsage().arrayBuffers;
        const bodies = kiln.runPython(`
import urllib.request
{{urllib.request.urlopen('{server_url}/api/text').read() for _ in range(300)}}
`).toJs();
        report([before, process.memoryUsage().arrayBuffers, [...bodies].length]);
    """)
    assert bodies == 1
    assert after - before < 64 * 2**20, f"array buffers grew by {(after - before) / 2**20:.0f} MiB over 300 requests"
