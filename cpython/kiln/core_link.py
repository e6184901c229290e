"""Linking the core module: CPython's libpython + Kiln's C/JS core → kiln.asm.{mjs,wasm}.

CPython's own `python.js` is not used: its main() is replaced by the entry
points in cpython/core/main.c, which the JS loader calls.
"""

from __future__ import annotations

import hashlib
import re
import shlex
import shutil
from functools import cache
from pathlib import Path

from . import config, cpython_build, log, shell, toolchain
from .errors import KilnError

CORE_SRC = config.CPYTHON_DIR / "core"

# Emscripten settings of the main module.
LINK_SETTINGS = [
    "-sMAIN_MODULE=1",  # exports everything, so C extensions can load as side modules
    "-sMODULARIZE=1",
    "-sEXPORT_ES6=1",
    "-sEXPORT_NAME=createKilnModule",
    "-sENVIRONMENT=web,worker,node",
    "-sINVOKE_RUN=0",
    "-sEXIT_RUNTIME=0",
    "-sALLOW_MEMORY_GROWTH=1",
    "-sINITIAL_MEMORY=33554432",
    "-sSTACK_SIZE=5MB",
    "-sWASM_BIGINT=1",
    "-sFORCE_FILESYSTEM=1",
    "-sEXPORTED_RUNTIME_METHODS=FS,ENV,HEAPU8,HEAP32,UTF8ToString,stringToNewUTF8,PATH,PATH_FS",
    # Used by the core's JS half (cpython/core/*.js).
    "-sDEFAULT_LIBRARY_FUNCS_TO_INCLUDE=$stackSave,$stackRestore,$stackAlloc,$stringToUTF8OnStack,"
    "$lengthBytesUTF8,$stringToUTF8,$UTF8ToString,$stringToNewUTF8,"
    "$loadWebAssemblyModule,$mergeLibSymbols,$newDSO,$LDSO,$preloadedWasm,$PATH,$PATH_FS",
    "-lnodefs.js",
    "-lidbfs.js",
    "-g0",
]


def _core_sources() -> list[Path]:
    return sorted(CORE_SRC.glob("*.c"))


# The core's JS half, linked into the glue in this order (bridge.js, last,
# publishes Module.kilnBridge).
PRE_JS = [
    "refs.js", "convert.js", "error.js", "jsproxy.js", "pyproxy.js", "deep.js", "module.js", "jspi.js", "dylib.js",
    "bridge.js",
]


def _pre_js() -> list[Path]:
    listed = [CORE_SRC / name for name in PRE_JS]
    unlisted = set(CORE_SRC.glob("*.js")) - set(listed)
    if unlisted:
        raise KilnError(f"cpython/core has JS files not in core_link.PRE_JS: {sorted(p.name for p in unlisted)}")
    return listed


def _exported_functions() -> list[str]:
    """Every EMSCRIPTEN_KEEPALIVE function of the core, for the JS side."""
    names = set()
    for path in _core_sources():
        names.update(re.findall(r"EMSCRIPTEN_KEEPALIVE\s+[\w\s\*]+?\b(kiln_\w+)\s*\(", path.read_text()))
    return sorted(f"_{n}" for n in names) + ["_malloc", "_free"]


@cache
def core_key() -> str:
    digest = hashlib.sha256(cpython_build.wasm_key().encode())
    for path in [*_core_sources(), *_pre_js(), *sorted(CORE_SRC.glob("*.h")), Path(__file__)]:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def core_dir() -> Path:
    """Folder holding kiln.asm.mjs and kiln.asm.wasm, linked if needed."""
    build = cpython_build.wasm_build()
    # Hash the core's sources only now, just before they are compiled.
    out = config.BUILD_CACHE / f"kiln-core-{core_key()}"
    if (out / config.CORE_WASM).exists():
        return out
    staging = out.with_name(out.name + ".partial")
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    with log.step("linking the core module (kiln.asm.wasm)"):
        objects = _compile_core(build, staging / "obj")
        _link(build, objects, staging / config.CORE_JS)
    shutil.rmtree(staging / "obj")
    if out.exists():
        shutil.rmtree(out)
    staging.rename(out)
    return out


def _compile_core(build: Path, obj_dir: Path) -> list[Path]:
    obj_dir.mkdir()
    src = build.parent / "src"
    includes = [f"-I{build}", f"-I{src / 'Include'}"]
    objects = []
    for source in _core_sources():
        obj = obj_dir / (source.stem + ".o")
        shell.run(
            ["emcc", "-c", *config.CFLAGS.split(), "-Wall", "-Werror", *includes, str(source), "-o", str(obj)],
            env=toolchain.env(),
        )
        objects.append(obj)
    return objects


def _unique(args: list[str]) -> list[str]:
    """Drop repeated libraries: MAIN_MODULE links archives whole, so a library
    listed twice (zlib for both zlib and binascii) gives duplicate symbols."""
    seen, out = set(), []
    for arg in args:
        if arg.startswith(("-l", "-L")) or arg.endswith(".a"):
            if arg in seen:
                continue
            seen.add(arg)
        out.append(arg)
    return out


def _link(build: Path, objects: list[Path], output: Path) -> None:
    python_inputs = []
    for var in ("LINK_PYTHON_OBJS", "LIBS", "MODLIBS", "SYSLIBS"):
        python_inputs += shlex.split(cpython_build.make_variable(build, var))
    python_inputs = [str(build / a) if a.endswith((".a", ".o")) and not a.startswith("/") else a for a in python_inputs]
    cmd = [
        "emcc",
        *config.LDFLAGS.split(),
        *LINK_SETTINGS,
        "-sEXPORTED_FUNCTIONS=" + ",".join(_exported_functions()),
        *(f"--pre-js={p}" for p in _pre_js()),
        "-o",
        str(output),
        *map(str, objects),
        *_unique(python_inputs),
    ]
    shell.run(cmd, env=toolchain.env(), log_file=output.parent / "link.log")
