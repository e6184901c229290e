"""Assembling dist/: the core module, the stdlib zip, the loader and the lock file."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

from . import config, core_link, cpython_build, log, shell, stdlib, toolchain

LOADER_SRC = config.LOADER_DIR / "src"
RUNTIME_PY = config.LOADER_DIR / "py"
MICROPIP_ADAPTER = config.ROOT / "micropip" / "_kiln_micropip.py"
STATIC_FILES = [config.LOADER_DIR / "console.html", config.LOADER_DIR / "bin" / "kiln-python.mjs"]


def _cached_zip(name: str, key: str, make) -> Path:
    out = config.BUILD_CACHE / f"{Path(name).stem}-{key}" / name
    if not out.exists():
        out.parent.mkdir(parents=True, exist_ok=True)
        with log.step(f"packing {name}"):
            make(out)
    return out


def _sysconfigdata(build: Path) -> Path:
    return next(cpython_build.shared_module_dir(build).glob("_sysconfigdata_*.py"))


def _stdlib_zip(build: Path) -> Path:
    lib = cpython_build.patched_lib()
    key = hashlib.sha256(
        "\n".join(
            [
                cpython_build.wasm_key(),
                cpython_build.stdlib_key(),
                stdlib.tree_hash(RUNTIME_PY, MICROPIP_ADAPTER, Path(stdlib.__file__)),
                config.KILN_VERSION,
            ]
        ).encode()
    ).hexdigest()[:16]
    return _cached_zip(
        config.STDLIB_ZIP,
        key,
        lambda out: stdlib.build_stdlib_zip(lib, _sysconfigdata(build), [RUNTIME_PY, MICROPIP_ADAPTER], out, out.parent),
    )


def _tests_zip(build: Path) -> Path:
    lib = cpython_build.patched_lib()
    test_modules = [
        path for path in sorted(cpython_build.shared_module_dir(build).glob("*.so"))
        if path.name.split(".", 1)[0] in config.CPYTHON_TEST_MODULES
    ]
    key = hashlib.sha256(
        f"{cpython_build.stdlib_key()}\n{cpython_build.wasm_key()}\n{stdlib.tree_hash(Path(stdlib.__file__))}".encode()
    ).hexdigest()[:16]
    return _cached_zip(config.TESTS_ZIP, key, lambda out: stdlib.build_tests_zip(lib, test_modules, out))


def _ensure_esbuild() -> Path:
    """esbuild from npm, pinned (with integrity hashes) by loader/package-lock.json."""
    lock = config.LOADER_DIR / "package-lock.json"
    stamp = config.LOADER_DIR / "node_modules" / ".kiln-lock-sha256"
    digest = hashlib.sha256(lock.read_bytes()).hexdigest()
    if not stamp.exists() or stamp.read_text() != digest:
        shell.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=config.LOADER_DIR, env=toolchain.env())
        stamp.write_text(digest)
    return config.LOADER_DIR / "node_modules" / ".bin" / "esbuild"


def _bundle_loader(dest: Path) -> None:
    """kiln.mjs (ES module) and kiln.js (classic script) from loader/src."""
    esbuild = str(_ensure_esbuild())
    python_tag = "cp" + config.PYTHON_MAJOR_MINOR.replace(".", "")
    common = [
        "--bundle",
        "--target=es2022",
        "--log-level=warning",
        f"--define:KILN_VERSION={json.dumps(config.KILN_VERSION)}",
        f"--define:KILN_PLATFORM={json.dumps(config.PLATFORM_TAG)}",
        f"--define:KILN_PYTHON_TAG={json.dumps(python_tag)}",
    ]
    shell.run([esbuild, str(LOADER_SRC / "kiln.mjs"), *common, "--format=esm", f"--outfile={dest / 'kiln.mjs'}"], env=toolchain.env())
    # The worker-mode entry: loadKiln({worker: true}) starts it next to the other files.
    shell.run(
        [esbuild, str(LOADER_SRC / "worker" / "worker_main.mjs"), *common, "--format=esm", f"--outfile={dest / 'kiln-worker.mjs'}"],
        env=toolchain.env(),
    )
    # A classic script has no import.meta: it finds its own URL at load time.
    banner = (
        "var KILN_SCRIPT_URL = typeof document !== 'undefined' && document.currentScript"
        " ? document.currentScript.src : undefined;"
    )
    shell.run(
        [
            esbuild,
            str(LOADER_SRC / "classic.mjs"),
            *common,
            "--format=iife",
            "--define:import.meta.url=KILN_SCRIPT_URL",
            f"--banner:js={banner}",
            f"--outfile={dest / 'kiln.js'}",
        ],
        env=toolchain.env(),
    )


def build() -> Path:
    from kiln.recipes import builder, lockfile

    core = core_link.core_dir()
    build_tree = cpython_build.wasm_build()
    shipped = lockfile.shipped_recipes()
    builder.build(shipped)
    dist = config.DIST
    if dist.exists():
        shutil.rmtree(dist)  # no stale packages from earlier builds
    dist.mkdir()
    with log.step("assembling dist/"):
        # Which package provides which import is read from the lock file in
        # use, at run time: adding a recipe does not change the core.
        lockfile.write(dist, shipped)
        for name in (config.CORE_JS, config.CORE_WASM):
            shutil.copy2(core / name, dist / name)
        shutil.copy2(_stdlib_zip(build_tree), dist / config.STDLIB_ZIP)
        shutil.copy2(_tests_zip(build_tree), dist / config.TESTS_ZIP)
        _bundle_loader(dist)
        for path in STATIC_FILES:
            shutil.copy2(path, dist / path.name)
    for name in sorted(p.name for p in dist.iterdir()):
        log.info(f"  dist/{name}: {(dist / name).stat().st_size / 1e6:.2f} MB")
    return dist
