"""Recipes: `packages/<name>/meta.yaml` in pyodide-build's format.

Parsing and validation are pyodide-build's own (`MetaConfig`), so a bad recipe
fails early naming the field that is wrong.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pyodide_build.recipe.spec import MetaConfig

from kiln import config, sources
from kiln.config import Download
from kiln.errors import KilnError

PACKAGE_JSON = "package.json"  # a built recipe's lock-file entry, in its output folder


class RecipeError(KilnError):
    pass


class UnknownRecipe(RecipeError):
    pass


@dataclass(frozen=True)
class Recipe:
    name: str
    dir: Path
    meta: MetaConfig

    @property
    def version(self) -> str:
        return self.meta.package.version

    @property
    def type(self) -> str:
        return self.meta.build.package_type

    @property
    def host_dependencies(self) -> list[str]:
        return list(self.meta.requirements.host)

    @property
    def run_dependencies(self) -> list[str]:
        return list(self.meta.requirements.run)

    @property
    def is_prebuilt_wheel(self) -> bool:
        return bool(self.meta.source.url and self.meta.source.url.endswith(".whl"))

    @property
    def top_level(self) -> list[str]:
        return list(self.meta.package.top_level)

    def source_download(self) -> Download:
        source = self.meta.source
        if not source.url or not source.sha256:
            raise RecipeError(f"recipe {self.name}: source needs both url and sha256")
        if not re.fullmatch(r"[0-9a-f]{64}", str(source.sha256)):
            raise RecipeError(f"recipe {self.name}: source.sha256 must be 64 lowercase hex digits, got {source.sha256!r}")
        return Download(source.url, source.sha256)

    def patch_files(self) -> list[Path]:
        return [self.dir / p for p in self.meta.source.patches]

    def own_hash(self) -> str:
        """Hash of everything in the recipe folder that affects the build."""
        digest = hashlib.sha256()
        for path in sorted(p for p in self.dir.rglob("*") if p.is_file() and "build" not in p.relative_to(self.dir).parts):
            digest.update(str(path.relative_to(self.dir)).encode())
            digest.update(path.read_bytes())
        return digest.hexdigest()


def all_names() -> list[str]:
    return sorted(p.parent.name for p in config.PACKAGES_DIR.glob("*/meta.yaml"))


def _describe_validation_error(error: BaseException) -> str:
    """cattrs nests the real problems in groups; flatten them into one line each."""
    try:
        from cattrs import transform_error

        return "; ".join(transform_error(error))
    except Exception:
        return f"{type(error).__name__}: {error}"


@cache
def load(name: str) -> Recipe:
    path = config.PACKAGES_DIR / name / "meta.yaml"
    if not path.exists():
        raise UnknownRecipe(f"no recipe named {name!r} (looked for {path})")
    try:
        meta = MetaConfig.from_yaml(path)
    except Exception as error:  # pyodide-build's validation: attrs/cattrs errors
        raise RecipeError(f"{path}: invalid recipe: {_describe_validation_error(error)}") from None
    if meta.package.name != name:
        raise RecipeError(f"{path}: package.name is {meta.package.name!r}, expected the folder name {name!r}")
    return Recipe(name, path.parent, meta)


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
        rec = load(name)
        for dep in [*rec.host_dependencies, *rec.run_dependencies]:
            visit(dep)
        visiting.discard(name)
        ordered.append(name)

    for name in names:
        visit(name)
    return ordered


def write_lock_entry(rec: Recipe, out: Path, file: Path, *, install_dir: str, imports: list[str], tests: Path | None = None) -> None:
    """Write the built recipe's lock-file entry (package.json) into `out`."""
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
