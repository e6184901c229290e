"""Building recipes in dependency order, cached by a hash of their inputs.

Each recipe builds into $KILN_CACHE/builds/<name>-<hash>/. Static libraries
leave include/ and lib/ there; everything that ships (wheels, shared-library
archives) leaves its file plus package.json, the lock-file entry.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import shutil
import zipfile
from functools import cache
from pathlib import Path

from kiln import config, cpython_build, log, shell, sources, toolchain

from . import pyodide_env, wasm_signatures, wheels
from . import recipe as recipes
from .recipe import Recipe, RecipeError

PACKAGE_JSON = "package.json"
# Bump when what a recipe's build script sees changes (script_env, the
# folders it writes to): library builds are cached by it, not by this file.
SCRIPT_ENV_VERSION = "script-env-2"
_TOOL_FILES = [
    Path(__file__), Path(wheels.__file__), Path(pyodide_env.__file__), Path(wasm_signatures.__file__),
    Path(__file__).with_name("pyodide_driver.py"), Path(__file__).with_name("pywasmcross_f2c_fixes.py"),
]


@cache
def input_hash(name: str) -> str:
    """Changes when the recipe, its source, the toolchain, the Python ABI, the
    build tools or a dependency changes."""
    rec = recipes.load(name)
    parts = [rec.own_hash(), rec.meta.source.sha256 or "", toolchain.toolchain_id()]
    # C libraries depend on the toolchain and their recipe (and shared ones on
    # how their script runs); Python packages also on the CPython build (the
    # ABI) and on Kiln's wheel tools.
    if rec.type == "shared_library":
        parts.append(SCRIPT_ENV_VERSION)
    elif rec.type != "static_library":
        parts.append(cpython_build.wasm_key())
        parts += [hashlib.sha256(p.read_bytes()).hexdigest() for p in _TOOL_FILES]
    parts += [f"{dep}={input_hash(dep)}" for dep in sorted(rec.host_dependencies)]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def output_dir(name: str) -> Path:
    return config.BUILD_CACHE / f"{name}-{input_hash(name)}"


def dependency_order(names: list[str]) -> list[str]:
    """`names` and everything they need to build or run, dependencies first."""
    ordered: list[str] = []
    visiting: set[str] = set()

    def visit(name: str) -> None:
        if name in ordered:
            return
        if name in visiting:
            raise RecipeError(f"dependency cycle through recipe {name!r}")
        visiting.add(name)
        rec = recipes.load(name)
        for dep in [*rec.host_dependencies, *rec.run_dependencies]:
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


_reported_cached: set[Path] = set()  # log each cache hit once per process


def ensure_built(name: str, *, force: bool = False) -> Path:
    """Return the output folder of recipe `name`, building it if needed."""
    with _build_lock(name):
        return _ensure_built(name, force=force)


@contextlib.contextmanager
def _build_lock(name: str):
    """One build of a recipe at a time, across kiln processes (they share its work folder)."""
    config.BUILD_CACHE.mkdir(parents=True, exist_ok=True)
    with open(config.BUILD_CACHE / f".lock-{name}", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.info(f"{name}: another kiln process is building it; waiting")
            fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _ensure_built(name: str, *, force: bool = False) -> Path:
    out = output_dir(name)
    if out.exists() and not force:
        if out not in _reported_cached:
            _reported_cached.add(out)
            log.info(f"{name}: cached ({out.name})")
        return out
    rec = recipes.load(name)
    for dep in rec.host_dependencies:
        ensure_built(dep)
    with log.step(f"building {name} {rec.version} ({rec.type})"):
        staging = out.with_name(out.name + ".partial")
        if staging.exists():
            shutil.rmtree(staging)
        staging.mkdir(parents=True)
        work = config.BUILD / "recipes" / rec.name
        if work.exists():
            shutil.rmtree(work)
        work.mkdir(parents=True)
        if rec.type == "static_library":
            _build_static_library(rec, work, staging)
        elif rec.type == "shared_library":
            _build_shared_library(rec, work, staging)
        elif rec.type == "cpython_module":
            _build_cpython_module(rec, work, staging)
        elif rec.is_prebuilt_wheel:
            _take_wheel(rec, staging)
        else:
            _build_python_package(rec, work, staging)
        if out.exists():
            shutil.rmtree(out)
        staging.rename(out)
    return out


def built_package(name: str) -> dict | None:
    """The lock-file entry of a built recipe (None for static libraries)."""
    path = ensure_built(name) / PACKAGE_JSON
    return json.loads(path.read_text()) if path.exists() else None


def _prepare_source(rec: Recipe, dest: Path) -> Path:
    archive = sources.fetch(rec.source_download())
    src = sources.extract(archive, dest)
    for patch in rec.patch_files():
        shell.run(["patch", "-p1", "-i", str(patch)], cwd=src)
    return src


def _run_script(rec: Recipe, src: Path, prefix: Path, work: Path, extra_env: dict[str, str] | None = None) -> None:
    env = {**toolchain.env(), **script_env(rec, prefix, src), **(extra_env or {})}
    shell.run(["bash", "-euo", "pipefail", "-c", rec.meta.build.script or ""], cwd=src, env=env, log_file=work / "build.log")


def _build_static_library(rec: Recipe, work: Path, out: Path) -> None:
    src = _prepare_source(rec, work / "src")
    (out / "include").mkdir()
    (out / "lib").mkdir()
    _run_script(rec, src, out, work)
    if not any((out / "lib").glob("*.a")):
        raise RecipeError(f"recipe {rec.name}: the build script installed no lib/*.a into $WASM_LIBRARY_DIR")


def _build_shared_library(rec: Recipe, work: Path, out: Path) -> None:
    """A side module (.so) shipped in its own archive, loaded before its dependents."""
    src = _prepare_source(rec, work / "src") if rec.meta.source.url else _copy_local_source(rec, work / "src")
    dist = work / "dist"
    dist.mkdir()
    # Headers go to $WASM_LIBRARY_DIR/include and the .so files to lib/, for
    # the packages that link against this one.
    (out / "lib").mkdir()
    _run_script(rec, src, out, work, {"DISTDIR": str(dist)})
    libraries = sorted(dist.glob("*.so"))
    if not libraries:
        raise RecipeError(f"recipe {rec.name}: the build script put no .so into $DISTDIR")
    for library in libraries:
        shutil.copy2(library, out / "lib" / library.name)
    archive = out / f"{rec.name}-{rec.version}.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for library in libraries:
            zf.write(library, library.name)
    _write_package_json(rec, out, archive, install_dir="dynlib", imports=[])


def _copy_local_source(rec: Recipe, dest: Path) -> Path:
    if rec.meta.source.path is None:
        raise RecipeError(f"recipe {rec.name}: source needs a url (with sha256) or a path")
    shutil.copytree(rec.meta.source.path, dest)
    return dest


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
    _run_script(rec, work, work / "prefix", work, env)
    python_tag = "cp" + config.PYTHON_MAJOR_MINOR.replace(".", "")
    wheel = wheels.make_wheel(dist, rec.name, rec.version, f"{python_tag}-{python_tag}-{config.PLATFORM_TAG}", out)
    _write_package_json(rec, out, wheel, install_dir="stdlib", imports=rec.top_level or wheels.top_level_names(wheel))


def _take_wheel(rec: Recipe, out: Path) -> None:
    """A wheel from PyPI, verified by its recipe's sha256, shipped as is."""
    wheel = sources.fetch(rec.source_download())
    target = out / wheel.name
    shutil.copy2(wheel, target)
    _write_package_json(rec, out, target, install_dir="site", imports=rec.top_level or wheels.top_level_names(target))


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
        _prepare_source(rec, src)
    else:
        _copy_local_source(rec, src)
    (src / "dist").mkdir(exist_ok=True)
    for dep in rec.host_dependencies:
        built = ensure_built(dep)
        if recipes.load(dep).type in ("static_library", "shared_library"):  # libraries the package links
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
    _write_package_json(
        rec, out, target, install_dir="site", imports=rec.top_level or wheels.top_level_names(target),
        tests=tests if has_tests else None,
    )


def _check_shared_library_signatures(rec: Recipe, wheel: Path) -> None:
    """A wheel's side modules must import the functions of the shared libraries
    it links with the types those define (a mismatch traps in wasm)."""
    libraries = [
        library
        for dep in rec.host_dependencies
        if recipes.load(dep).type == "shared_library"
        for library in sorted((ensure_built(dep) / "lib").glob("*.so"))
    ]
    if libraries:
        try:
            wasm_signatures.check_against_libraries(wheel, libraries)
        except ValueError as error:
            raise RecipeError(f"recipe {rec.name}: {error}") from None
        log.info(f"{rec.name}: function signatures agree with {', '.join(p.name for p in libraries)}")


def _write_package_json(rec: Recipe, out: Path, file: Path, *, install_dir: str, imports: list[str], tests: Path | None = None) -> None:
    entry = {
        "name": rec.name,
        "version": rec.version,
        "file_name": file.name,
        "install_dir": install_dir,
        "sha256": sources.sha256_of(file),
        "package_type": rec.type,
        "imports": imports,
        "depends": rec.run_dependencies,
    }
    if tests is not None:
        entry["tests"] = {"file_name": tests.name, "sha256": sources.sha256_of(tests)}
    (out / PACKAGE_JSON).write_text(json.dumps(entry, indent=1) + "\n")


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
    """-I and -L flags for built static libraries."""
    dirs = [ensure_built(name) for name in names]
    return (" ".join(f"-I{d / 'include'}" for d in dirs), " ".join(f"-L{d / 'lib'}" for d in dirs))
