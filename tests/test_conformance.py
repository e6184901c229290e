"""Code written for Pyodide runs unchanged on Kiln: tests/conformance/snippets.mjs.

The snippets also run on Pyodide itself, which shows they are written in
Pyodide's API and that the expected results are Pyodide's.
"""

import json
import subprocess
import sys
from pathlib import Path

from kiln import config, toolchain

RUNNER = Path(__file__).parent / "conformance" / "run.mjs"
MIN_SNIPPETS = 40


def _run(folder: Path) -> list[dict]:
    proc = subprocess.run(
        [str(toolchain.node_binary()), str(RUNNER), str(folder)], capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])["results"]


def test_pyodide_snippets_pass_on_kiln(capsys):
    results = _run(config.DIST)
    failed = [r for r in results if not r["ok"]]
    with capsys.disabled():
        print(f"\nconformance: {len(results) - len(failed)}/{len(results)} snippets pass on Kiln")
    assert len(results) >= MIN_SNIPPETS
    assert failed == []


def test_snippets_are_valid_pyodide_code():
    sys.path.insert(0, str(config.BENCHMARK_DIR))
    import peer

    results = _run(peer.pyodide_dir())
    failed = [r for r in results if not r["ok"]]
    assert failed == [], "the snippets must hold on Pyodide too"


def test_pyodide_snippets_pass_on_kiln_in_chromium(page, server_url):
    page.goto(f"{server_url}/pages/conformance.html")
    page.wait_for_function("document.getElementById('results').textContent !== 'running'", timeout=120_000)
    results = json.loads(page.locator("#results").text_content())
    failed = [r for r in results if not r["ok"]]
    assert len(results) >= MIN_SNIPPETS
    assert failed == []


CONSOLE_RUNNER = Path(__file__).parent / "conformance" / "run_console.mjs"


def _console_results(folder: Path) -> dict:
    proc = subprocess.run(
        [str(toolchain.node_binary()), str(CONSOLE_RUNNER), str(folder)], capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_console_api_behaves_as_pyodides():
    """Same inputs to pyodide.console on Kiln and on Pyodide 314: same results."""
    sys.path.insert(0, str(config.BENCHMARK_DIR))
    import peer

    kiln = _console_results(config.DIST)
    pyodide = _console_results(peer.pyodide_dir())
    assert kiln == pyodide
