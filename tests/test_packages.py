"""Packages from the lock file: loadPackage, NumPy, shared libraries, and every error path."""

import json

import pytest
from playwright.sync_api import expect

from kiln import config
from side_modules import UNDEFINED_SYMBOL, UNLOADABLE_SOURCE, build_side_module

NUMPY_CHECKS = """
import numpy as np
rng = np.random.default_rng(42)
[
    int(np.arange(10).sum()),
    np.linalg.solve(np.array([[3.0, 1.0], [1.0, 2.0]]), np.array([9.0, 8.0])).tolist(),
    np.fft.fft([1, 0, 0, 0]).real.tolist(),
    rng.integers(0, 100, 5).tolist(),
    float(np.round(np.linalg.det(np.array([[2.0, 1.0], [1.0, 3.0]])), 12)),
    np.matmul(np.eye(3), np.arange(9.0).reshape(3, 3)).sum().item(),
    str(np.arange(6).reshape(2, 3).T.dtype),
]
"""
NUMPY_EXPECTED = [45, [2.0, 3.0], [1.0, 1.0, 1.0, 1.0], [8, 77, 65, 43, 43], 5.0, 36.0, "int32"]


def test_load_numpy_and_compute(node):
    values = node.report(f"""
        const kiln = await loadKiln();
        const messages = [];
        const loaded = await kiln.loadPackage("numpy", {{ messageCallback: (m) => messages.push(m) }});
        report([loaded.map((p) => p.name), Object.keys(kiln.loadedPackages), messages,
                kiln.runPython(`{NUMPY_CHECKS}`).toJs()]);
    """)
    names, loaded, messages, results = values
    # NumPy links OpenBLAS's shared library and the C++ runtime, packages of their own
    assert names == ["libopenblas", "libcxx", "numpy"] and loaded == ["libopenblas", "libcxx", "numpy"]
    assert messages == ["Loading libopenblas, libcxx, numpy", "Loaded libopenblas, libcxx, numpy"]
    assert results == NUMPY_EXPECTED


def test_packages_import_from_shipped_bytecode_and_one_simd_variant_is_written(node):
    """dist/ wheels carry unchecked-hash pycs (import numpy compiles nothing in
    WASM); of libopenblas's two builds only the engine's is written, as libopenblas.so."""
    values = node.report("""
        const kiln = await loadKiln();
        await kiln.loadPackage("numpy");
        report(kiln.runPython(`
import os, sys, importlib.util
sys.dont_write_bytecode = True  # a compile at import would now leave no pyc behind
import numpy, numpy.linalg
cached = [m.__cached__ for m in (numpy, numpy.linalg)]
flags = [int.from_bytes(open(c, "rb").read(8)[4:8], "little") for c in cached]
magic = [open(c, "rb").read(4) == importlib.util.MAGIC_NUMBER for c in cached]
[all(os.path.exists(c) for c in cached), flags, magic, sorted(os.listdir("/usr/lib")),
 numpy.linalg.solve([[2.0, 0.0], [0.0, 4.0]], [2.0, 8.0]).tolist()]
`).toJs());
    """)
    exists, flags, magic, libs, solved = values
    assert exists and magic == [True, True]
    assert flags == [1, 1]  # hash-based, unchecked: valid whatever the installed file's mtime
    assert libs == ["libc++.so", "libopenblas.so"]
    assert solved == [1.0, 2.0]


def test_load_packages_from_imports(node24):
    values = node24.report("""
        const kiln = await loadKiln();
        const loaded = await kiln.loadPackagesFromImports("import numpy as np\\nimport json, os\\nfrom pytest import raises");
        report([loaded.map((p) => p.name).sort(), kiln.runPython("import numpy as np; int(np.ones(3).sum())")]);
    """)
    assert values == [["iniconfig", "libcxx", "libopenblas", "numpy", "packaging", "pluggy", "pygments", "pytest"], 3]


def test_loading_twice_is_a_no_op_and_dependencies_come_along(node24):
    values = node24.report("""
        const kiln = await loadKiln();
        const first = await kiln.loadPackage(["micropip"]);
        const second = await kiln.loadPackage("micropip");
        const third = await kiln.loadPackage(["packaging", "MicroPip"]);
        report([first.map((p) => p.name), second, third, kiln.runPython("import packaging.version as v; str(v.Version('1.2.3'))")]);
    """)
    assert values == [["packaging", "micropip"], [], [], "1.2.3"]


def test_package_with_a_shared_library_dependency(node):
    values = node.report("""
        const kiln = await loadKiln();
        const loaded = await kiln.loadPackage("kiln-demo-ext");
        report([loaded.map((p) => p.name), kiln.runPython("import kiln_demo_ext as m; [m.scale(6), m.library_name()]").toJs()]);
    """)
    assert values == [["kiln-demo-shlib", "kiln-demo-ext"], [42, "libkilndemo"]]


FPCAST_CHECKS = """
import kiln_fpcast as m
box = m.Box()
box.value = 21
box.double()
try:
    del box.value
except AttributeError as e:
    refused = str(e)
[m.noargs_without_arg(), m.noargs_without_params(), m.keywords_without_kwargs(1, 2, 3), box.value, refused,
 m.call_without_kwargs(lambda: "called back")]
"""


def test_c_functions_reached_through_mismatched_pointer_types_run(node):
    """METH_NOARGS functions without their argument, getters and setters
    without the closure: the call trampoline runs them instead of trapping
    (through WebAssembly on Node 24, through JS on Node 20)."""
    values = node.report(f"""
        const kiln = await loadKiln();
        await kiln.loadPackage("kiln-fpcast-ext");
        report([kiln._module.kilnBridge.callTrampoline, kiln.runPython(`{FPCAST_CHECKS}`).toJs(), kiln.runPython("1 + 1")]);
    """)
    kind, results, after = values
    assert kind == ("wasm" if node.major == "24" else "js")
    assert results == ["noargs ok", 0, 3, 42, "cannot delete value", "called back"]
    assert after == 2


def test_import_before_loading_names_the_package(node24):
    values = node24.report("""
        const kiln = await loadKiln();
        try { kiln.runPython("import numpy"); } catch (e) { report([e.type, e.message.trim().split("\\n").at(-1)]); }
    """)
    assert values[0] == "ModuleNotFoundError"
    assert "Kiln package 'numpy'" in values[1] and "loadPackage('numpy')" in values[1]


def test_unknown_package_lists_the_closest_names(node24):
    values = node24.report("""
        const kiln = await loadKiln();
        const errors = [];
        await kiln.loadPackage("nmupy", { errorCallback: (m) => errors.push("callback: " + m) }).catch((e) => errors.push(e.message));
        await kiln.loadPackage("definitely-not-a-package").catch((e) => errors.push(e.message));
        report([errors, kiln.runPython("1 + 1")]);
    """)
    errors, alive = values
    assert errors[0] == 'callback: kiln: no package named "nmupy" in the lock file; closest names: numpy'
    assert errors[1] == errors[0].removeprefix("callback: ")
    assert errors[2] == 'kiln: no package named "definitely-not-a-package" in the lock file'
    assert alive == 2


def _saved_lock(lock: dict, path):
    path.write_text(json.dumps(lock))
    return path


@pytest.fixture
def tampered_lock(tmp_path):
    """A copy of the lock file with one bad checksum, one missing file, one foreign wheel."""
    lock = json.loads((config.DIST / config.LOCK_FILE).read_text())
    packages = lock["packages"]
    packages["packaging"]["sha256"] = "0" * 64
    # (a checksum of its own: the package cache would otherwise answer with iniconfig's bytes)
    packages["ghost"] = {
        **packages["iniconfig"], "name": "ghost", "file_name": "ghost-1.0-py3-none-any.whl", "depends": [], "sha256": "1" * 64,
    }
    packages["alien"] = {
        **packages["iniconfig"], "name": "alien", "depends": [],
        "file_name": f"alien-1.0-{config.PYTHON_TAG}-{config.PYTHON_TAG}-manylinux_2_17_x86_64.whl",
    }
    return _saved_lock(lock, tmp_path / "tampered-lock.json")


def test_checksum_mismatch_404_and_foreign_wheel_are_refused(node, tampered_lock):
    values = node.report(f"""
        const kiln = await loadKiln({{ lockFileURL: {json.dumps(tampered_lock.as_uri())} }});
        const errors = [];
        for (const name of ["micropip", "ghost", "alien"]) {{
          await kiln.loadPackage(name).then(() => errors.push("loaded " + name), (e) => errors.push(e.message));
        }}
        await kiln.loadPackage("https://example.invalid/thing-1.0-cp312-cp312-win_amd64.whl").catch((e) => errors.push(e.message));
        let packagingInstalled;
        try {{ kiln.runPython("import packaging"); packagingInstalled = true; }} catch {{ packagingInstalled = false; }}
        report([errors, Object.keys(kiln.loadedPackages), packagingInstalled, (await kiln.loadPackage("iniconfig")).map((p) => p.name)]);
    """)
    errors, loaded, packaging_installed, recovered = values
    assert errors[0].startswith("kiln: sha256 mismatch for packaging-26.3-py3-none-any.whl")
    assert f"expected {'0' * 64}" in errors[0] and errors[0].endswith("Nothing was installed.")
    assert errors[1].startswith("kiln: cannot read ") and "ghost-1.0-py3-none-any.whl" in errors[1]
    tag = config.PYTHON_TAG
    assert errors[2] == (
        f"kiln: cannot install alien-1.0-{tag}-{tag}-manylinux_2_17_x86_64.whl: it is built for manylinux_2_17_x86_64 "
        f"(Python {tag}), but Kiln runs pure-Python wheels and {config.PLATFORM_TAG} wheels for {tag}"
    )
    assert errors[3].startswith("kiln: cannot install thing-1.0-cp312-cp312-win_amd64.whl")
    assert loaded == [] and packaging_installed is False, "nothing may be installed after a failed load"
    assert recovered == ["iniconfig"], "the runtime keeps working"


def test_numpy_in_chromium_over_http(page, server_url):
    page.goto(f"{server_url}/pages/smoke.html")
    expect(page.locator("#status")).to_have_text("done", timeout=60_000)
    values = page.evaluate(
        """async (code) => {
            const kiln = await loadKiln();
            await kiln.loadPackage("numpy");
            return kiln.runPython(code).toJs();
        }""",
        NUMPY_CHECKS,
    )
    assert values == NUMPY_EXPECTED


def test_package_errors_in_chromium(page, server_url):
    page.goto(f"{server_url}/pages/smoke.html")
    expect(page.locator("#status")).to_have_text("done", timeout=60_000)
    errors = page.evaluate(
        """async () => {
            const kiln = await loadKiln();
            const errors = [];
            await kiln.loadPackage("nmupy").catch((e) => errors.push(e.message));
            await kiln.loadPackage("https://example.invalid/x-1.0-py3-none-manylinux1_x86_64.whl").catch((e) => errors.push(e.message));
            return errors;
        }"""
    )
    assert errors[0] == 'kiln: no package named "nmupy" in the lock file; closest names: numpy'
    assert errors[1].startswith("kiln: cannot install x-1.0-py3-none-manylinux1_x86_64.whl")


def test_chromium_404_names_the_url(page, server_url, http_root, tmp_path):
    lock = json.loads((config.DIST / config.LOCK_FILE).read_text())
    lock["packages"]["ghost"] = {**lock["packages"]["iniconfig"], "name": "ghost", "file_name": "ghost-1.0-py3-none-any.whl"}
    (http_root / "files").mkdir(exist_ok=True)
    (http_root / "files" / "ghost-lock.json").write_text(json.dumps(lock))
    page.goto(f"{server_url}/pages/smoke.html")
    expect(page.locator("#status")).to_have_text("done", timeout=60_000)
    error = page.evaluate(
        """async (lockFileURL) => {
            const kiln = await loadKiln({ lockFileURL });
            return kiln.loadPackage("ghost").catch((e) => e.message);
        }""",
        f"{server_url}/files/ghost-lock.json",
    )
    assert error == f"kiln: 404 File not found fetching {server_url}/dist/ghost-1.0-py3-none-any.whl"


def _wheel(path, name, members):
    """A pure-Python wheel at `path` with the given {member name: text}."""
    import hashlib
    import zipfile

    with zipfile.ZipFile(path, "w") as wheel:
        for member, text in members.items():
            wheel.writestr(member, text)
        wheel.writestr(f"{name}-1.0.dist-info/METADATA", f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
        wheel.writestr(f"{name}-1.0.dist-info/WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def crafted_lock(tmp_path):
    """The dist lock file plus wheels made here: one named "constructor", two
    whose members would land outside site-packages, and two whose members
    cannot be written as named."""
    lock = json.loads((config.DIST / config.LOCK_FILE).read_text())
    wheels = {
        "constructor": {"constructor_pkg.py": "VALUE = 'built'\n"},
        "climber": {"climber.py": "", "../../climbed.py": "escaped = True\n"},
        "rooted": {"rooted.py": "", "/tmp/rooted_abs.py": "escaped = True\n"},
        "dotted": {"dotted.py": "", "dotted/..": "a file named '..'\n"},
        "clash": {"clash/__init__.py": "", "clash/inner": "", "clash/inner/mod.py": ""},
    }
    for name, members in wheels.items():
        path = tmp_path / f"{name}-1.0-py3-none-any.whl"
        sha256 = _wheel(path, name, members)
        lock["packages"][name] = {
            "name": name, "version": "1.0", "file_name": path.name, "url": path.as_uri(), "install_dir": "site",
            "sha256": sha256, "package_type": "package", "imports": [name], "depends": [], "unvendored_tests": False,
            "shared_library": False,
        }
    return _saved_lock(lock, tmp_path / "crafted-lock.json")


UNSAFE_WHEELS = {
    "climber": "member '../../climbed.py' would be written outside the install folder",
    "rooted": "member '/tmp/rooted_abs.py' would be written outside the install folder",
    "dotted": "member 'dotted/..' is not a file name",
    "clash": "member 'clash/inner' is a file, and member 'clash/inner/mod.py' needs it to be a folder",
}


def test_unsafe_wheel_members_are_refused_before_anything_is_written(node24, crafted_lock):
    """The loader's check (loadPackage) and Python's (micropip's wheels go
    through kiln._packages) refuse the same members with the same message."""
    values = node24.report(f"""
        const kiln = await loadKiln({{ lockFileURL: {json.dumps(crafted_lock.as_uri())} }});
        const {{ readFileSync }} = await import("node:fs");
        const lock = JSON.parse(readFileSync(new URL({json.dumps(crafted_lock.as_uri())}), "utf8"));
        const listing = () => kiln.runPython(`
import os, sysconfig
site = sysconfig.get_path("purelib")
sorted(os.listdir(site)) + sorted(os.listdir("/tmp"))
`).toJs();
        const checkInPython = kiln.runPython(`
import io, zipfile
from kiln import _packages
def check(data, file_name):
    try:
        _packages.check_members(zipfile.ZipFile(io.BytesIO(data.to_bytes())), file_name)
    except _packages.UnsafeArchive as error:
        return str(error)
check
`);
        const before = listing();
        const errors = [], pythonErrors = [];
        for (const name of {json.dumps(list(UNSAFE_WHEELS))}) {{
          await kiln.loadPackage(name).then(() => errors.push("loaded " + name), (e) => errors.push(e.message));
          const entry = lock.packages[name];
          pythonErrors.push(checkInPython(new Uint8Array(readFileSync(new URL(entry.url))), entry.file_name));
        }}
        const escaped = kiln.runPython(`
import os, sysconfig
[p for p in (os.path.normpath(os.path.join(sysconfig.get_path("purelib"), "../../climbed.py")), "/tmp/rooted_abs.py")
 if os.path.exists(p)]
`).toJs();
        report([errors, pythonErrors, escaped, JSON.stringify(before) === JSON.stringify(listing()), Object.keys(kiln.loadedPackages),
                (await kiln.loadPackage("iniconfig")).map((p) => p.name)]);
    """)
    errors, python_errors, escaped, unchanged, loaded, recovered = values
    for error, python_error, (name, why) in zip(errors, python_errors, UNSAFE_WHEELS.items(), strict=True):
        assert f"{name}-1.0-py3-none-any.whl: refusing to install, {why}" in error
        assert python_error == f"{name}-1.0-py3-none-any.whl: refusing to install, {why}"
    assert escaped == [], "no member of a refused wheel may be written"
    assert unchanged, "a refused wheel leaves no files (no dist-info, no INSTALLER marker, no temporary file)"
    assert loaded == [] and recovered == ["iniconfig"]


def _unloadable_wheel(folder, wheel_url) -> tuple[str, str]:
    """A wheel whose side module cannot load (served at `wheel_url`), and the
    dist lock file with it as package "unloadable": (file name, lock JSON)."""
    wheel = folder / "unloadable-1.0-py3-none-any.whl"
    so = build_side_module(folder, "unloadable", UNLOADABLE_SOURCE).read_bytes()
    sha256 = _wheel(wheel, "unloadable", {"unloadable/__init__.py": "", "unloadable/_ext.so": so})
    lock = json.loads((config.DIST / config.LOCK_FILE).read_text())
    lock["packages"]["unloadable"] = {
        "name": "unloadable", "version": "1.0", "file_name": wheel.name, "url": wheel_url(wheel.name), "install_dir": "site",
        "sha256": sha256, "package_type": "package", "imports": ["unloadable"], "depends": [], "unvendored_tests": False,
        "shared_library": False,
    }
    return wheel.name, json.dumps(lock)


def _unloadable_body(lock_url: str, wheel_bytes: str, wheel_name: str) -> str:
    """JS: loadPackage and micropip's entry point (pyodide_js._api.install,
    which unpacks in Python) refuse the unloadable wheel; `wheel_bytes` is a
    JS expression giving its bytes. Resolves to what the test asserts."""
    return f"""
        const kiln = await loadKiln({{ lockFileURL: {json.dumps(lock_url)} }});
        const listing = () => kiln.runPython("import os, sysconfig; sorted(os.listdir(sysconfig.get_path('purelib')))").toJs();
        const before = listing();
        const viaLoader = await kiln.loadPackage("unloadable").then(() => "loaded", (e) => e.message);
        kiln.globals.set("wheel", {wheel_bytes});
        const viaPython = await kiln.runPythonAsync(`
import pyodide_js, sysconfig
try:
    await pyodide_js._api.install(wheel, "{wheel_name}", sysconfig.get_path("purelib"), {{}})
    error = "installed"
except Exception as e:
    error = str(e)
error
`);
        const unchanged = JSON.stringify(before) === JSON.stringify(listing());
        const loadedAfterFailures = Object.keys(kiln.loadedPackages);
        const loaded = (await kiln.loadPackage("kiln-demo-ext")).map((p) => p.name);
        return [viaLoader, viaPython, unchanged, loadedAfterFailures, loaded,
                kiln.runPython("import kiln_demo_ext; kiln_demo_ext.__name__")];
    """


def _check_unloadable(values, wheel_name: str) -> None:
    via_loader, via_python, unchanged, loaded_packages, loaded, imported = values
    assert via_loader == f"kiln: {wheel_name}: undefined symbol '{UNDEFINED_SYMBOL}'. Nothing of it was installed."
    assert f"undefined symbol '{UNDEFINED_SYMBOL}'" in via_python
    assert unchanged, "no file of the archive is written"
    assert loaded_packages == [] and "kiln-demo-ext" in loaded and imported == "kiln_demo_ext"


def test_a_side_module_that_cannot_load_leaves_nothing_installed_and_others_still_load(node, tmp_path):
    """Side modules load before their archive's files are written: one that
    fails leaves no file, and later loads are unaffected."""
    wheel_name, lock = _unloadable_wheel(tmp_path, lambda name: (tmp_path / name).as_uri())
    (tmp_path / "unloadable-lock.json").write_text(lock)
    body = _unloadable_body((tmp_path / "unloadable-lock.json").as_uri(),
                            f'new Uint8Array((await import("node:fs")).readFileSync({json.dumps(str(tmp_path / wheel_name))}))',
                            wheel_name)
    _check_unloadable(node.report(f"report(await (async () => {{ {body} }})());"), wheel_name)


def test_a_side_module_that_cannot_load_in_chromium_main_thread_and_worker(chromium, server_url, http_root, tmp_path):
    files = http_root / "unloadable"
    files.mkdir(exist_ok=True)
    wheel_name, lock = _unloadable_wheel(files, lambda name: f"{server_url}/unloadable/{name}")
    (files / "unloadable-lock.json").write_text(lock)
    wheel_url = f"{server_url}/unloadable/{wheel_name}"
    body = _unloadable_body(f"{server_url}/unloadable/unloadable-lock.json",
                            f"new Uint8Array(await (await fetch({json.dumps(wheel_url)})).arrayBuffer())", wheel_name)
    _check_unloadable(chromium.main(body), wheel_name)
    _check_unloadable(chromium.worker(body), wheel_name)


def test_a_package_named_constructor_and_loaded_packages_has_no_prototype_keys(node24, crafted_lock):
    values = node24.report(f"""
        const kiln = await loadKiln({{ lockFileURL: {json.dumps(crafted_lock.as_uri())} }});
        const lp = kiln.loadedPackages;
        const before = ["constructor" in lp, "toString" in lp, "__proto__" in lp, lp.constructor ?? null, Object.getPrototypeOf(lp)];
        const loaded = (await kiln.loadPackage("constructor")).map((p) => p.name);
        report([before, loaded, "constructor" in lp, lp.constructor, Object.keys(lp),
                kiln.runPython("import constructor_pkg; constructor_pkg.VALUE")]);
    """)
    before, loaded, has, source, keys, value = values
    assert before == [False, False, False, None, None]
    assert loaded == ["constructor"] and has is True and source.endswith("/constructor-1.0-py3-none-any.whl")
    assert keys == ["constructor"] and value == "built"


def test_concurrent_loads_share_a_dependency_and_wait_for_it(node24):
    values = node24.report("""
        const kiln = await loadKiln();
        const messages = [];
        const log = (tag) => ({ messageCallback: (m) => messages.push(`${tag}: ${m}`) });
        // pytest and micropip both depend on packaging; started together.
        const a = kiln.loadPackage("pytest", log("a"));
        const b = kiln.loadPackage("micropip", log("b")).then((loaded) => {
          // resolved only once packaging (installed by the other call) is in place
          return [loaded.map((p) => p.name), kiln.runPython("import micropip, packaging; packaging.__name__")];
        });
        const c = kiln.loadPackage(["packaging"], log("c"));
        const [la, lb, lc] = await Promise.all([a, b, c]);
        report([la.map((p) => p.name), lb, lc.map((p) => p.name), messages.sort(), Object.keys(kiln.loadedPackages).sort()]);
    """)
    loaded_a, (loaded_b, imported), loaded_c, messages, all_loaded = values
    assert loaded_a == ["iniconfig", "packaging", "pluggy", "pygments", "pytest"]
    # each call answers with everything it needed, but only the first fetched and installed packaging
    assert loaded_b == ["packaging", "micropip"] and loaded_c == ["packaging"] and imported == "packaging"
    assert messages == [
        "a: Loaded iniconfig, packaging, pluggy, pygments, pytest",
        "a: Loading iniconfig, packaging, pluggy, pygments, pytest",
        "b: Loaded micropip",
        "b: Loading micropip",
    ]
    assert all_loaded == ["iniconfig", "micropip", "packaging", "pluggy", "pygments", "pytest"]


def test_a_loaded_package_is_found_by_import_and_by_importlib_metadata_imported_before(node24):
    """Loads invalidate import caches (without importing importlib.metadata
    when nothing has): a module and a distribution looked up, and missed,
    before the load are both found after it."""
    values = node24.report("""
        const kiln = await loadKiln();
        const before = kiln.runPython(`
import importlib.metadata, importlib.util
missed = []
try:
    importlib.metadata.version("iniconfig")
except importlib.metadata.PackageNotFoundError:
    missed.append("metadata")
if importlib.util.find_spec("iniconfig") is None:
    missed.append("import")
missed
`).toJs();
        await kiln.loadPackage("iniconfig");
        report([before, kiln.runPython(`
import iniconfig
[importlib.metadata.version("iniconfig"), iniconfig.__name__]
`).toJs()]);
    """)
    before, after = values
    assert before == ["metadata", "import"]
    assert after[0] == json.loads((config.DIST / config.LOCK_FILE).read_text())["packages"]["iniconfig"]["version"]
    assert after[1] == "iniconfig"


def test_a_load_keeps_the_stdlib_zip_directory_and_finds_folders_missing_before(node24):
    """The invalidation after a load keeps what zipimport read of the stdlib
    zip (nothing installs into that file; reading it again cost 20-40 ms at
    the next import), and, as importlib.invalidate_caches does, forgets that
    a folder on sys.path was missing: a folder made since is searched."""
    values = node24.report("""
        const kiln = await loadKiln();
        kiln.runPython(`
import importlib.util, os, sys, zipimport
zip_path = sys.modules["kiln"].__loader__.archive
directory_before = zipimport._zip_directory_cache[zip_path]
sys.path.append("/tmp/made-later")
missed = importlib.util.find_spec("made_later") is None and sys.path_importer_cache["/tmp/made-later"] is None
os.makedirs("/tmp/made-later")
with open("/tmp/made-later/made_later.py", "w") as f:
    f.write("VALUE = 42")
`);
        await kiln.loadPackage("iniconfig");
        report(kiln.runPython(`
import colorsys, made_later
[missed, zipimport._zip_directory_cache.get(zip_path) is directory_before, made_later.VALUE, colorsys.__loader__.archive == zip_path]
`).toJs());
    """)
    assert values == [True, True, 42, True]
