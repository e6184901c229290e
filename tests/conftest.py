"""Shared fixtures: Node runners, a local HTTP server for dist/, Chromium."""

from __future__ import annotations

import json
import subprocess
import textwrap
from pathlib import Path

import pytest

from kiln import cached, config, toolchain

from servers.package_index import PackageIndex
from servers.server import TestServer

TESTS = Path(__file__).parent
PAGES = TESTS / "pages"

CHROMIUM_ARGS = [
    *config.CHROMIUM_ARGS,
    # A host name that is not a secure context (127.0.0.1 is), for plain-http page tests.
    "--host-resolver-rules=MAP kiln.test 127.0.0.1",
]


def pytest_terminal_summary(terminalreporter):
    """Heavy packages built on request: say loudly when their tests did not run."""
    skipped = terminalreporter.stats.get("skipped", [])
    for package, target in (("SciPy", "make scipy"),):
        count = sum(1 for report in skipped if f"{package} tests skipped" in str(report.longrepr))
        if count:
            banner = f"{package} tests skipped ({count}): wheel not built (run `{target}`, then `make test`)"
            terminalreporter.write_sep("!", banner, yellow=True, bold=True)


# A browser test waits on a page that can hang in a synchronous loop (where no
# JS timer can fire): bound each one well below the run's limit.
BROWSER_TEST_TIMEOUT_S = 600


def pytest_collection_modifyitems(items):
    for item in items:
        if {"page", "chromium"} & set(item.fixturenames) and item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(BROWSER_TEST_TIMEOUT_S))


def pytest_sessionstart(session):
    if not (config.DIST / "kiln.mjs").exists():
        pytest.exit("dist/ is not built: run `make dist` (or `make test`, which builds it)", returncode=2)


class NodeRunner:
    """Runs an ES module snippet under a given Node; `loadKiln` is imported.

    The snippet reports results with `report(value)`, which the test reads
    back as JSON (BigInt values arrive as {"bigint": "..."}).
    """

    def __init__(self, major: str, tmp_path: Path, *, snapshot: bool = False):
        self.major = major
        self.binary = toolchain.node_binary(major)
        self.tmp_path = tmp_path
        self.snapshot = snapshot

    def run(
        self, body: str, *, timeout: float = 120, stdin: str = "", check: bool = True, node_args: tuple[str, ...] = ()
    ) -> subprocess.CompletedProcess:
        script = self.tmp_path / "case.mjs"
        prelude = (
            f"import {{ loadKiln as loadKilnPlain }} from {json.dumps((config.DIST / 'kiln.mjs').as_uri())};\n"
            + (SNAPSHOT_LOADER if self.snapshot else "const loadKiln = loadKilnPlain;\n")
            + "const loadPyodide = loadKiln;\n"
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


# The snapshot variant of the `node` fixture: every loadKiln() whose options a
# snapshot can honour starts from dist/kiln-snapshot.bin, and must have.
SNAPSHOT_LOADER = """
const loadKiln = async (options = {}) => {
  const applies = options.snapshot === undefined && !options.args?.length
    && !Object.keys(options.env ?? {}).some((key) => key.startsWith("PYTHON"));
  const kiln = await loadKilnPlain(applies ? { ...options, snapshot: true } : options);
  if (applies && !options.fsInit && !kiln.startedFromSnapshot) throw new Error("test harness: Python did not start from the snapshot");
  return kiln;
};
"""


@pytest.fixture(
    params=[*sorted(config.NODE_MAJORS, reverse=True), "snapshot"],
    ids=lambda param: param if param == "snapshot" else f"node{param}",
)
def node(request, tmp_path) -> NodeRunner:
    """Each test using this runs under Node 24 (JSPI), Node 20 (no JSPI), and
    Node 24 started from the memory snapshot (loadKiln({snapshot: true}))."""
    if request.param == "snapshot":
        return NodeRunner(config.NODE_DEFAULT, tmp_path, snapshot=True)
    return NodeRunner(request.param, tmp_path)


@pytest.fixture
def node24(tmp_path) -> NodeRunner:
    return NodeRunner(config.NODE_DEFAULT, tmp_path)


@pytest.fixture(scope="session")
def http_root(tmp_path_factory) -> Path:
    """What the test server serves: /dist/, /pages/, /conformance/ and
    /pyscript/ (PyScript from npm, for the compatibility tests)."""
    root = tmp_path_factory.mktemp("www")
    (root / "dist").symlink_to(config.DIST)
    (root / "pyscript").symlink_to(config.LOADER_DIR / "node_modules" / "@pyscript" / "core" / "dist")
    (root / "pages").symlink_to(PAGES)
    (root / "conformance").symlink_to(TESTS / "conformance")
    return root


@pytest.fixture(scope="session")
def package_index(tmp_path_factory) -> PackageIndex:
    """Real PyPI wheels (pinned by sha256) and one built here, as an index."""
    return PackageIndex(tmp_path_factory.mktemp("index"))


@pytest.fixture(scope="session")
def test_server(http_root, package_index):
    """dist/, the test pages, /api/ endpoints and /index/, cross-origin isolated."""
    server = TestServer(http_root, index=package_index)
    yield server
    server.close()


@pytest.fixture(scope="session")
def server_url(test_server) -> str:
    return test_server.url


@pytest.fixture(scope="session")
def plain_server(http_root, package_index):
    """The same, without COOP/COEP: no SharedArrayBuffer for pages served by it."""
    server = TestServer(http_root, index=package_index, isolated=False)
    yield server
    server.close()


@pytest.fixture(scope="session")
def tls_server(http_root, tmp_path_factory):
    """An HTTPS twin whose self-signed certificate nobody trusts."""
    server = TestServer(http_root, tls_dir=tmp_path_factory.mktemp("tls"))
    yield server
    server.close()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": str(config.CHROMIUM), "args": CHROMIUM_ARGS}


class BrowserRunner:
    """Runs the body of an async JS function (with `loadKiln` in scope) in
    Chromium: on the page's main thread, or in a module Web Worker."""

    def __init__(self, page, base_url: str):
        self.page = page
        self.base_url = base_url
        page.goto(f"{base_url}/pages/blank.html")

    def main(self, body: str, timeout: float = 120_000):
        self.page.set_default_timeout(timeout)
        # page.evaluate has no timeout of its own: a stuck promise must fail,
        # not hang the run (a page stuck in a synchronous loop is caught by
        # the per-test timeout that pytest_collection_modifyitems sets).
        return self.page.evaluate(
            """([body, timeout]) => Promise.race([
                new Function("loadKiln", `return (async () => { ${body} })()`)(loadKiln),
                new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer within ${timeout} ms`)), timeout)),
            ])""",
            [body, timeout],
        )

    def worker(self, body: str, timeout: float = 120_000):
        self.page.set_default_timeout(timeout)
        result = self.page.evaluate(
            """([body, timeout]) => new Promise((resolve) => {
                const worker = new Worker("/pages/eval-worker.mjs", { type: "module" });
                // page.evaluate has no timeout of its own: a stuck worker must fail, not hang the run
                setTimeout(() => { worker.terminate(); resolve({ error: `no answer within ${timeout} ms` }); }, timeout);
                worker.onmessage = (event) => {
                  if (event.data.ready) return worker.postMessage({ body });
                  worker.terminate();
                  resolve(event.data);
                };
                worker.onerror = (event) => resolve({ error: event.message });
            })""",
            [body, timeout],
        )
        if "error" in result:
            raise AssertionError(f"worker failed: {result['error']}")
        return result["value"]


@pytest.fixture
def chromium(page, server_url) -> BrowserRunner:
    """Chromium on a cross-origin isolated page (SharedArrayBuffer available)."""
    return BrowserRunner(page, server_url)


@pytest.fixture(scope="session")
def native_python() -> Path:
    """Native CPython with the reference NumPy and SciPy (pinned by sha256 in
    tests/native_reference/requirements.txt), to compute expected values."""
    import hashlib
    import sys

    requirements = TESTS / "native_reference" / "requirements.txt"
    key = hashlib.sha256(requirements.read_bytes()).hexdigest()[:16]

    def install(venv: Path) -> None:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--require-hashes", "--only-binary=:all:",
                        "-r", str(requirements)], check=True)

    return cached.stage(config.BUILD / f"native-reference-{key}", install) / "bin" / "python"


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where tests leave screenshots (test-results/, ignored by git)."""
    folder = TESTS.parent / "test-results"
    folder.mkdir(exist_ok=True)
    return folder
