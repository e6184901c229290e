"""Building recipes in dependency order, cached by a hash of their inputs."""

from __future__ import annotations

import hashlib
import shutil
from functools import cache
from pathlib import Path

from kiln import config, log, shell, sources, toolchain

from . import recipe as recipes
from .recipe import Recipe, RecipeError


@cache
def input_hash(name: str) -> str:
    """Changes when the recipe, its source, the toolchain or a dependency changes."""
    rec = recipes.load(name)
    parts = [rec.own_hash(), rec.meta.source.sha256 or "", toolchain.toolchain_id()]
    parts += [f"{dep}={input_hash(dep)}" for dep in sorted(rec.host_dependencies)]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def output_dir(name: str) -> Path:
    return config.BUILD_CACHE / f"{name}-{input_hash(name)}"


def dependency_order(names: list[str]) -> list[str]:
    """`names` and everything they need at build time, dependencies first."""
    ordered: list[str] = []
    visiting: set[str] = set()

    def visit(name: str) -> None:
        if name in ordered:
            return
        if name in visiting:
            raise RecipeError(f"dependency cycle through recipe {name!r}")
        visiting.add(name)
        for dep in recipes.load(name).host_dependencies:
            visit(dep)
        visiting.discard(name)
        ordered.append(name)

    for name in names:
        visit(name)
    return ordered


def build(names: list[str], *, build_all: bool = False, force: bool = False) -> list[Path]:
    if build_all:
        names = recipes.all_names()
    if not names:
        raise RecipeError("name at least one recipe, or pass --all")
    toolchain.ensure()
    return [ensure_built(name, force=force and name in names) for name in dependency_order(names)]


def ensure_built(name: str, *, force: bool = False) -> Path:
    """Return the output folder of recipe `name`, building it if needed."""
    out = output_dir(name)
    if out.exists() and not force:
        log.info(f"{name}: cached ({out.name})")
        return out
    for dep in recipes.load(name).host_dependencies:
        ensure_built(dep)
    rec = recipes.load(name)
    if rec.type != "static_library":
        raise NotImplementedError(f"recipe {name}: build type {rec.type!r} is not supported yet")
    with log.step(f"building {name} {rec.version}"):
        _build_static_library(rec, out)
    return out


def _prepare_source(rec: Recipe, work: Path) -> Path:
    archive = sources.fetch(rec.source_download())
    src = sources.extract(archive, work / "src")
    for patch in rec.patch_files():
        shell.run(["patch", "-p1", "-i", str(patch)], cwd=src)
    return src


def _build_static_library(rec: Recipe, out: Path) -> None:
    work = config.BUILD / "recipes" / rec.name
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    src = _prepare_source(rec, work)
    staging = out.with_name(out.name + ".partial")
    if staging.exists():
        shutil.rmtree(staging)
    (staging / "include").mkdir(parents=True)
    (staging / "lib").mkdir()
    env = {**toolchain.env(), **script_env(rec, staging, src)}
    shell.run(["bash", "-euo", "pipefail", "-c", rec.meta.build.script or ""], cwd=src, env=env, log_file=work / "build.log")
    if not any((staging / "lib").glob("*.a")):
        raise RecipeError(f"recipe {rec.name}: the build script installed no lib/*.a into $WASM_LIBRARY_DIR")
    if out.exists():
        shutil.rmtree(out)
    staging.rename(out)


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
    }


def library_flags(names: list[str]) -> tuple[str, str]:
    """-I and -L flags for built static libraries."""
    dirs = [ensure_built(name) for name in names]
    return (" ".join(f"-I{d / 'include'}" for d in dirs), " ".join(f"-L{d / 'lib'}" for d in dirs))

