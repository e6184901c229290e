"""The peer runtime: Pyodide from npm, fetched and verified like any source."""

from __future__ import annotations

from pathlib import Path

from kiln import cached, config, sources


def pyodide_dir() -> Path:
    """The unpacked npm `pyodide` package (version pinned in kiln.config)."""
    home = config.CACHE / "bench" / config.PYODIDE_NPM.file_name.removesuffix(".tgz")
    return cached.stage(home, lambda out: sources.extract(sources.fetch(config.PYODIDE_NPM), out))


def pyodide_version() -> str:
    return config.PYODIDE_NPM.file_name.removeprefix("pyodide-").removesuffix(".tgz")
