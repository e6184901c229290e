"""Building recipes in dependency order, cached by a hash of their inputs.

C libraries build in kiln.packages.libraries (a stage before CPython); this
module builds the rest, which need the WASM CPython: stdlib modules split out
of the core, Python packages (through pyodide-build) and prebuilt wheels.
Each recipe builds into $KILN_CACHE/builds/<name>-<hash>/.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import zipfile
from functools import cache
from pathlib import Path

from kiln import cached, config, log, shell, sources, toolchain
from kiln.cpython import build as cpython_build

from . import libraries, pyodide_env, wasm_signatures, wheels
from . import recipe as recipes
from .recipe import PACKAGE_JSON, Recipe, RecipeError

# Kiln's own wheel-building code: Python recipes are rebuilt when it changes.
_TOOL_FILES = [
    Path(__file__), Path(wheels.__file__), Path(pyodide_env.__file__), Path(wasm_signatures.__file__),
    Path(__file__).with_name("pyodide_driver.py"), Path(__file__).with_name("pywasmcross_f2c_fixes.py"),
]


@cache
def input_hash(name: str) -> str:
    """Changes when the recipe, its source, the toolchain, the Python ABI, the
    build tools or a dependency changes."""
    if libraries.is_library(name):
        return libraries.library_key(name)
    rec = recipes.load(name)
    parts = [rec.own_hash(), rec.meta.source.sha256 or "", toolchain.toolchain_id(), cpython_build.wasm_key()]
    parts += [hashlib.sha256(p.read_bytes()).hexdigest() for p in _TOOL_FILES]
    parts += [f"{dep}={input_hash(dep)}" for dep in sorted(rec.host_dependencies)]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def output_dir(name: str) -> Path:
    return config.BUILD_CACHE / f"{name}-{input_hash(name)}"


def is_built(name: str) -> bool:
    return cached.is_complete(output_dir(name))


def build(names: list[str], *, build_all: bool = False, force: bool = False) -> list[Path]:
    if build_all:
        names = recipes.all_names()
    if not names:
        raise RecipeError("name at least one recipe, or pass --all")
    toolchain.ensure()
    return [ensure_built(name, force=force and name in names) for name in recipes.dependency_order(names)]


def ensure_built(name: str, *, force: bool = False) -> Path:
    """Return the output folder of recipe `name`, building it if needed."""
    if libraries.is_library(name):
        return libraries.ensure_library(name, force=force)
    rec = recipes.load(name)
    for dep in rec.host_dependencies:
        ensure_built(dep)
    if rec.type == "cpython_module":
        make = _build_cpython_module
    elif rec.is_prebuilt_wheel:
        make = _take_wheel
    else:
        make = _build_python_package
    return libraries.build_recipe_stage(rec, output_dir(name), make, force=force)


def built_package(name: str) -> dict | None:
    """The lock-file entry of a built recipe (None for static libraries)."""
    path = ensure_built(name) / PACKAGE_JSON
    return json.loads(path.read_text()) if path.exists() else None


def _build_cpython_module(rec: Recipe, work: Path, out: Path) -> None:
    """A stdlib module split out of the core: its side module (built by the
    CPython build) and pure-Python part, as a wheel installed into the stdlib."""
    build = cpython_build.wasm_build()
    dist = work / "dist"
    dist.mkdir()
    env = {
        "DISTDIR": str(dist),
        "CPYTHON_LIB": str(cpython_build.patched_lib()),
        "CPYTHON_SHARED_MODULES": str(cpython_build.shared_module_dir(build)),
    }
    libraries.run_script(rec, work, work / "prefix", work, env)
    tag = config.PYTHON_TAG
    wheel = wheels.make_wheel(dist, rec.name, rec.version, f"{tag}-{tag}-{config.PLATFORM_TAG}", out)
    recipes.write_lock_entry(rec, out, wheel, install_dir="stdlib", imports=rec.top_level or wheels.top_level_names(wheel))


def _take_wheel(rec: Recipe, work: Path, out: Path) -> None:
    """A wheel from PyPI, verified by its recipe's sha256, shipped as is."""
    wheel = sources.fetch(rec.source_download())
    target = out / wheel.name
    shutil.copy2(wheel, target)
    recipes.write_lock_entry(rec, out, target, install_dir="site", imports=rec.top_level or wheels.top_level_names(target))


def _build_python_package(rec: Recipe, work: Path, out: Path) -> None:
    """pyodide-build compiles the package (PEP 517 build, cross compilers)."""
    root = pyodide_env.pyodide_root()
    recipe_copy = work / "recipe"
    shutil.copytree(rec.dir, recipe_copy, ignore=shutil.ignore_patterns("build", "dist", "build.log"))
    # pyodide-build looks for the libraries a package links in
    # <build_dir>/../../.libs (its pkg-config path): here, work/.libs.
    build_dir = work / "pyodide" / "build"
    libs = work / ".libs"
    src = build_dir / f"{rec.name}-{rec.version}"
    if rec.meta.source.url:
        libraries.prepare_source(rec, src)
    else:
        libraries.copy_local_source(rec, src)
    (src / "dist").mkdir(exist_ok=True)
    for dep in rec.host_dependencies:
        built = ensure_built(dep)
        if libraries.is_library(dep):  # libraries the package links
            for sub in ("include", "lib"):
                if (built / sub).exists():
                    shutil.copytree(built / sub, libs / sub, dirs_exist_ok=True)
        else:  # Python packages it compiles against (NumPy's headers): their WASM wheels, unpacked
            for wheel in built.glob("*.whl"):
                with zipfile.ZipFile(wheel) as zf:
                    zf.extractall(libs / "site-packages")
    driver = Path(__file__).with_name("pyodide_driver.py")
    env = pyodide_env.build_env(root, host_site_packages=libs / "site-packages", work=work)
    env["KILN_LIBS"] = str(libs)
    try:
        shell.run([shutil.which("python3", path=env["PATH"]), str(driver), str(recipe_copy), str(build_dir)], env=env)
    except shell.CommandFailed as error:
        log_path = recipe_copy / "build.log"
        tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-60:]) if log_path.exists() else ""
        raise RecipeError(f"building {rec.name} with pyodide-build failed; last lines of {log_path}:\n{tail}") from error
    built = sorted((recipe_copy / "dist").glob("*.whl"))
    if len(built) != 1:
        raise RecipeError(f"building {rec.name} gave {len(built)} wheels: {[w.name for w in built]}")
    wheel = wheels.retag(built[0])
    _check_shared_library_signatures(rec, wheel)
    target = out / wheel.name
    shutil.copy2(wheel, target)
    tests = out / f"{rec.name}-tests-{rec.version}.zip"
    has_tests = rec.meta.build.unvendor_tests and wheels.split_tests(target, tests)
    recipes.write_lock_entry(
        rec, out, target, install_dir="site", imports=rec.top_level or wheels.top_level_names(target),
        tests=tests if has_tests else None,
    )


def _check_shared_library_signatures(rec: Recipe, wheel: Path) -> None:
    """A wheel's side modules must import the functions of the shared libraries
    it links with the types those define (a mismatch traps in wasm)."""
    shared = [
        library
        for dep in rec.host_dependencies
        if recipes.load(dep).type == "shared_library"
        for library in sorted((ensure_built(dep) / "lib").glob("*.so"))
    ]
    if shared:
        try:
            wasm_signatures.check_against_libraries(wheel, shared)
        except ValueError as error:
            raise RecipeError(f"recipe {rec.name}: {error}") from None
        log.info(f"{rec.name}: function signatures agree with {', '.join(p.name for p in shared)}")
