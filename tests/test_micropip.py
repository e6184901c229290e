"""micropip (upstream 0.11.1, unchanged) and kiln.install against a real package
index on 127.0.0.1 (tests/servers/package_index.py: real PyPI wheels pinned by
sha256, and one built by the tests), in Node 20, Node 24 and Chromium."""

import json
from pathlib import Path

import pytest

from kiln import config
from side_modules import UNDEFINED_SYMBOL

PROBE = (Path(__file__).parent / "micropip_probe.py").read_text()


def _run_probe(runner_call, name: str, base: str) -> dict:
    return json.loads(runner_call(f"""
        const kiln = await loadKiln({{ packageCache: false }});
        await kiln.loadPackage("micropip");
        kiln.runPython({json.dumps(PROBE)});
        return await kiln.runPythonAsync({json.dumps(f"import json; json.dumps(await {name}({base!r}))")});
    """))


def node_call(node):
    def call(body: str):
        return node.report(f"const result = await (async () => {{ {body} }})(); report(result);", timeout=300)
    return call


def check_indexes(seen: dict) -> None:
    for step in ("json", "html", "legacy", "marker", "extras", "reinstall", "direct_url", "lock_package"):
        assert seen[step] == "ok", (step, seen[step])
    assert seen["versions"] == {"attrs": "26.1.0", "six": "1.16.0", "idna": "3.20"}
    assert seen["certifi_after_marker"] is None
    assert seen["extras_installed"] == {
        "requests": "2.34.2", "urllib3": "2.8.0", "idna": "3.20", "certifi": "2026.10.18",
        "charset-normalizer": "3.5.2", "pysocks": "1.7.1",
    }
    assert seen["conflict"].startswith("ValueError: Requested 'six==1.17.0', but six==1.16.0 is already installed")
    assert seen["six_after_conflict"] == "1.16.0"
    assert seen["six_after_reinstall"] == "1.17.0"
    assert seen["greeting"] == "hello wasm (six 1.17.0)"
    agree, loaded = seen["loaded_agree"]
    assert agree, "loadedPackages and micropip.list() must agree"
    assert {"pluggy", "requests", "kiln-greeting", "six", "pysocks", "micropip", "packaging"} <= set(loaded)
    assert seen["after_uninstall"] == [None, False, True]
    assert seen["mock"] == [7, "2.0"]
    assert seen["freeze"] == {
        "six": ["1.17.0", True, True], "requests": ["2.34.2", True, True],
        "kiln-greeting": ["1.0", True, True], "pluggy": [seen["freeze"]["pluggy"][0], True, True],
    }
    assert seen["alive"] == 45


def check_errors(seen: dict, base: str) -> None:
    assert seen["unknown"].startswith("ValueError: No package named 'reqeusts' was found")
    assert f"{base}/index/simple/reqeusts/ answered 404" in seen["unknown"]
    assert "Closest names: requests" in seen["unknown"]
    assert seen["binary_only"].startswith("ValueError: 'markupsafe' has no wheel Kiln can run")
    assert "Packages Kiln has built for WASM (from its lock file): " in seen["binary_only"]
    assert "numpy" in seen["binary_only"]
    assert seen["index_404"].startswith("ValueError: No package named 'six' was found")
    assert "answered 404" in seen["index_404"]
    assert seen["bad_sha256"].startswith(f"RuntimeError: sha256 mismatch for {base}/index/files/attrs-26.1.0-py3-none-any.whl")
    assert "the index lists " + "0" * 64 in seen["bad_sha256"]
    assert "sha256 mismatch" in seen["bad_fragment"] and "six-1.17.0-py2.py3-none-any.whl" in seen["bad_fragment"]
    assert "ValueError: Wheel platform 'manylinux" in seen["foreign_platform"]
    assert seen["missing_wheel"].startswith("ValueError: Could not download")
    assert "ghost-1.0-py3-none-any.whl answered 404" in seen["missing_wheel"] or "404" in seen["missing_wheel"]
    assert "sha256 mismatch" in seen["partial"]
    assert seen["unloadable"].startswith("RuntimeError: ") and f"undefined symbol '{UNDEFINED_SYMBOL}'" in seen["unloadable"]
    for step in ("unknown", "binary_only", "index_404", "bad_sha256", "bad_fragment", "foreign_platform", "missing_wheel", "partial",
                 "unloadable"):
        assert seen[step].endswith("Nothing was installed."), (step, seen[step])
    assert seen["nothing_installed"] == {
        "six": None, "attrs": None, "requests": None, "urllib3": None, "markupsafe": None, "kiln-unloadable": None,
    }
    assert sorted(seen["loaded"]) == ["micropip", "packaging"]
    assert seen["agree"] is True and seen["alive"] == 45
    assert seen["after"] == "ok" and seen["six"] == "1.17.0"


def test_micropip_installs_from_every_index_api_in_node(node, server_url):
    seen = _run_probe(node_call(node), "probe_indexes", server_url)
    check_indexes(seen)


def test_micropip_errors_leave_nothing_installed_in_node(node, server_url):
    seen = _run_probe(node_call(node), "probe_errors", server_url)
    check_errors(seen, server_url)


def test_micropip_in_chromium_main_thread_and_worker(chromium, server_url):
    check_indexes(_run_probe(chromium.main, "probe_indexes", server_url))
    check_errors(_run_probe(chromium.worker, "probe_errors", server_url), server_url)


def test_kiln_install_takes_names_specifiers_and_urls_in_one_pass(node, server_url):
    wheel = f"{server_url}/index/files/kiln_greeting-1.0-py3-none-any.whl"
    values = node.report(f"""
        const kiln = await loadKiln({{ packageCache: false }});
        const installed = await kiln.install(["pluggy", "six>=1.17", {json.dumps(wheel)}],
                                             {{ index_urls: [{json.dumps(server_url + "/index/simple")}] }});
        const greeting = kiln.runPython("import kiln_greeting; kiln_greeting.greet('js')");
        let refused;
        try {{ await kiln.loadPackage("attrs>=1.0"); }} catch (e) {{ refused = e.message; }}
        const agree = kiln.runPython("import micropip, pyodide_js; sorted(micropip.list()) == sorted(pyodide_js.loadedPackages.to_py())");
        report([installed.map((p) => p.name).sort(), greeting, refused, agree, Object.keys(kiln.loadedPackages).sort()]);
    """, timeout=300)
    installed, greeting, refused, agree, loaded = values
    assert installed == ["kiln-greeting", "pluggy", "six"]
    assert greeting == "hello js (six 1.17.0)"
    assert refused == 'kiln: loadPackage takes package names and wheel URLs; "attrs>=1.0" is a requirement: use kiln.install("attrs>=1.0")'
    assert agree is True
    assert loaded == ["kiln-greeting", "micropip", "packaging", "pluggy", "six"]


def test_loadkiln_packages_option_uses_the_same_install(node24, server_url):
    values = node24.report(f"""
        const kiln = await loadKiln({{ packageCache: false, packages: ["pluggy", {json.dumps(server_url + "/index/files/six-1.17.0-py2.py3-none-any.whl")}] }});
        report([Object.keys(kiln.loadedPackages).sort(), kiln.runPython("import six, pluggy; six.__version__")]);
    """, stdin="", timeout=300)
    loaded, six_version = values
    assert {"pluggy", "six"} <= set(loaded) and six_version == "1.17.0"


def test_wheel_url_without_hash_installs_with_a_warning_naming_it(node24, server_url):
    wheel = f"{server_url}/index/files/six-1.17.0-py2.py3-none-any.whl"
    proc = node24.run(f"""
        const kiln = await loadKiln({{ packageCache: false, stderr: (line) => console.error("PY: " + line) }});
        await kiln.loadPackage("micropip");
        await kiln.runPythonAsync("import micropip; await micropip.install({wheel!r})");
        await kiln.loadPackage({json.dumps(wheel)});
        report(kiln.runPython("import six; six.__version__"));
    """, timeout=300)
    assert "REPORT \"1.17.0\"" in proc.stdout
    assert "six-1.17.0-py2.py3-none-any.whl" in proc.stderr and "without a sha256" in proc.stderr


def test_lock_entry_without_sha256_is_refused_and_failed_download_raises(node24, tmp_path):
    lock = json.loads((config.DIST / config.LOCK_FILE).read_text())
    lock["packages"]["iniconfig"]["sha256"] = ""
    lock["packages"]["pluggy"]["file_name"] = "pluggy-0.0-py3-none-any.whl"  # not on the server: fails to download
    path = tmp_path / "lock.json"
    path.write_text(json.dumps(lock))
    values = node24.report(f"""
        const kiln = await loadKiln({{ lockFileURL: {json.dumps(path.as_uri())}, packageCache: false }});
        const errors = [];
        await kiln.loadPackage("iniconfig").catch((e) => errors.push(e.message));
        await kiln.loadPackage("micropip");
        errors.push(await kiln.runPythonAsync(`
import micropip
try:
    await micropip.install("pluggy")
    r = "installed"
except Exception as e:
    r = f"{{type(e).__name__}}: {{e}}"
r`));
        report([errors, Object.keys(kiln.loadedPackages).sort()]);
    """, timeout=300)
    errors, loaded = values
    assert errors[0] == "kiln: the lock file gives no sha256 for iniconfig; it is not installed while integrity checking is on (pass checkIntegrity: false to allow it)"
    assert errors[1].startswith("RuntimeError: ")
    assert "pluggy-0.0-py3-none-any.whl" in errors[1] and errors[1].endswith("Nothing was installed.")
    assert loaded == ["micropip", "packaging"]


def test_freeze_round_trip_gives_the_same_packages(node24, server_url, tmp_path):
    frozen = json.loads(node24.report(f"""
        const kiln = await loadKiln({{ packageCache: false }});
        await kiln.install(["requests", "pluggy"], {{ index_urls: [{json.dumps(server_url + "/index/simple")}] }});
        report(kiln.runPython("import micropip; micropip.freeze()"));
    """, timeout=300))
    lock_path = tmp_path / "frozen-lock.json"
    lock_path.write_text(json.dumps(frozen))
    values = node24.report(f"""
        const kiln = await loadKiln({{ lockFileURL: {json.dumps(lock_path.as_uri())}, packageCache: false }});
        await kiln.loadPackage(["requests", "pluggy"]);
        report(kiln.runPython("import importlib.metadata as m; {{n: m.version(n) for n in ['requests', 'urllib3', 'idna', 'certifi', 'charset-normalizer', 'pluggy']}}").toJs({{ dict_converter: Object.fromEntries }}));
    """, timeout=300)
    assert values == {
        "requests": "2.34.2", "urllib3": "2.8.0", "idna": "3.20", "certifi": "2026.10.18",
        "charset-normalizer": "3.5.2", "pluggy": frozen["packages"]["pluggy"]["version"],
    }


def test_node_package_cache_installs_without_the_network_the_second_time(node24, server_url, package_index, tmp_path):
    cache = tmp_path / "package-cache"
    body = f"""
        const kiln = await loadKiln({{ packageCache: {json.dumps(str(cache))} }});
        await kiln.install(["requests", "numpy"], {{ index_urls: [{json.dumps(server_url + "/index/simple")}] }});
        report(kiln.runPython("import requests, numpy; requests.__version__"));
    """
    before = len(package_index.wheel_downloads())
    assert node24.report(body, timeout=300) == "2.34.2"
    first = package_index.wheel_downloads()[before:]
    assert sorted(first) == sorted(["requests-2.34.2-py3-none-any.whl", "urllib3-2.8.0-py3-none-any.whl",
                                    "idna-3.20-py3-none-any.whl", "certifi-2026.10.18-py3-none-any.whl",
                                    "charset_normalizer-3.5.2-py3-none-any.whl"])
    assert node24.report(body, timeout=300) == "2.34.2"
    assert package_index.wheel_downloads()[before + len(first):] == [], "the second install must come from the cache"
    assert len(list((cache / "sha256").iterdir())) >= 6  # five wheels and numpy (from the lock file)


def test_browser_cache_api_keeps_wheels_across_a_reload(page, server_url, package_index):
    page.goto(f"{server_url}/pages/blank.html")
    install = f"""async () => {{
        const kiln = await loadKiln();
        await kiln.install(["attrs", "six"], {{ index_urls: [{json.dumps(server_url + "/index/simple")}] }});
        return kiln.runPython("import attrs, six; attrs.__version__ + ' ' + six.__version__");
    }}"""
    page.evaluate("() => caches.delete('kiln-packages-v1')")
    before = len(package_index.wheel_downloads())
    assert page.evaluate(install) == "26.1.0 1.17.0"
    assert len(package_index.wheel_downloads()) - before == 2
    page.reload()
    assert page.evaluate(install) == "26.1.0 1.17.0"
    assert len(package_index.wheel_downloads()) - before == 2, "after a reload the wheels come from the Cache API"


@pytest.fixture
def insecure_origin(test_server):
    """The test server under a host name Chromium does not treat as secure
    (127.0.0.1 and localhost are): no crypto.subtle, no Cache API."""
    return test_server.url.replace("127.0.0.1", "kiln.test")


def test_plain_http_page_still_verifies_sha256(page, insecure_origin):
    page.goto(f"{insecure_origin}/pages/blank.html")
    values = page.evaluate("""async () => {
        const kiln = await loadKiln();
        await kiln.loadPackage("pluggy");
        const lock = await (await fetch("/dist/kiln-lock.json")).json();
        lock.packages.iniconfig.sha256 = "0".repeat(64);
        const bad = await loadKiln({ lockFileContents: lock });
        const error = await bad.loadPackage("iniconfig").then(() => "loaded", (e) => e.message);
        return [isSecureContext, typeof crypto.subtle, kiln.runPython("import pluggy; pluggy.__name__"), error];
    }""")
    secure, subtle, imported, error = values
    assert secure is False and subtle == "undefined"
    assert imported == "pluggy"
    assert error.startswith("kiln: sha256 mismatch for iniconfig-")
