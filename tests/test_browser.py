"""Chromium: the loader from a <script> tag and as an ES module, and console.html."""

from playwright.sync_api import expect

from kiln import config


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


def test_console_page_is_a_repl_in_a_worker(page, server_url, artifacts):
    page.goto(f"{server_url}/dist/console.html")
    line, prompt, out = page.locator("#line"), page.locator("#prompt"), page.locator("#out")
    expect(line).to_be_enabled(timeout=60_000)
    expect(out).to_contain_text(f"Python {config.PYTHON_VERSION}")
    expect(page.locator("#status")).to_contain_text("Ctrl-C or Stop interrupts")

    def enter(text: str) -> None:
        # The line is disabled while code runs: keys typed then would be lost.
        expect(line).to_be_enabled(timeout=30_000)
        line.press_sequentially(text)
        line.press("Enter")

    enter("def square(x):")
    expect(prompt).to_have_text("... ")
    enter("    return x * x")
    enter("")
    expect(prompt).to_have_text(">>> ")
    enter("square(7)")
    expect(out).to_contain_text("49")
    line.press_sequentially("impo")
    line.press("Tab")
    expect(line).to_have_value("import ")  # a keyword completes with its space (CPython's rlcompleter, as on Pyodide)
    line.press_sequentially("pluggy")  # a lock-file package: loaded before the line runs
    line.press("Enter")
    enter("pluggy.__name__")
    expect(out).to_contain_text("'pluggy'")
    enter("name = input('name? ')")
    expect(out).to_contain_text("name? ")
    enter("Ada")
    enter("name * 2")
    expect(out).to_contain_text("'AdaAda'")
    enter("while True: pass")
    enter("")
    page.wait_for_timeout(500)
    page.locator("#stop").click()
    expect(page.locator("#out .err").last).to_contain_text("KeyboardInterrupt")
    expect(prompt).to_have_text(">>> ")
    # Stop during input(): the next line is code again, not input()'s answer.
    enter("answer = input('never? ')")
    expect(out).to_contain_text("never? ")
    page.locator("#stop").click()
    expect(page.locator("#out .err").last).to_contain_text("KeyboardInterrupt")
    expect(prompt).to_have_text(">>> ")
    enter("6 * 7")
    expect(page.locator("#out .result").last).to_have_text("42\n")
    enter("1/0")
    expect(page.locator("#out .err").last).to_contain_text("ZeroDivisionError: division by zero")
    line.press("ArrowUp")
    expect(line).to_have_value("1/0")
    page.screenshot(path=str(artifacts / "console-repl.png"), full_page=True)
