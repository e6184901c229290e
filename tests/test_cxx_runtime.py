"""The C++ runtime (libc++, libc++abi, libunwind) is the package libcxx, not
part of the core: the lock file makes the packages whose side modules call
into it depend on it, and a wheel micropip installs loads it first."""

import base64
import json
import os
import subprocess
import re
import zipfile

from kiln import config, toolchain
from kiln.packages import wasm_signatures

# loader/src/packages/cxx_runtime.mjs's rule (libc's two __cxa_ functions are in the core)
CXX_NAME = re.compile(r"^(_Z|__cxa_(?!atexit$|finalize$)|__gxx_personality|_Unwind_)")


def _lock() -> dict:
    return json.loads((config.DIST / config.LOCK_FILE).read_text())["packages"]


def test_the_core_has_no_cxx_runtime_and_the_lock_names_who_needs_it():
    _, core_exports = wasm_signatures.signatures((config.DIST / config.CORE_WASM).read_bytes())
    assert len(core_exports) > 3000 and "PyList_Append" in core_exports
    assert sorted(n for n in core_exports if CXX_NAME.match(n)) == []
    lock = _lock()
    entry = lock["libcxx"]
    assert entry["install_dir"] == "dynlib" and entry["depends"] == []
    with zipfile.ZipFile(config.DIST / entry["file_name"]) as archive:
        imports, runtime = wasm_signatures.signatures(archive.read("libc++.so"))
    assert {"__cxa_throw", "__cxa_begin_catch", "_Znwm", "_ZdlPv", "_Unwind_CallPersonality"} <= set(runtime)
    # Built with libc++'s visibility annotations: its _LIBCPP_HIDE_FROM_ABI helpers
    # (the "ne180100" ABI tag) are hidden, not exported and imported back
    # (Emscripten's own build of it: 3,050 such self-imports, 5,124 exports).
    hidden_helpers_imported = [n for n in set(imports) & set(runtime) if "ne180100" in n]
    assert len(hidden_helpers_imported) < 400, len(hidden_helpers_imported)
    assert len(runtime) < 2500, len(runtime)
    # Read off the side modules: NumPy's C++ sorts and SciPy's C++ call it, C code does not.
    users = sorted(name for name, e in lock.items() if "libcxx" in e["depends"])
    assert users == sorted(n for n in ("numpy", "scipy") if n in lock)
    assert "libcxx" not in lock["libopenblas"]["depends"] + lock["kiln-demo-ext"]["depends"]


def _numpy_wheel_url(server_url: str) -> str:
    entry = _lock()["numpy"]
    return f"{server_url}/dist/{entry['file_name']}#sha256={entry['sha256']}"


def _install_numpy_by_url(server_url: str) -> str:
    # NumPy's wheel by URL: micropip, not the lock file, installs it, so
    # nothing but its side modules says it needs libcxx.
    return f"""
        const kiln = await loadKiln({{ packageCache: false }});
        await kiln.loadPackage(["micropip", "libopenblas"]);
        const before = "libcxx" in kiln.loadedPackages;
        await kiln.install([{json.dumps(_numpy_wheel_url(server_url))}]);
        return [before, Object.keys(kiln.loadedPackages).sort(),
                kiln.runPython("import numpy as np; np.sort(np.array([3.0, 1.0, 2.0])).tolist()").toJs()];
    """


EXPECTED_AFTER_INSTALL = [False, ["libcxx", "libopenblas", "micropip", "numpy", "packaging"], [1.0, 2.0, 3.0]]


def test_a_wheel_micropip_installs_loads_the_cxx_runtime_first(node, server_url):
    body = _install_numpy_by_url(server_url)
    values = node.report(f"report(await (async () => {{ {body} }})());", timeout=300)
    assert values == EXPECTED_AFTER_INSTALL


def test_a_wheel_micropip_installs_loads_the_cxx_runtime_first_in_chromium(chromium, server_url):
    body = _install_numpy_by_url(server_url)
    assert chromium.main(body, timeout=300_000) == EXPECTED_AFTER_INSTALL
    assert chromium.worker(body, timeout=300_000) == EXPECTED_AFTER_INSTALL


def test_without_the_cxx_runtime_in_the_lock_a_cxx_wheel_installs_nothing(node24, server_url, tmp_path):
    lock = json.loads((config.DIST / config.LOCK_FILE).read_text())
    del lock["packages"]["libcxx"]
    for entry in lock["packages"].values():
        entry["depends"] = [d for d in entry["depends"] if d != "libcxx"]
    path = tmp_path / "lock.json"
    path.write_text(json.dumps(lock))
    error, after = node24.report(f"""
        const kiln = await loadKiln({{ lockFileURL: {json.dumps(path.as_uri())}, packageCache: false }});
        await kiln.loadPackage(["micropip", "libopenblas"]);
        const error = await kiln.install([{json.dumps(_numpy_wheel_url(server_url))}]).then(() => "installed", (e) => e.message);
        report([error, kiln.runPython("import importlib.util; [importlib.util.find_spec('numpy') is None, 6 * 7]").toJs()]);
    """, timeout=300)
    assert re.search(r"numpy-2\.[\d.]+-cp313-.*\.whl: numpy/.*\.so calls into the C\+\+ runtime, "
                     r"but the lock file has no 'libcxx' package to provide it", error), error
    assert error.rstrip().endswith("Nothing was installed.")
    assert after == [True, 42]


SHAPE = r"""
#include <stdexcept>
#include <string>
extern "C" int square_sides(int n) {
  try {
    if (n < 0) throw std::runtime_error("negative: " + std::to_string(n));
    return 4 * n;
  } catch (const std::exception &error) {
    return -1;
  }
}
"""


def _shape_body(tmp_path) -> str:
    """A JS function body: opens the C++ library by hand before and after
    loadPackage("libcxx"), returning both outcomes."""
    (tmp_path / "shape.cpp").write_text(SHAPE)
    subprocess.run(
        ["em++", *config.CFLAGS.split(), *config.SIDE_MODULE_LDFLAGS.split(), "shape.cpp", "-o", "shape.so"],
        cwd=tmp_path, env={**os.environ, **toolchain.env()}, check=True,
    )
    library = base64.b64encode((tmp_path / "shape.so").read_bytes()).decode()
    return f"""
        const kiln = await loadKiln();
        kiln.FS.writeFile("/tmp/shape.so", Uint8Array.from(atob({json.dumps(library)}), (c) => c.charCodeAt(0)));
        const attempt = `
import ctypes
try:
    library = ctypes.CDLL("/tmp/shape.so")
    result = [library.square_sides(3), library.square_sides(-1)]
except OSError as error:
    result = ["OSError", str(error)]
result`;
        const before = kiln.runPython(attempt).toJs();
        await kiln.loadPackage("libcxx");
        return [before, kiln.runPython(attempt).toJs()];
    """


def _check_shape_outcomes(values):
    before, after = values
    assert before[0] == "OSError" and "the C++ runtime is the package libcxx" in before[1], before
    assert after == [12, -1]


def test_a_cxx_library_loaded_by_hand_loads_once_the_cxx_runtime_is_there(node24, tmp_path):
    """ctypes.CDLL of a C++ library before libcxx is loaded fails with an
    OSError naming the missing runtime; the failed load leaves nothing behind,
    so once libcxx is loaded the same path loads and runs."""
    body = _shape_body(tmp_path)
    _check_shape_outcomes(node24.report(f"report(await (async () => {{ {body} }})());"))


def test_a_cxx_library_loaded_by_hand_in_chromium(chromium, tmp_path):
    body = _shape_body(tmp_path)
    _check_shape_outcomes(chromium.main(body))
    _check_shape_outcomes(chromium.worker(body))
