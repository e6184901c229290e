"""Chromium: the loader from a <script> tag and as an ES module, and console.html."""

from playwright.sync_api import expect


def test_script_tag_loads_kiln_and_python_result_reaches_the_dom(page, server_url):
    page.goto(f"{server_url}/pages/smoke.html")
    expect(page.locator("#status")).to_have_text("done", timeout=60_000)
    expect(page.locator("#result")).to_have_text("285")
    expect(page.locator("#output")).to_have_text("hello from emscripten\n")


def test_es_module_import_and_python_error_in_browser(page, server_url):
    page.goto(f"{server_url}/pages/module.html")
    expect(page.locator("#result")).to_have_text(
        "PythonError/ValueError: ValueError: bad value | after: ok", timeout=60_000
    )


def test_console_page_runs_typed_code(page, server_url):
    page.goto(f"{server_url}/dist/console.html")
    code = page.locator("#code")
    expect(code).to_be_enabled(timeout=60_000)
    expect(page.locator("#output")).to_contain_text("Python 3.13.5")
    code.fill("print('printed'); 7 * 6")
    page.locator("#run").click()
    expect(page.locator("#output")).to_contain_text("printed\n42")
    code.fill("1/0")
    page.locator("#run").click()
    expect(page.locator("#output .err")).to_contain_text("ZeroDivisionError: division by zero")
