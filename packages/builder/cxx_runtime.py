"""Which packages need the C++ runtime: a lock-file dependency read off their side modules.

The core links no C++ runtime (kiln.config.CORE_LINK_SETTINGS, -nostdlib++);
the libcxx recipe ships it as libc++.so. A package whose side modules import
a function libc++.so defines depends on libcxx in the lock file, whatever its
recipe lists, so recipes written for Pyodide (whose core carries libc++) need
no change, and loadPackage fetches libc++.so alongside the package.
"""

from __future__ import annotations

from pathlib import Path

from . import wasm_signatures

RECIPE = "libcxx"


def runtime_functions(library_dir: Path) -> set[str]:
    """Functions the C++ runtime's side modules (lib/*.so of its build) export."""
    names: set[str] = set()
    for library in sorted(library_dir.glob("lib/*.so")):
        names.update(wasm_signatures.signatures(library.read_bytes())[1])
    if not names:
        raise ValueError(f"{library_dir}: no C++ runtime side module (lib/*.so) exporting functions")
    return names


def needs_runtime(archive: Path, runtime: set[str]) -> list[str]:
    """The side modules of a wheel or zip that import C++ runtime functions."""
    return [
        name
        for name, wasm in sorted(wasm_signatures.side_modules(archive).items())
        if not runtime.isdisjoint(wasm_signatures.signatures(wasm)[0])
    ]
