"""Small differences from Pyodide that real clients (PyScript, notebooks) trip
over: each works as it does in Pyodide."""

import json

from kiln import config


def test_find_spec_answers_none_and_the_hint_decorates_only_a_failed_import(node):
    values = node.report("""
        const kiln = await loadKiln();
        const spec = kiln.runPython("import importlib.util; importlib.util.find_spec('pluggy') is None");
        let error;
        try { kiln.runPython("import pluggy"); } catch (e) { error = [e.type, e.message]; }
        report([spec, error]);
    """)
    spec, (kind, message) = values
    assert spec is True
    assert kind == "ModuleNotFoundError"
    assert "No module named 'pluggy'" in message and "comes with the Kiln package 'pluggy'" in message


def test_a_missing_submodule_of_a_loaded_package_is_not_called_unloaded(node24):
    # (as scipy.odr, which Kiln's SciPy leaves out: the package is loaded)
    message = node24.report("""
        const kiln = await loadKiln();
        await kiln.loadPackage("pluggy");
        try { kiln.runPython("import pluggy.not_a_module"); } catch (e) { report(e.message); }
    """)
    assert "No module named 'pluggy.not_a_module'" in message
    assert "the Kiln package 'pluggy' is loaded but has no module 'pluggy.not_a_module'" in message
    assert "which is not loaded" not in message


def test_import_hints_come_from_the_lock_file_in_use(node24, tmp_path):
    lock = json.loads((config.DIST / config.LOCK_FILE).read_text())
    lock["packages"]["iniconfig"]["imports"] = ["iniconfig", "somethingelse"]
    path = tmp_path / "lock.json"
    path.write_text(json.dumps(lock))
    message = node24.report(f"""
        const kiln = await loadKiln({{ lockFileURL: {json.dumps(path.as_uri())} }});
        try {{ kiln.runPython("import somethingelse"); }} catch (e) {{ report(e.message); }}
    """)
    assert "comes with the Kiln package 'iniconfig'" in message


def test_globals_get_falls_back_to_builtins(node):
    values = node.report("""
        const kiln = await loadKiln();
        kiln.runPython("x = 5");
        const dict = kiln.globals.get("dict");
        report([kiln.globals.get("x"), dict.type, dict.toString(), kiln.globals.get("no_such_name"), kiln.globals.has("dict")]);
    """)
    assert values == [5, "type", "<class 'dict'>", None, False]


def test_set_stdin_takes_pyodides_object_forms(node):
    values = node.report("""
        const kiln = await loadKiln();
        const lines = ["first line", "second line"];
        kiln.setStdin({ stdin: () => lines.shift() ?? null, isatty: true });
        const viaStdin = kiln.runPython("[input(), input()]").toJs();
        const encoder = new TextEncoder();
        let sent = false;
        kiln.setStdin({ read: (buffer) => { if (sent) return 0; sent = true; const b = encoder.encode("from read\\n"); buffer.set(b); return b.length; } });
        const viaRead = kiln.runPython("import sys; sys.stdin.readline()");
        kiln.setStdin({ error: true });
        let failed;
        try { kiln.runPython("input()"); } catch (e) { failed = e.type; }
        let refused;
        try { kiln.setStdin({ stdin: () => "x", read: () => 0 }); } catch (e) { refused = e.message; }
        report([viaStdin, viaRead, failed, refused]);
    """)
    via_stdin, via_read, failed, refused = values
    assert via_stdin == ["first line", "second line"]
    assert via_read == "from read\n"
    assert failed == "OSError"
    assert refused.startswith("kiln: stdin is a function")


def test_js_dunder_attributes_reach_globalthis_and_cwd_is_on_sys_path(node):
    values = node.report("""
        const kiln = await loadKiln();
        kiln.runPython("import js; js.__name__ = 'set from Python'; js.__custom__ = 3");
        kiln.FS.writeFile("mymodule.py", "VALUE = 'imported from the working folder'");
        report([globalThis.__name__, globalThis.__custom__, kiln.runPython("import sys, mymodule; [sys.path[0], mymodule.VALUE]").toJs()]);
    """)
    assert values == ["set from Python", 3, ["", "imported from the working folder"]]


def test_unpack_archive_set_debug_and_module_paths(node):
    values = node.report("""
        const kiln = await loadKiln();
        const zipped = kiln.runPython(`
import io, zipfile
buffer = io.BytesIO()
with zipfile.ZipFile(buffer, "w") as z:
    z.writestr("pkg/data.txt", "unpacked")
buffer.getvalue()`).toJs();
        kiln.unpackArchive(zipped, "zip", { extractDir: "/tmp/out" });
        const previous = kiln.setDebug(true);
        report([kiln.runPython("open('/tmp/out/pkg/data.txt').read()"), previous, kiln.setDebug(false),
                kiln._module.PATH.join("/a", "b"), kiln._module.PATH_FS.resolve("/a/../b")]);
    """)
    assert values == ["unpacked", False, True, "/a/b", "/b"]


def test_overlapping_runs_quote_their_own_source_in_tracebacks(node):
    values = node.report("""
        const kiln = await loadKiln();
        const first = kiln.runPythonAsync("import asyncio\\nawait asyncio.sleep(0.05)\\nraise ValueError('first')");
        const second = kiln.runPythonAsync("x = 1\\ny = 2\\nraise KeyError('second')");
        const messages = await Promise.all([first, second].map((p) => p.catch((e) => e.message)));
        report(messages);
    """)
    first, second = values
    assert "raise ValueError('first')" in first and "raise KeyError('second')" in second
    assert "raise KeyError" not in first and "raise ValueError" not in second


def test_pyproxy_attrs_symbol_tells_borrowed_proxies_apart(node):
    """PyScript finds Pyodide's "pyproxy.attrs" symbol through Reflect.ownKeys
    and reads `shared.gcRegistered`: false for an argument proxy that dies when
    the JS call returns, true for a proxy that lives until collected."""
    values = node.report("""
        const kiln = await loadKiln();
        const kept = kiln.runPython("lambda: 1");
        const [sym] = Reflect.ownKeys(kept).filter((k) => typeof k === "symbol" && String(k) === "Symbol(pyproxy.attrs)");
        let borrowed;
        globalThis.inspect = (arg) => { borrowed = [sym in arg, arg[sym].shared.gcRegistered]; };
        kiln.runPython("import js; js.inspect(lambda: 2)");
        report([typeof sym, sym in kept, kept[sym].shared.gcRegistered, borrowed, Object.keys(kept).includes(String(sym))]);
    """)
    assert values == ["symbol", True, True, [True, False], False]


def test_load_pyodide_takes_packages_and_lock_file_contents(node24):
    lock = (config.DIST / config.LOCK_FILE).read_text()
    value = node24.report(f"""
        const kiln = await loadPyodide({{ lockFileContents: {lock}, packages: ["pluggy"] }});
        report(kiln.runPython("import pluggy; pluggy.__name__"));
    """)
    assert value == "pluggy"


def test_mount_native_fs_with_the_origin_private_file_system(page, server_url):
    page.goto(f"{server_url}/pages/blank.html")
    values = page.evaluate("""async () => {
        const root = await navigator.storage.getDirectory();
        const folder = await root.getDirectoryHandle("kiln-test", { create: true });
        const file = await (await folder.getFileHandle("in.txt", { create: true })).createWritable();
        await file.write("written by the page");
        await file.close();
        const kiln = await loadKiln();
        const mount = await kiln.mountNativeFS("/mnt/native", folder);
        const read = kiln.runPython("open('/mnt/native/in.txt').read()");
        kiln.runPython("open('/mnt/native/out.txt', 'w').write('written by Python')");
        await mount.syncfs();
        const back = await (await (await folder.getFileHandle("out.txt")).getFile()).text();
        await root.removeEntry("kiln-test", { recursive: true });
        return [read, back];
    }""")
    assert values == ["written by the page", "written by Python"]
