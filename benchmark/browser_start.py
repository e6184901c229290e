"""Headless Chromium, warm HTTP cache: time from navigation start to the first
runPython result, Kiln and Pyodide served from one local HTTP server.

Each runtime gets its own browser context; its first visit fills the HTTP
cache (and Chromium's compiled-code cache) and is not counted. Visits then
alternate between the runtimes, so both see the same machine state.
"""

from __future__ import annotations

import statistics
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from kiln import config


def _page(module: str, loader: str, options: str = "") -> str:
    """A page that loads a runtime and records when its first result arrived
    (performance.now() counts from navigation start)."""
    return f"""<!doctype html><meta charset="utf-8"><script type="module">
const {{ {loader} }} = await import("{module}");
const runtime = await {loader}({{ indexURL: "{module.rsplit('/', 1)[0]}/"{options} }});
const value = runtime.runPython("1 + 1");
window.firstResult = {{ ms: performance.now(), value, snapshot: runtime.startedFromSnapshot }};
</script>"""


# Served at /<runtime>.html.
PAGES = {
    "kiln": _page("/kiln/kiln.mjs", "loadKiln"),
    "kiln-snapshot": _page("/kiln-snapshot/kiln.mjs", "loadKiln", ", snapshot: true"),
    "pyodide": _page("/pyodide/pyodide.mjs", "loadPyodide"),
}
LABELS = {"kiln": "Kiln", "kiln-snapshot": "Kiln (snapshot)"}


class _Handler(SimpleHTTPRequestHandler):
    """Files of both runtimes, cacheable for an hour (a warm cache revalidates nothing)."""

    roots: dict[str, Path] = {}

    def translate_path(self, path: str) -> str:
        prefix, _, rest = path.split("?", 1)[0].lstrip("/").partition("/")
        root = self.roots.get(prefix)
        return str(root / rest) if root and rest else "/nonexistent"

    def do_GET(self) -> None:
        page = PAGES.get(self.path.lstrip("/").removesuffix(".html"))
        if page is None:
            return super().do_GET()
        body = page.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def end_headers(self) -> None:
        if not self.path.endswith(".html"):
            self.send_header("Cache-Control", "public, max-age=3600")
        super().end_headers()

    def log_message(self, *args) -> None:
        pass


def measure(runtimes: dict[str, Path], runs: int) -> dict[str, list[float]]:
    """ms from navigation start to the first runPython result, per runtime."""
    from playwright.sync_api import sync_playwright

    _Handler.roots = {name: Path(folder).resolve() for name, folder in runtimes.items()}
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    times: dict[str, list[float]] = {name: [] for name in runtimes}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(config.CHROMIUM), args=config.CHROMIUM_ARGS)
            contexts = {name: browser.new_context() for name in runtimes}
            pages = {name: context.new_page() for name, context in contexts.items()}
            for visit in range(runs + 1):
                for name, page in pages.items():
                    page.goto(f"{base}/{name}.html")
                    page.wait_for_function("window.firstResult !== undefined", timeout=120_000)
                    result = page.evaluate("window.firstResult")
                    if result["value"] != 2:
                        raise RuntimeError(f"{name} in Chromium: runPython('1 + 1') gave {result['value']!r}")
                    if name == "kiln-snapshot" and not result["snapshot"]:
                        raise RuntimeError("Kiln in Chromium did not start from its snapshot")
                    if visit:  # the first visit fills the cache
                        times[name].append(result["ms"])
            browser.close()
    finally:
        server.shutdown()
    return times


def report(times: dict[str, list[float]], peer_label: str) -> list[tuple[str, float, float]]:
    print("\nHeadless Chromium, warm HTTP cache: navigation start to the first runPython('1 + 1') result (ms)")
    for name, values in times.items():
        label = LABELS.get(name, peer_label)
        print(f"  {label:<18} {', '.join(f'{v:.0f}' for v in values)}  (median {statistics.median(values):.0f})")
    peer = statistics.median(times["pyodide"])
    return [
        ("Chromium first runPython, warm (ms)", statistics.median(times["kiln"]), peer),
        ("Chromium, from snapshot, warm (ms)", statistics.median(times["kiln-snapshot"]), peer),
    ]
