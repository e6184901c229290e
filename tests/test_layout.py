"""The host package follows the pipeline: a stage imports only earlier stages.

Stages, in order (pyproject.toml maps each package to the folder of its stage):
sources → toolchain → libraries → cpython → packages → dist → testing.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from kiln import config

STAGES = [
    ("sources", ["kiln.sources"]),
    ("toolchain", ["kiln.toolchain"]),
    ("libraries", ["kiln.packages.recipe", "kiln.packages.libraries"]),
    ("cpython", ["kiln.cpython.build", "kiln.cpython.core_link", "kiln.cpython.core_fixed_base", "kiln.cpython.stdlib",
                 "kiln.cpython.pgo"]),
    ("packages", ["kiln.packages.builder", "kiln.packages.bytecode", "kiln.packages.lockfile", "kiln.packages.pyodide_env",
                  "kiln.packages.wheels", "kiln.packages.wasm_signatures", "kiln.packages.cxx_runtime"]),
    ("dist", ["kiln.dist.assemble", "kiln.dist.npm_package", "kiln.dist.snapshot"]),
    ("testing", ["kiln.testing.node_harness", "kiln.testing.cpython_suite", "kiln.testing.package_suite"]),
]
# Used by every stage; they import no stage themselves.
SHARED = ["kiln", "kiln.config", "kiln.log", "kiln.shell", "kiln.errors", "kiln.cached",
          "kiln.packages", "kiln.cpython", "kiln.dist", "kiln.testing"]
# Entry points above the pipeline: they may import anything.
ENTRY_POINTS = ["kiln.cli", "kiln.__main__", "kiln.bootstrap"]
# Run as scripts by a child process, never imported by the host tool.
SCRIPTS = ["kiln.packages.pyodide_driver", "kiln.packages.pywasmcross_f2c_fixes"]

STAGE_OF = {module: index for index, (_, modules) in enumerate(STAGES) for module in modules}


def package_dirs() -> dict[str, Path]:
    """pyproject.toml's package -> folder mapping (the layout's one statement)."""
    mapping = tomllib.loads((config.ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-dir"]
    return {package: config.ROOT / folder for package, folder in mapping.items()}


def all_modules() -> list[str]:
    modules = []
    for package, folder in package_dirs().items():
        modules.append(package)
        modules += [f"{package}.{path.stem}" for path in sorted(folder.glob("*.py")) if path.stem != "__init__"]
    return sorted(modules)


def test_every_module_has_a_place_in_the_pipeline():
    placed = set(STAGE_OF) | set(SHARED) | set(ENTRY_POINTS) | set(SCRIPTS)
    assert len(all_modules()) > 25
    assert sorted(set(all_modules()) - placed) == [], "new modules: add them to a stage in tests/test_layout.py"
    assert sorted(placed - set(all_modules())) == [], "modules listed here that no longer exist"


def _allowed(index: int) -> set[str]:
    return set(SHARED) | {module for module, stage in STAGE_OF.items() if stage <= index}


@pytest.mark.parametrize("module", [m for _, modules in STAGES for m in modules] + SHARED)
def test_importing_a_stage_loads_no_later_stage(module):
    """`python -c "import kiln.<stage>"` in a fresh process: what it pulls in."""
    probe = f"import json, sys, {module}; print(json.dumps(sorted(m for m in sys.modules if m == 'kiln' or m.startswith('kiln.'))))"
    loaded = set(json.loads(subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True).stdout))
    assert module in loaded
    allowed = set(SHARED) if module in SHARED else _allowed(STAGE_OF[module])
    assert sorted(loaded - allowed) == []


def _imported_names(path: Path, module: str) -> set[str]:
    """Every kiln module `path` imports, at the top or inside functions."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            names |= {f"{base}.{alias.name}" for alias in node.names} | {base}
    return {name for name in names if name == "kiln" or name.startswith("kiln.")}


def test_no_module_imports_a_later_stage_even_inside_a_function():
    modules = set(all_modules())
    checked = 0
    for module in [m for _, ms in STAGES for m in ms] + SHARED:
        spec_path = Path(__import__(module, fromlist=["_"]).__file__)
        targets = {name for name in _imported_names(spec_path, module) if name in modules}
        allowed = set(SHARED) if module in SHARED else _allowed(STAGE_OF[module])
        assert sorted(targets - allowed) == [], f"{module} imports a later stage"
        checked += 1
    assert checked == sum(len(ms) for _, ms in STAGES) + len(SHARED)


def test_the_import_check_catches_a_later_stage(tmp_path):
    """The static check above sees a lazy import of a later stage."""
    source = tmp_path / "libraries.py"
    source.write_text("def f():\n    from kiln.cpython import build\n    from . import recipe\n")
    names = _imported_names(source, "kiln.packages.libraries")
    assert {"kiln.cpython.build", "kiln.packages.recipe"} <= names
    assert "kiln.cpython.build" not in _allowed(STAGE_OF["kiln.packages.libraries"])


def test_a_regular_install_carries_every_module(tmp_path):
    """Not only an editable install: the wheel of the host tool holds each
    package from its stage folder."""
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path), str(config.ROOT)], check=True)
    (wheel,) = tmp_path.glob("kiln-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    packages = package_dirs()
    expected = {module.replace(".", "/") + ("/__init__.py" if module in packages else ".py") for module in all_modules()}
    assert sorted(expected - names) == []
    assert "kiln/emcc_fast_compile.bash" in names
