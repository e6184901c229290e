"""Packing the standard library into python_stdlib.zip (byte-compiled).

The zip sits at /lib/python313.zip in the WASM file system, where CPython's
getpath looks for it, and is imported from with zipimport.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import marshal
import os
import subprocess
import sys
import zipfile
from pathlib import Path

from kiln import config

# Left out of the core stdlib, with the reason (also listed in the README).
EXCLUDED = {
    "test": "CPython's test suite: shipped separately as python_tests.zip",
    "idlelib": "a Tk GUI; there is no Tk in WASM",
    "tkinter": "needs Tk",
    "turtle.py": "needs tkinter",
    "turtledemo": "needs tkinter",
    "ensurepip": "bundles pip wheels; packages come from micropip / loadPackage",
    "venv": "creates virtual environments with subprocesses and symlinked interpreters (in python_tests.zip: test_sysconfig imports it)",
    "pydoc_data": "help() topic texts (0.5 MB); pydoc still works without them",
    "__phello__": "frozen-module test data",
    "__hello__.py": "frozen-module test data",
    "lib2to3": "removed from 3.13 (leftover data only)",
    "site-packages": "packages are installed at run time",
}

# Pure-Python twins of C modules the core has built in: never imported there.
# CPython's tests compare the two, so python_tests.zip carries them.
PURE_PYTHON_FALLBACKS = ["_pydecimal.py", "_pydatetime.py", "_pyio.py"]
for _name in PURE_PYTHON_FALLBACKS:
    EXCLUDED[_name] = "pure-Python fallback of a built-in C module (shipped in python_tests.zip)"

# Left out of the core but needed by CPython's tests: python_tests.zip has them.
TEST_ONLY = [*PURE_PYTHON_FALLBACKS, "venv"]

# Modules CPython freezes into the interpreter (Tools/build/freeze_modules.py):
# the core imports them from there, so the zip need not carry them too.
FROZEN = {
    "_collections_abc.py", "_sitebuiltins.py", "abc.py", "codecs.py", "genericpath.py", "io.py",
    "ntpath.py", "os.py", "posixpath.py", "runpy.py", "site.py", "stat.py", "zipimport.py",
    "importlib/_bootstrap.py", "importlib/_bootstrap_external.py", "importlib/machinery.py", "importlib/util.py",
}

# Pure-Python halves of modules split out of the core (cpython_module packages).
for _modules, _python_packages in config.CPYTHON_SPLIT_MODULES.values():
    for _name in _python_packages:
        EXCLUDED[_name] = "shipped in its own cpython_module package, loaded on first import"

# Test-only subfolders inside otherwise shipped packages.
EXCLUDED_SUFFIXES = ("/tests", "/test", "/idle_test")

ZIP_FOLDER_PREFIX = config.WASM_STDLIB_ZIP  # co_filename prefix, so tracebacks name real paths


def _stdlib_files(lib: Path):
    for path in sorted(lib.rglob("*.py")):
        rel = path.relative_to(lib).as_posix()
        top = rel.split("/", 1)[0]
        if top in EXCLUDED or rel in FROZEN or "__pycache__" in rel:
            continue
        if any(f"{suffix}/" in f"/{rel}" for suffix in EXCLUDED_SUFFIXES):
            continue
        yield rel, path


def _pyc_bytes(source: bytes, display_path: str) -> bytes:
    """An unchecked-hash pyc: valid whatever the file's mtime is."""
    code = compile(source, display_path, "exec", dont_inherit=True, optimize=0)
    flags = 0b01  # hash-based, not checked against the source (there is none)
    source_hash = importlib.util.source_hash(source)
    return importlib.util.MAGIC_NUMBER + flags.to_bytes(4, "little") + source_hash + marshal.dumps(code)


def _add_tree(zf: zipfile.ZipFile, files, compression: int) -> None:
    for rel, path in files:
        source = path.read_bytes()
        pyc = _pyc_bytes(source, f"{ZIP_FOLDER_PREFIX}/{rel}")
        info = zipfile.ZipInfo(rel[:-3] + ".pyc", date_time=(2020, 1, 1, 0, 0, 0))
        info.compress_type = compression
        zf.writestr(info, pyc, compresslevel=9)


def split_stdlib_imports() -> dict[str, str]:
    """Import name -> the cpython_module package that provides it."""
    imports = {}
    for package, (modules, python_packages) in config.CPYTHON_SPLIT_MODULES.items():
        for name in [*modules, *python_packages]:
            imports[name.removesuffix(".py")] = package
    return dict(sorted(imports.items()))


def _runtime_files(version: str, runtime_paths: list[Path], generated: Path):
    """Kiln's in-WASM packages (kiln, and pyodide for compatibility) and the
    micropip adapter, with the generated kiln/_version.py and kiln/_distribution.py."""
    generated.mkdir(parents=True, exist_ok=True)
    version_file = generated / "_version.py"
    version_file.write_text(f'__version__ = "{version}"\n')
    yield "kiln/_version.py", version_file
    distribution = generated / "_distribution.py"
    distribution.write_text(
        '"""Generated: stdlib modules split out of the core, loaded on first import."""\n\n'
        f"SPLIT_STDLIB = {split_stdlib_imports()!r}\n"
    )
    yield "kiln/_distribution.py", distribution
    for root in runtime_paths:
        if root.is_file():
            yield root.name, root
            continue
        for path in sorted(root.rglob("*.py")):
            yield path.relative_to(root).as_posix(), path


def build_stdlib_zip(
    lib: Path, sysconfigdata: Path, runtime_paths: list[Path], out: Path, work: Path
) -> Path:
    """Write the byte-compiled stdlib plus Kiln's runtime package to `out`.

    Compiled in a child interpreter with -X no_debug_ranges: column tables
    are a quarter of a pyc, and only serve the ^^^ markers in tracebacks of
    stdlib frames (user code keeps them).
    """
    args = [str(lib), str(sysconfigdata), os.pathsep.join(map(str, runtime_paths)), str(out), str(work)]
    subprocess.run([sys.executable, "-X", "no_debug_ranges", "-m", "kiln.cpython.stdlib", *args], check=True)
    return out


def _write_stdlib_zip(
    lib: Path, sysconfigdata: Path, runtime_paths: list[Path], out: Path, work: Path
) -> None:
    if sys.version_info[:2] != tuple(int(x) for x in config.PYTHON_MAJOR_MINOR.split(".")):
        raise RuntimeError(f"byte-compiling for {config.PYTHON_MAJOR_MINOR} needs the same host Python, not {sys.version}")
    files = list(_stdlib_files(lib))
    files.append((sysconfigdata.name, sysconfigdata))
    files += list(_runtime_files(config.KILN_VERSION, runtime_paths, work / "kiln-generated"))
    tmp = out.with_suffix(".tmp")
    # Deflated: many static hosts and CDNs do not compress application/zip, and
    # inflating costs nothing measurable at startup (benchmark: 255 vs 270 ms).
    with zipfile.ZipFile(tmp, "w") as zf:
        _add_tree(zf, files, zipfile.ZIP_DEFLATED)
    tmp.replace(out)


def build_tests_zip(lib: Path, test_modules: list[Path], out: Path) -> Path:
    """CPython's `test` package as sources, and its C test modules (side
    modules such as _testcapi, under lib-dynload/), for `kiln test-cpython`."""
    tmp = out.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for path in sorted((lib / "test").rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                zf.write(path, path.relative_to(lib).as_posix())
        for name in TEST_ONLY:
            for path in [lib / name] if (lib / name).is_file() else sorted((lib / name).rglob("*.py")):
                zf.write(path, path.relative_to(lib).as_posix())
        for path in test_modules:
            zf.write(path, f"lib-dynload/{path.name}")
    tmp.replace(out)
    return out


def tree_hash(*paths: Path) -> str:
    """Hash of the files under `paths` (names relative to each path's parent,
    so two checkouts of the same tree share their cached zips)."""
    digest = hashlib.sha256()
    for root in paths:
        files = sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts) if root.is_dir() else [root]
        for path in files:
            digest.update(path.relative_to(root.parent).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="internal: pack python_stdlib.zip")
    for name in ("lib", "sysconfigdata"):
        parser.add_argument(name, type=Path)
    parser.add_argument("runtime_paths", type=lambda text: [Path(p) for p in text.split(os.pathsep)])
    for name in ("out", "work"):
        parser.add_argument(name, type=Path)
    ns = parser.parse_args()
    _write_stdlib_zip(ns.lib, ns.sysconfigdata, ns.runtime_paths, ns.out, ns.work)
