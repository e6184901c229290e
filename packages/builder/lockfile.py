"""dist/kiln-lock.json: every shipped package, in the pyodide-lock format."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from pyodide_lock import PyodideLockSpec

from kiln import config, log

from . import builder, bytecode, cxx_runtime
from . import recipe as recipes

# Recipes tagged like this are built only when asked (`kiln build-recipes NAME`; `make scipy` does it for SciPy).
ON_REQUEST_TAG = "on-request"


def shipped_recipes() -> list[str]:
    """Recipes dist/ carries: everything but static libraries; recipes built
    only on request (long builds: SciPy) when their build is in the cache."""
    names = []
    for name in recipes.all_names():
        rec = recipes.load(name)
        if rec.type == "static_library":
            continue
        if ON_REQUEST_TAG in rec.meta.package.tag and not builder.is_built(name):
            log.warn(f"{name}: not in dist/ (built on request only: run `make {name}` to build it)")
            continue
        names.append(name)
    return names


def _entries(name: str) -> list[tuple[dict, Path]]:
    """Lock entries (and their files) for one built recipe, tests included."""
    out = builder.ensure_built(name)
    entry = builder.built_package(name)
    if entry is None:
        return []
    tests = entry.pop("tests", None)
    result = [({**entry, "unvendored_tests": tests is not None}, out / entry["file_name"])]
    if tests:
        result.append(
            (
                {
                    "name": f"{name}-tests",
                    "version": entry["version"],
                    "file_name": tests["file_name"],
                    "install_dir": "site",
                    "sha256": tests["sha256"],
                    "package_type": "package",
                    "imports": [],
                    "depends": [name],
                },
                out / tests["file_name"],
            )
        )
    return result


def write(dist: Path, names: list[str]) -> dict[str, dict]:
    """Copy the built packages into dist/ and write the lock file; return its packages."""
    packages: dict[str, dict] = {}
    for name in recipes.dependency_order(names):
        for entry, file in _entries(name):
            if file.suffix == ".whl":
                file = bytecode.compiled_wheel(file)
                entry = {**entry, "sha256": hashlib.sha256(file.read_bytes()).hexdigest()}
            shutil.copy2(file, dist / file.name)
            packages[entry["name"]] = entry
    _depend_on_cxx_runtime(dist, packages)
    lock = {
        "info": {
            "arch": "wasm32",
            # The ABI Kiln's wheels target is their platform tag (Pyodide's
            # numbered ABIs name a different one).
            "abi_version": config.PLATFORM_TAG,
            "platform": config.PLATFORM_TAG.removesuffix("_wasm32"),
            "version": config.KILN_VERSION,
            "python": config.PYTHON_VERSION,
        },
        "packages": packages,
    }
    spec = PyodideLockSpec.from_dict(lock)  # validates the format
    spec.check_wheel_filenames()
    spec.to_json(dist / config.LOCK_FILE, indent=1)
    return packages


def _depend_on_cxx_runtime(dist: Path, packages: dict[str, dict]) -> None:
    """Add libcxx to the dependencies of every package whose side modules call into it."""
    if cxx_runtime.RECIPE not in packages:
        raise ValueError(f"the C++ runtime ({cxx_runtime.RECIPE}) must ship: the core has none")
    runtime = cxx_runtime.runtime_functions(builder.ensure_built(cxx_runtime.RECIPE))
    for name, entry in packages.items():
        if name == cxx_runtime.RECIPE or cxx_runtime.RECIPE in entry["depends"]:
            continue
        callers = cxx_runtime.needs_runtime(dist / entry["file_name"], runtime)
        if callers:
            entry["depends"] = [*entry["depends"], cxx_runtime.RECIPE]
            log.info(f"{name}: depends on {cxx_runtime.RECIPE} ({callers[0]} calls into the C++ runtime)")
