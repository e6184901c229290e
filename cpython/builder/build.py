"""Cross-compiling CPython for wasm32-emscripten.

Steps, each a cached stage (kiln.cached) keyed by a hash of its inputs:
  native_python()  a build Python of the same version (needed to cross-build)
  wasm_build()     configure + make of the WASM interpreter (libpython + modules),
                   optimised with the profile of a training run (pgo.py)
  patched_lib()    Lib/ with the stdlib-only patches, for the stdlib zip
The C libraries it links come from their recipes (kiln.packages.libraries);
the core module that the runtime loads is linked by core_link.py.
"""

from __future__ import annotations

import hashlib
import shutil
from functools import cache
from pathlib import Path

from kiln import cached, config, log, shell, sources, toolchain
from kiln.errors import KilnError
from kiln.packages import libraries

PATCHES_DIR = config.CPYTHON_DIR / "patches"
SETUP_LOCAL = config.CPYTHON_DIR / "Setup.local"


def _hash(*parts: str) -> str:
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def _patched_files(patch: Path) -> list[str]:
    return [line[len("+++ b/"):].split("\t")[0] for line in patch.read_text().splitlines() if line.startswith("+++ b/")]


def _patches(*, stdlib: bool) -> list[Path]:
    """Kiln's CPython patches: those touching only Lib/ (stdlib=True) are applied
    when the stdlib zip is packed, so changing them needs no C rebuild."""
    patches = sorted(PATCHES_DIR.glob("*.patch"))
    return [p for p in patches if all(f.startswith("Lib/") for f in _patched_files(p)) == stdlib]


def _unpack_source(dest: Path, patches: list[Path]) -> Path:
    """A fresh CPython source tree at dest, with `patches` applied."""
    tarball = sources.fetch(config.CPYTHON_TARBALL)
    with log.step(f"unpacking {tarball.name}"):
        sources.extract(tarball, dest)
    for patch in patches:
        shell.run(["patch", "-p1", "-i", str(patch)], cwd=dest)
    return dest


@cache
def native_key() -> str:
    # The build Python is pristine: Kiln's patches concern the WASM target.
    return _hash(config.CPYTHON_TARBALL.sha256, "native")


def native_python() -> Path:
    """The build Python (native, same version), built once and cached."""
    home = cached.stage(config.BUILD_CACHE / f"python-native-{native_key()}", _build_native_python)
    return home / "build" / "python"


def _build_native_python(home: Path) -> None:
    src = _unpack_source(home / "src", [])
    build = home / "build"
    build.mkdir()
    with log.step(f"building native Python {config.PYTHON_VERSION} (the build Python)"):
        shell.run([str(src / "configure"), "--without-ensurepip", "--disable-test-modules"], cwd=build, log_file=home / "build.log")
        shell.run(["make", f"-j{config.JOBS}"], cwd=build, log_file=home / "build.log")


def _library_configure_vars() -> tuple[dict[str, str], list[str]]:
    """configure variables for the C libraries, and their hashes (cache inputs)."""
    variables, hashes = {}, []
    for name, (var, flag) in config.CPYTHON_LIBRARIES.items():
        prefix = libraries.ensure_library(name)
        variables[f"{var}_CFLAGS"] = f"-I{prefix / 'include'}"
        variables[f"{var}_LIBS"] = f"-L{prefix / 'lib'} {flag}"
        hashes.append(prefix.name)
    return variables, hashes


def _configure_args(build_python: Path) -> list[str]:
    return [
        "--host=wasm32-unknown-emscripten",
        "--build=x86_64-pc-linux-gnu",
        f"--with-build-python={build_python}",
        "--with-emscripten-target=node",
        "--enable-wasm-dynamic-linking",
        "--without-mimalloc",  # its header defines __wasi__ on Emscripten, breaking stdio checks
        "--without-ensurepip",
        "--prefix=/",
    ]


# configure results that Tools/wasm/config.site-wasm32-emscripten gets wrong.
CONFIGURE_OVERRIDES = {
    # Emscripten's times() only zeroes its result, so time.process_time()
    # would always be 0.0; without it CPython falls back to clock().
    "ac_cv_func_times": "no",
}


def tree_key(interpreter_flags: str) -> str:
    """The key of a WASM build tree: the ABI plus flags of CPython's own objects."""
    return _hash(wasm_key(), interpreter_flags)


@cache
def wasm_build_key() -> str:
    """The key of the interpreter's build folder: the ABI, the speed flags and
    the training profile it is optimised with."""
    from . import pgo  # pgo trains an instrumented build made by this module

    return tree_key(f"{config.INTERPRETER_SPEED_FLAGS} pgo:{pgo.profile_key()}")


def interpreter_flags() -> str:
    """Flags of CPython's own objects: speed flags and the training profile."""
    from . import pgo

    return f"{config.INTERPRETER_SPEED_FLAGS} {pgo.use_flags(pgo.profile())}"


@cache
def wasm_key() -> str:
    """Changes with anything that can change the Python ABI side modules are
    built against (recipes are keyed by it)."""
    build_python = native_python()
    lib_vars, lib_hashes = _library_configure_vars()
    return _hash(
        native_key(),
        *(p.read_text() for p in _patches(stdlib=False)),
        toolchain.toolchain_id(),
        SETUP_LOCAL.read_text(),
        *shared_modules(),
        *_configure_args(build_python),
        *lib_hashes,
        config.CFLAGS,
        config.LDFLAGS,
        config.CPYTHON_NODIST_CFLAGS,
        *(f"{var}={value}" for var, value in sorted(CONFIGURE_OVERRIDES.items())),
    )


def wasm_build() -> Path:
    """The configured and built WASM CPython tree (its `build` folder)."""
    from . import pgo

    toolchain.ensure()

    def build_optimised(home: Path) -> None:
        profile = pgo.profile()
        build_tree(home, interpreter_flags(), configure_cache=pgo.configure_cache(profile))

    home = cached.stage(config.BUILD_CACHE / f"cpython-wasm-{wasm_build_key()}", build_optimised)
    return home / "build"


def build_tree(home: Path, interpreter_flags: str, *, configure_cache: Path | None = None) -> Path:
    """Configure and make CPython for WASM in `home`, its own objects compiled
    with `interpreter_flags`; `configure_cache` (a config.cache of the same
    configure arguments) saves re-running configure's tests. Returns the build folder."""
    build_python = native_python()
    lib_vars, _ = _library_configure_vars()
    src = _unpack_source(home / "src", _patches(stdlib=False))
    build = home / "build"
    build.mkdir()
    (build / "Modules").mkdir()
    (build / "Modules" / "Setup.local").write_text(_setup_local(src))
    if configure_cache is not None:
        shutil.copy(configure_cache, build / "config.cache")
    env = {
        **toolchain.env(),
        "CONFIG_SITE": str(src / "Tools/wasm/config.site-wasm32-emscripten"),
        "OPT": f"-DNDEBUG {config.OPT_FLAGS} -Wall",
        "CFLAGS": config.ABI_FLAGS,
        "CFLAGS_NODIST": f"{config.CPYTHON_NODIST_CFLAGS} {interpreter_flags}",
        "LDFLAGS_NODIST": interpreter_flags,
        "LDFLAGS": config.LDFLAGS,
        **lib_vars,
        **CONFIGURE_OVERRIDES,
    }
    logfile = home / "build.log"
    with log.step(f"configuring CPython {config.PYTHON_VERSION} for {config.TARGET}"):
        shell.run(["emconfigure", str(src / "configure"), "-C", *_configure_args(build_python)], cwd=build, env=env, log_file=logfile)
    with log.step("compiling CPython (libpython + modules)"):
        shell.run(["make", f"-j{config.JOBS}", config.LIBPYTHON, "pybuilddir.txt", "sharedmods"], cwd=build, env=env, log_file=logfile)
    _check_modules(build)
    return build


def shared_modules() -> list[str]:
    """C modules built as side modules: test-only ones, and those split out of the core."""
    split = [module for modules, _ in config.CPYTHON_SPLIT_MODULES.values() for module in modules]
    return [*config.CPYTHON_TEST_MODULES, *split]


def _setup_local(src: Path) -> str:
    """cpython/Setup.local, plus the modules moved to the *shared* section
    (their lines taken from CPython's own Setup.stdlib.in)."""
    wanted = set(shared_modules())
    lines = []
    for line in (src / "Modules" / "Setup.stdlib.in").read_text().splitlines():
        marker, _, rest = line.partition("@")[2].partition("@")
        if marker.startswith("MODULE_") and rest.split(" ", 1)[0] in wanted:
            lines.append(rest)
    missing = wanted - {line.split(" ", 1)[0] for line in lines}
    if missing:
        raise KilnError(f"modules not found in Setup.stdlib.in: {sorted(missing)}")
    return SETUP_LOCAL.read_text() + "\n*shared*\n" + "\n".join(lines) + "\n"


# Modules that must be built into the core; a missing one fails the build
# instead of silently vanishing (configure drops modules whose library it
# cannot find).
REQUIRED_MODULES = ["zlib", "_bz2", "_lzma", "_sqlite3", "_ctypes", "_decimal", "_json", "pyexpat", "_asyncio", "_sha2"]


def _check_modules(build: Path) -> None:
    makefile = (build / "Makefile").read_text()
    missing = [m for m in REQUIRED_MODULES if f"MODULE_{m.upper()}_STATE=yes" not in makefile]
    if missing:
        states = [line for line in makefile.splitlines() if line.startswith("MODULE_") and "_STATE=" in line and not line.endswith("=yes")]
        raise KilnError(f"CPython modules not built: {missing}\nmodule states:\n" + "\n".join(states))


def stdlib_key() -> str:
    return _hash(config.CPYTHON_TARBALL.sha256, *(p.read_text() for p in _patches(stdlib=True)))


def patched_lib() -> Path:
    """CPython's Lib/ with Kiln's stdlib patches applied."""
    home = cached.stage(
        config.BUILD_CACHE / f"cpython-lib-{stdlib_key()}",
        lambda out: _unpack_source(out / "src", _patches(stdlib=True)),
    )
    return home / "src" / "Lib"


def shared_module_dir(build: Path) -> Path:
    """Where the build leaves side modules (and the target's sysconfigdata)."""
    return build / (build / "pybuilddir.txt").read_text().strip()


def make_variable(build: Path, name: str) -> str:
    """A variable's value as CPython's Makefile computes it."""
    out = shell.run(
        ["make", "-s", "--no-print-directory", "-f", "Makefile", "-f", "-", f"kiln-print-{name}"],
        cwd=build,
        capture=True,
        stdin_text="kiln-print-%:\n\t@echo $($*)\n",
    )
    return out.strip()
