"""The bridge in Chromium: DOM from Python, Python event handlers, JSPI."""

import pytest
from playwright.sync_api import expect


def test_python_builds_dom_elements_and_handles_clicks(page, server_url):
    page.goto(f"{server_url}/pages/dom.html")
    expect(page.locator("#status")).to_have_text("ready", timeout=60_000)
    button = page.locator("#increment")
    expect(button).to_have_attribute("title", "made in Python")
    expect(button).to_have_class("from-python")
    assert button.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(10, 20, 30)"
    button.click()
    button.click()
    expect(page.locator("#count")).to_have_text("2")
    expect(button).to_have_attribute("data-clicked", "yes")


def test_python_error_in_event_handler_is_reported_and_page_keeps_working(page, server_url):
    page.goto(f"{server_url}/pages/dom.html")
    expect(page.locator("#status")).to_have_text("ready", timeout=60_000)
    page.locator("#explode").click()
    expect(page.locator("#errors li")).to_have_count(1)
    expect(page.locator("#errors li")).to_contain_text("ValueError")
    expect(page.locator("#errors li")).to_contain_text("handler failed on purpose")
    page.locator("#increment").click()
    expect(page.locator("#count")).to_have_text("1")
    assert page.evaluate("kiln.runPython('2 + 2')") == 4


def test_sleep_and_run_sync_do_not_freeze_the_page(page, server_url):
    page.goto(f"{server_url}/pages/dom.html")
    expect(page.locator("#status")).to_have_text("ready", timeout=60_000)
    result = page.evaluate(
        """async (url) => {
            let frames = 0;
            let running = true;
            const tick = () => { frames++; if (running) setTimeout(tick, 10); };
            tick();
            const value = await kiln.runPythonAsync(`
import time, js
from pyodide.ffi import run_sync
time.sleep(0.3)
response = run_sync(js.fetch("${url}"))
run_sync(response.text())[:15]`);
            running = false;
            return [kiln.jspiAvailable, value, frames];
        }""",
        f"{server_url}/pages/dom.html",
    )
    assert result[0] is True
    assert result[1] == "<!doctype html>"
    assert result[2] >= 15, "JS kept running while Python slept and waited"


RECURSION_BODY = """
const kiln = await loadKiln();
const out = [];
globalThis.bounce = (n) => kiln.globals.get("bounce_py")(n + 1);
kiln.runPython("import js\\ndef bounce_py(n): return js.bounce(n)");
for (const code of ["bounce_py(0)", "def f(n): return f(n + 1)\\nf(0)",
                    "import functools\\n@functools.lru_cache\\ndef h(n): return h(n + 1)\\nh(0)"]) {
  try { kiln.runPython(code); out.push("no error"); } catch (e) { out.push(e.type ?? e.message.slice(0, 300)); }
}
out.push(kiln.runPython("1 + 1"));
return out;
"""


@pytest.mark.parametrize("thread", ["main", "worker"])
def test_deep_recursion_in_chromium_is_a_recursion_error(chromium, thread):
    # Chromium's stack (smaller in workers) must still hold the RecursionError:
    # Python -> JS -> Python recursion included.
    run = chromium.main if thread == "main" else chromium.worker
    assert run(RECURSION_BODY) == ["RecursionError", "RecursionError", "RecursionError", 2]
