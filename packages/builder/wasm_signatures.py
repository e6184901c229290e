"""Function signatures across side modules: a build-time check.

On wasm a call through a mismatched signature does not "mostly work" as on
native targets: it traps, or the module fails to load. So when a package's
extension modules import functions a shared library of the lock file exports
(NumPy and SciPy calling LAPACK in libopenblas.so), the types must be equal.
This reads the type, import, function and export sections of the .so files
(WebAssembly binaries) and lists every function whose import and export
types differ.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

_VALUE_TYPES = {0x7F: "i32", 0x7E: "i64", 0x7D: "f32", 0x7C: "f64", 0x7B: "v128", 0x70: "funcref", 0x6F: "externref"}


class _Reader:
    def __init__(self, data: bytes):
        self.data, self.pos = data, 0

    def byte(self) -> int:
        self.pos += 1
        return self.data[self.pos - 1]

    def uleb(self) -> int:
        result = shift = 0
        while True:
            b = self.byte()
            result |= (b & 0x7F) << shift
            shift += 7
            if b < 0x80:
                return result

    def name(self) -> str:
        n = self.uleb()
        self.pos += n
        return self.data[self.pos - n:self.pos].decode()

    def limits(self) -> None:
        flags = self.byte()
        self.uleb()
        if flags & 1:
            self.uleb()


def signatures(wasm: bytes) -> tuple[dict[str, str], dict[str, str]]:
    """({imported function name: type}, {exported function name: type}) of a module."""
    if wasm[:4] != b"\0asm":
        raise ValueError("not a WebAssembly module")
    r = _Reader(wasm)
    r.pos = 8
    types: list[str] = []
    imports: dict[str, str] = {}
    function_types: list[str] = []  # of every function: imported ones first
    exports: dict[str, int] = {}
    while r.pos < len(wasm):
        section, size = r.byte(), r.uleb()
        end = r.pos + size
        if section == 1:  # types
            for _ in range(r.uleb()):
                r.byte()  # 0x60: func
                params = [_VALUE_TYPES.get(r.byte(), "?") for _ in range(r.uleb())]
                results = [_VALUE_TYPES.get(r.byte(), "?") for _ in range(r.uleb())]
                types.append(f"({', '.join(params)}) -> ({', '.join(results)})")
        elif section == 2:  # imports
            for _ in range(r.uleb()):
                module, field, kind = r.name(), r.name(), r.byte()
                if kind == 0:
                    signature = types[r.uleb()]
                    function_types.append(signature)
                    if module == "env":
                        imports[field] = signature
                elif kind == 1:
                    r.byte()
                    r.limits()
                elif kind == 2:
                    r.limits()
                elif kind == 3:
                    r.byte()
                    r.byte()
                elif kind == 4:
                    r.byte()
                    r.uleb()
        elif section == 3:  # functions defined here
            function_types += [types[r.uleb()] for _ in range(r.uleb())]
        elif section == 7:  # exports
            for _ in range(r.uleb()):
                field, kind, index = r.name(), r.byte(), r.uleb()
                if kind == 0:
                    exports[field] = index
        r.pos = end
    return imports, {name: function_types[index] for name, index in exports.items()}


def side_modules(archive: Path) -> dict[str, bytes]:
    """The .so members of a wheel or zip."""
    with zipfile.ZipFile(archive) as zf:
        return {name: zf.read(name) for name in zf.namelist() if name.endswith(".so")}


def mismatches(library: bytes, dependents: dict[str, bytes]) -> list[str]:
    """Every function a dependent imports with another type than `library` exports it."""
    _, exported = signatures(library)
    problems = []
    for module, wasm in sorted(dependents.items()):
        imported, _ = signatures(wasm)
        for name, wanted in sorted(imported.items()):
            have = exported.get(name)
            if have is not None and have != wanted:
                problems.append(f"{module}: {name} is imported as {wanted}, but the library defines {have}")
    return problems


def check_against_libraries(wheel: Path, libraries: list[Path]) -> None:
    """Raise naming every mismatch between `wheel`'s side modules and the shared libraries it links."""
    dependents = side_modules(wheel)
    problems = []
    for library in libraries:
        problems += [f"{library.name} / {p}" for p in mismatches(library.read_bytes(), dependents)]
    if problems:
        listing = "\n  ".join(problems[:40]) + ("\n  ..." if len(problems) > 40 else "")
        raise ValueError(f"{wheel.name}: {len(problems)} function signature mismatches with its shared libraries "
                         f"(each would trap in wasm):\n  {listing}")


if __name__ == "__main__":
    import sys

    # python -m kiln.packages.wasm_signatures LIBRARY.so WHEEL_OR_SO...
    lib, *others = map(Path, sys.argv[1:])
    dependents = {}
    for path in others:
        dependents.update(side_modules(path) if path.suffix in (".whl", ".zip") else {str(path): path.read_bytes()})
    found = mismatches(lib.read_bytes(), dependents)
    print("\n".join(found) or "no mismatches")
    sys.exit(1 if found else 0)
