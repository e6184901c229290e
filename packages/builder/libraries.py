"""C libraries built from recipes (types static_library and shared_library).

This stage comes before CPython: the interpreter links some of these (zlib,
libffi, ...), and Python packages link others (libopenblas). Each recipe
builds into $KILN_CACHE/builds/<name>-<hash>/: static libraries as
include/ + lib/*.a, shared ones as lib/*.so plus a zip and a lock entry.
"""

from __future__ import annotations

import hashlib
import shutil
import zipfile
from collections.abc import Callable
from functools import cache
from pathlib import Path

from kiln import cached, config, log, shell, sources, toolchain

from . import recipe as recipes
from .recipe import Recipe, RecipeError

LIBRARY_TYPES = ("static_library", "shared_library")
# Bump when what a recipe's build script sees changes (script_env, the
# folders it writes to): library builds are cached by it, not by this file.
SCRIPT_ENV_VERSION = "script-env-2"


def is_library(name: str) -> bool:
    return recipes.load(name).type in LIBRARY_TYPES


@cache
def library_key(name: str) -> str:
    """Changes when the recipe, its source, the toolchain or a dependency
    changes (and for shared libraries, how their build script runs)."""
    rec = recipes.load(name)
    parts = [rec.own_hash(), rec.meta.source.sha256 or "", toolchain.toolchain_id()]
    if rec.type == "shared_library":
        parts.append(SCRIPT_ENV_VERSION)
    parts += [f"{dep}={library_key(dep)}" for dep in sorted(rec.host_dependencies)]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


_reported_cached: set[Path] = set()  # log each cache hit once per process


def build_recipe_stage(rec: Recipe, out: Path, build: Callable[[Recipe, Path, Path], None], *, force: bool = False) -> Path:
    """The cached output folder of a recipe, made by `build(rec, work, out)`
    (work: a scratch folder under build/recipes/) when missing."""
    if cached.is_complete(out) and not force:
        if out not in _reported_cached:
            _reported_cached.add(out)
            log.info(f"{rec.name}: cached ({out.name})")
        return out

    def run(out: Path) -> None:
        with log.step(f"building {rec.name} {rec.version} ({rec.type})"):
            work = config.BUILD / "recipes" / out.name
            if work.exists():
                shutil.rmtree(work)
            work.mkdir(parents=True)
            build(rec, work, out)

    return cached.stage(out, run, force=force)


def ensure_library(name: str, *, force: bool = False) -> Path:
    """The output folder of library recipe `name`, built if needed."""
    rec = recipes.load(name)
    if rec.type not in LIBRARY_TYPES:
        raise RecipeError(f"recipe {name} is a {rec.type}, not a C library")
    for dep in rec.host_dependencies:
        ensure_library(dep)
    builder = _build_static_library if rec.type == "static_library" else _build_shared_library
    return build_recipe_stage(rec, config.BUILD_CACHE / f"{name}-{library_key(name)}", builder, force=force)


def prepare_source(rec: Recipe, dest: Path) -> Path:
    """The recipe's source, verified, unpacked at dest, with its patches applied."""
    archive = sources.fetch(rec.source_download())
    src = sources.extract(archive, dest)
    for patch in rec.patch_files():
        shell.run(["patch", "-p1", "-i", str(patch)], cwd=src)
    return src


def copy_local_source(rec: Recipe, dest: Path) -> Path:
    if rec.meta.source.path is None:
        raise RecipeError(f"recipe {rec.name}: source needs a url (with sha256) or a path")
    shutil.copytree(rec.meta.source.path, dest)
    return dest


def run_script(rec: Recipe, src: Path, prefix: Path, work: Path, extra_env: dict[str, str] | None = None) -> None:
    env = {**toolchain.env(), **script_env(rec, prefix, src), **(extra_env or {})}
    shell.run(["bash", "-euo", "pipefail", "-c", rec.meta.build.script or ""], cwd=src, env=env, log_file=work / "build.log")


def _build_static_library(rec: Recipe, work: Path, out: Path) -> None:
    src = prepare_source(rec, work / "src")
    (out / "include").mkdir()
    (out / "lib").mkdir()
    run_script(rec, src, out, work)
    if not any((out / "lib").glob("*.a")):
        raise RecipeError(f"recipe {rec.name}: the build script installed no lib/*.a into $WASM_LIBRARY_DIR")


def _build_shared_library(rec: Recipe, work: Path, out: Path) -> None:
    """A side module (.so) shipped in its own archive, loaded before its dependents."""
    src = prepare_source(rec, work / "src") if rec.meta.source.url else copy_local_source(rec, work / "src")
    dist = work / "dist"
    dist.mkdir()
    # Headers go to $WASM_LIBRARY_DIR/include and the .so files to lib/, for
    # the packages that link against this one.
    (out / "lib").mkdir()
    run_script(rec, src, out, work, {"DISTDIR": str(dist)})
    built = sorted(dist.glob("*.so"))
    if not built:
        raise RecipeError(f"recipe {rec.name}: the build script put no .so into $DISTDIR")
    for library in built:
        shutil.copy2(library, out / "lib" / library.name)
    archive = out / f"{rec.name}-{rec.version}.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for library in built:
            zf.write(library, library.name)
    recipes.write_lock_entry(rec, out, archive, install_dir="dynlib", imports=[])


def script_env(rec: Recipe, prefix: Path, src: Path) -> dict[str, str]:
    """Variables a recipe script sees (names follow pyodide-build's)."""
    dep_cflags, dep_ldflags = library_flags(rec.host_dependencies)
    cflags = f"{config.CFLAGS} {rec.meta.build.cflags}".strip()
    return {
        "PKG_VERSION": rec.version,
        "PKG_BUILD_DIR": str(src),
        "WASM_LIBRARY_DIR": str(prefix),
        "PYODIDE_JOBS": str(config.JOBS),
        "SIDE_MODULE_CFLAGS": f"{cflags} {dep_cflags}".strip(),
        "SIDE_MODULE_LDFLAGS": f"{config.SIDE_MODULE_LDFLAGS} {rec.meta.build.ldflags} {dep_ldflags}".strip(),
        "HOST_CC": "gcc",
        "PKGDIR": str(rec.dir),  # the recipe folder (helper scripts next to meta.yaml)
    }


def library_flags(names: list[str]) -> tuple[str, str]:
    """-I and -L flags for the built libraries `names` (other dependencies are skipped)."""
    dirs = [ensure_library(name) for name in names if is_library(name)]
    return (" ".join(f"-I{d / 'include'}" for d in dirs), " ".join(f"-L{d / 'lib'}" for d in dirs))
