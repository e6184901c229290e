"""Stdlib modules split out of the core (cpython_module packages: sqlite3,
cjk-codecs, and pure-Python ones such as stdlib-debuggers) load on first import,
verified, wherever the host allows it."""

import json
import zipfile

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


# A use of each pure-Python split package's modules -> what it returns.
PURE_PYTHON_USES = {
    "stdlib-multiprocessing": ("import multiprocessing; multiprocessing.current_process().name", "MainProcess"),
    "stdlib-debuggers": ("import doctest, pdb; doctest.DocTestParser().get_examples('>>> 1 + 1\\n2\\n')[0].want", "2\n"),
    "stdlib-net-servers": ("import xmlrpc.client, smtplib; '<methodName>f</methodName>' in xmlrpc.client.dumps((1,), 'f')", True),
    "stdlib-devtools": ("import pickletools, pickle, io; out = io.StringIO(); pickletools.dis(pickle.dumps(1), out); 'STOP' in out.getvalue()", True),
}


def test_split_pure_python_modules_are_not_in_the_core_zip_and_each_is_in_its_package():
    core = {name.split("/", 1)[0] for name in zipfile.ZipFile(config.DIST / config.STDLIB_ZIP).namelist()}
    lock = json.loads((config.DIST / config.LOCK_FILE).read_text())["packages"]
    assert set(PURE_PYTHON_USES) <= set(config.CPYTHON_SPLIT_MODULES)
    for package, (_, entries) in config.CPYTHON_SPLIT_MODULES.items():
        wheel = zipfile.ZipFile(config.DIST / lock[package]["file_name"])
        shipped = {name.split("/", 1)[0] for name in wheel.namelist() if ".dist-info/" not in name}
        for entry in entries:
            assert entry.removesuffix(".py") + (".pyc" if entry.endswith(".py") else "") not in core, entry
            assert entry in shipped, f"{entry} is not in {lock[package]['file_name']}"
        # nothing else but side modules and the pycs of top-level .py files
        assert shipped - set(entries) - {"__pycache__"} <= {s for s in shipped if s.endswith(".so")}, shipped


def test_split_pure_python_modules_load_on_first_import_in_node(node):
    values = node.report(f"""
        const kiln = await loadKiln();
        const uses = {json.dumps({name: code for name, (code, _) in PURE_PYTHON_USES.items()})};
        const before = Object.keys(kiln.loadedPackages);
        const results = {{}};
        for (const [name, code] of Object.entries(uses)) results[name] = kiln.runPython(code);
        report([before, results, Object.keys(kiln.loadedPackages).sort()]);
    """)
    before, results, loaded = values
    assert before == []
    assert results == {name: expected for name, (_, expected) in PURE_PYTHON_USES.items()}
    assert loaded == sorted(PURE_PYTHON_USES)


def test_importing_numpy_loads_no_split_stdlib_package(node24):
    # A module a shipped package imports at import time must stay in the core:
    # a browser's main thread cannot fetch it inside a plain runPython.
    values = node24.report("""
        const kiln = await loadKiln();
        await kiln.loadPackage("numpy");
        kiln.runPython("import numpy, numpy.linalg, numpy.fft, numpy.random, numpy.polynomial, numpy.ma, numpy.lib.recfunctions");
        report(Object.keys(kiln.loadedPackages).sort());
    """)
    assert values == ["libcxx", "libopenblas", "numpy"]


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
            let syncError, pdbError;
            try { kiln.runPython("import sqlite3"); } catch (e) { syncError = e.message; }
            try { kiln.runPython("import pdb"); } catch (e) { pdbError = e.message; }
            const total = await kiln.runPythonAsync(code);
            const pdbClass = await kiln.runPythonAsync("import pdb; pdb.Pdb.__name__");
            return [kiln.jspiAvailable, syncError, pdbError, total, pdbClass, Object.keys(kiln.loadedPackages).sort()];
        }""",
        SQLITE_SUM,
    )
    jspi, sync_error, pdb_error, total, pdb_class, loaded = values
    assert jspi is True, "Chromium >= 137 has JSPI"
    assert "it is split out of Kiln's core into the package 'sqlite3'" in sync_error
    assert "await kiln.loadPackage('sqlite3')" in sync_error
    assert "it is split out of Kiln's core into the package 'stdlib-debuggers'" in pdb_error
    assert total == 3 and pdb_class == "Pdb" and loaded == ["sqlite3", "stdlib-debuggers"]


def test_web_worker_loads_split_modules_synchronously(page, server_url):
    page.goto(f"{server_url}/pages/smoke.html")
    result = page.evaluate(
        """() => new Promise((resolve) => {
            const worker = new Worker("/pages/split-stdlib-worker.mjs", { type: "module" });
            worker.onmessage = (event) => resolve(event.data);
            worker.onerror = (event) => resolve({ error: event.message });
        })"""
    )
    assert result == {
        "total": 7, "korean": "c7d1b1b9beee", "doctestWant": "6\n", "loaded": ["cjk-codecs", "sqlite3", "stdlib-debuggers"],
    }
