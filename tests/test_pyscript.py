"""PyScript (npm @pyscript/core, pinned by loader/package-lock.json) running
on Kiln in Chromium: PyScript is told to use Kiln's kiln.mjs as its
Pyodide-compatible interpreter, as a user would, and each test checks what the
page shows."""

from playwright.sync_api import expect

from kiln import config

PAGES = "/pages/pyscript"


def _open(page, server_url, name, errors):
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{server_url}{PAGES}/{name}.html")


def test_main_thread_script_and_events(page, server_url):
    errors = []
    _open(page, server_url, "main", errors)
    expect(page.locator("#version")).to_have_text(f"python {config.PYTHON_MAJOR_MINOR}", timeout=60_000)
    page.click("#button")
    expect(page.locator("#clicked")).to_contain_text("clicked button")
    expect(page.locator("#clicked")).to_contain_text("decorated handler ran")
    assert errors == []
    assert page.locator(".py-error").count() == 0


def test_worker_script_reaches_the_dom(page, server_url):
    errors = []
    _open(page, server_url, "worker", errors)
    expect(page.locator("#from-worker")).to_have_text(
        "worker says emscripten, page title 'PyScript on Kiln: worker with DOM access'", timeout=60_000
    )
    assert errors == []


def test_terminal_input_blocks_until_the_user_types(page, server_url):
    errors = []
    _open(page, server_url, "terminal", errors)
    rows = page.locator(".xterm-rows")
    expect(rows).to_contain_text("What is your name?", timeout=60_000)
    page.locator(".xterm-helper-textarea").focus()
    page.keyboard.type("Kiln")
    page.keyboard.press("Enter")
    expect(rows).to_contain_text("Hello, Kiln!")
    assert errors == []


def test_a_python_error_shows_the_banner(page, server_url):
    errors = []
    _open(page, server_url, "error", errors)
    banner = page.locator(".py-error")
    expect(banner).to_contain_text("ValueError: shown in the banner", timeout=60_000)
    # The traceback quotes the script's own line.
    expect(banner).to_contain_text('raise ValueError("shown in the banner")')
