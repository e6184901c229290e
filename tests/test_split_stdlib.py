"""Stdlib modules split out of the core (cpython_module packages: sqlite3,
cjk-codecs) load on first import, verified, wherever the host allows it."""

import json

from playwright.sync_api import expect

from kiln import config

SQLITE_SUM = (
    "import sqlite3; db = sqlite3.connect(':memory:'); db.execute('create table t (x)');"
    "db.executemany('insert into t values (?)', [(1,), (2,)]); db.execute('select sum(x) from t').fetchone()[0]"
)


def test_split_modules_load_on_first_import_in_node(node):
    values = node.report(f"""
        const kiln = await loadKiln();
        const before = Object.keys(kiln.loadedPackages);
        const total = kiln.runPython({json.dumps(SQLITE_SUM)});
        const japanese = kiln.runPython("'日本語'.encode('shift_jis').hex()");
        const chinese = kiln.runPython("bytes.fromhex('c4e3bac3').decode('gbk')");
        report([before, total, japanese, chinese, Object.keys(kiln.loadedPackages).sort()]);
    """)
    assert values == [[], 3, "93fa967b8cea", "你好", ["cjk-codecs", "sqlite3"]]


def test_split_module_with_bad_checksum_is_refused_and_runtime_survives(node24, tmp_path):
    lock = json.loads((config.DIST / config.LOCK_FILE).read_text())
    lock["packages"]["sqlite3"]["sha256"] = "0" * 64
    tampered = tmp_path / "lock.json"
    tampered.write_text(json.dumps(lock))
    values = node24.report(f"""
        const kiln = await loadKiln({{ lockFileURL: {json.dumps(tampered.as_uri())} }});
        const errors = [];
        for (let i = 0; i < 2; i++) {{
          try {{ kiln.runPython("import sqlite3"); errors.push("imported"); }} catch (e) {{ errors.push(e.message); }}
        }}
        const installed = kiln.runPython("import os, sys; os.path.exists(os.path.join(sys.prefix, 'lib/python{config.PYTHON_MAJOR_MINOR}/sqlite3'))");
        report([errors, installed, Object.keys(kiln.loadedPackages), kiln.runPython("1 + 1")]);
    """)
    errors, installed, loaded, alive = values
    for error in errors:
        assert f"kiln: sha256 mismatch for sqlite3-{config.PYTHON_VERSION}-{config.PYTHON_TAG}-{config.PYTHON_TAG}-{config.PLATFORM_TAG}.whl" in error
        assert "Nothing was installed." in error
    assert installed is False and loaded == [] and alive == 2


def test_browser_main_thread_needs_async_and_gets_it_through_jspi(page, server_url):
    page.goto(f"{server_url}/pages/smoke.html")
    expect(page.locator("#status")).to_have_text("done", timeout=60_000)
    values = page.evaluate(
        """async (code) => {
            const kiln = await loadKiln();
            let syncError;
            try { kiln.runPython("import sqlite3"); } catch (e) { syncError = e.message; }
            const total = await kiln.runPythonAsync(code);
            return [kiln.jspiAvailable, syncError, total, Object.keys(kiln.loadedPackages)];
        }""",
        SQLITE_SUM,
    )
    jspi, sync_error, total, loaded = values
    assert jspi is True, "Chromium >= 137 has JSPI"
    assert "it is split out of Kiln's core into the package 'sqlite3'" in sync_error
    assert "await kiln.loadPackage('sqlite3')" in sync_error
    assert total == 3 and loaded == ["sqlite3"]


def test_web_worker_loads_split_modules_synchronously(page, server_url):
    page.goto(f"{server_url}/pages/smoke.html")
    result = page.evaluate(
        """() => new Promise((resolve) => {
            const worker = new Worker("/pages/split-stdlib-worker.mjs", { type: "module" });
            worker.onmessage = (event) => resolve(event.data);
            worker.onerror = (event) => resolve({ error: event.message });
        })"""
    )
    assert result == {"total": 7, "korean": "c7d1b1b9beee", "loaded": ["cjk-codecs", "sqlite3"]}
