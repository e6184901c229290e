"""The core's relocations applied at build time, at the address it always loads at.

Emscripten links the main module position-independent (MAIN_MODULE), yet its
glue always loads it at the same place: `__memory_base` 1024, `__table_base` 1
(constant `WebAssembly.Global`s in kiln.asm.mjs). So, as linked, every use of
the address of an exported C global (`_PyRuntime`, `_Py_NoneStruct`,
`PyLong_Type`, ...) in CPython's code reads a mutable wasm global that the
start function computes, and each pointer in the module's data (22,271 of
them in the core) is written by `__wasm_apply_data_relocs` at every start.

`fold` makes those values part of the module: the two bases become constants,
the start function's results become the globals' initial values (immutable,
so binaryen turns their uses into `i32.const`), and the data relocations
that are constants are written into the data segment. What depends on the
host stays code: GOT entries the glue fills in (`GOT.func.*`, `__heap_base`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from kiln import shell, toolchain
from kiln.errors import KilnError

# The features the core is linked with (wasm-opt refuses the module if one is missing).
FEATURES = [
    "--enable-exception-handling", "--enable-bulk-memory", "--enable-nontrapping-float-to-int",
    "--enable-sign-ext", "--enable-mutable-globals",
]

SEC_IMPORT, SEC_GLOBAL, SEC_EXPORT, SEC_START, SEC_CODE, SEC_DATA = 2, 6, 7, 8, 10, 11


class Op:
    """The opcodes the folding reads (a namespace, so `match` can compare with them)."""
    I32_CONST, GLOBAL_GET, GLOBAL_SET, I32_ADD, I32_STORE, END = 0x41, 0x23, 0x24, 0x6A, 0x36, 0x0B


def glue_bases(glue: str) -> dict[str, int]:
    """`__memory_base` and `__table_base` as the glue defines them."""
    bases = {}
    for name in ("__memory_base", "__table_base"):
        found = re.search(rf"var _{name}=new WebAssembly\.Global\(\{{value:\"i32\",mutable:false\}},(\d+)\)", glue)
        if not found:
            raise KilnError(f"kiln.asm.mjs does not define {name} as a constant: cannot fix the core's address")
        bases[name] = int(found.group(1))
    return bases


def fold(wasm: Path, bases: dict[str, int]) -> None:
    """Rewrite `wasm` in place with its relocations for `bases` applied."""
    module = Module(wasm.read_bytes())
    names = [f"{module.global_import_name(name)}={value}" for name, value in bases.items()]
    # The bases become constants, and so do the start function's values.
    _wasm_opt(wasm, ["--set-globals", f"--pass-arg=set-globals@{','.join(names)}", "--simplify-globals", "--precompute"])
    module = Module(wasm.read_bytes())
    if any(module.global_import_name(name, missing_ok=True) for name in bases):
        raise KilnError("wasm-opt left the core's base addresses as imports")
    module.fold_start_function()
    wasm.write_bytes(module.encode())
    # Globals no longer written are now immutable: their uses become constants.
    _wasm_opt(wasm, ["--simplify-globals", "--precompute"])
    module = Module(wasm.read_bytes())
    module.fold_data_relocations()
    wasm.write_bytes(module.encode())
    _wasm_opt(wasm, [])  # validates what was written


def _wasm_opt(wasm: Path, passes: list[str]) -> None:
    shell.run(["wasm-opt", str(wasm), *FEATURES, *passes, "-o", str(wasm)], env=toolchain.env())


# --- the binary format, as far as the folding needs it -----------------------


def _leb(data: bytes, pos: int, signed: bool) -> tuple[int, int]:
    result = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            if signed and byte & 0x40:
                result -= 1 << shift
            return result, pos


def _uleb(data: bytes, pos: int) -> tuple[int, int]:
    return _leb(data, pos, signed=False)


def _sleb(data: bytes, pos: int) -> tuple[int, int]:
    return _leb(data, pos, signed=True)


def _enc_uleb(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _enc_sleb(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        done = (value == 0 and not byte & 0x40) or (value == -1 and byte & 0x40)
        out.append(byte | (0 if done else 0x80))
        if done:
            return bytes(out)


def _name(data: bytes, pos: int) -> tuple[str, int]:
    size, pos = _uleb(data, pos)
    return data[pos:pos + size].decode(), pos + size


def _vector(items: list[bytes]) -> bytes:
    return _enc_uleb(len(items)) + b"".join(items)


@dataclass
class Statement:
    """Instructions of a function body that leave the stack as they found it."""
    ops: list[tuple]
    raw: bytes


def _statements(body: bytes, pos: int, what: str) -> list[Statement]:
    """Split a body of constants, global accesses, adds and i32 stores into statements."""
    statements, ops, start, depth = [], [], pos, 0
    while True:
        opcode = body[pos]
        pos += 1
        if opcode == Op.END:
            if ops or pos != len(body):
                raise KilnError(f"{what}: unexpected end of the function body")
            return statements
        if opcode == Op.I32_CONST:
            value, pos = _sleb(body, pos)
            ops.append((Op.I32_CONST, value))
            depth += 1
        elif opcode in (Op.GLOBAL_GET, Op.GLOBAL_SET):
            index, pos = _uleb(body, pos)
            ops.append((opcode, index))
            depth += 1 if opcode == Op.GLOBAL_GET else -1
        elif opcode == Op.I32_ADD:
            ops.append((Op.I32_ADD,))
            depth -= 1
        elif opcode == Op.I32_STORE:
            align, pos = _uleb(body, pos)
            offset, pos = _uleb(body, pos)
            ops.append((Op.I32_STORE, align, offset))
            depth -= 2
        else:
            raise KilnError(f"{what}: instruction 0x{opcode:02x} at byte {pos - 1} is not one the folding knows")
        if depth == 0:
            statements.append(Statement(ops, body[start:pos]))
            ops, start = [], pos


class Module:
    """A wasm module as its sections, with the folding steps."""

    def __init__(self, data: bytes):
        if data[:8] != b"\0asm\1\0\0\0":
            raise KilnError("not a WebAssembly module")
        self.sections: list[list] = []  # [id, payload]
        pos = 8
        while pos < len(data):
            size, start = _uleb(data, pos + 1)
            self.sections.append([data[pos], data[start:start + size]])
            pos = start + size

    def encode(self) -> bytes:
        return b"\0asm\1\0\0\0" + b"".join(bytes([sid]) + _enc_uleb(len(p)) + p for sid, p in self.sections)

    def _section(self, sid: int) -> list | None:
        return next((s for s in self.sections if s[0] == sid), None)

    def _imports(self) -> list[tuple[str, str, int]]:
        section = self._section(SEC_IMPORT)
        if section is None:
            return []
        payload, out = section[1], []
        count, pos = _uleb(payload, 0)
        for _ in range(count):
            module, pos = _name(payload, pos)
            field, pos = _name(payload, pos)
            kind = payload[pos]
            pos += 1
            if kind == 0:  # function: type index
                _, pos = _uleb(payload, pos)
            elif kind == 1:  # table: reftype, limits
                pos += 1
                flags, pos = _uleb(payload, pos)
                _, pos = _uleb(payload, pos)
                if flags & 1:
                    _, pos = _uleb(payload, pos)
            elif kind == 2:  # memory: limits
                flags, pos = _uleb(payload, pos)
                _, pos = _uleb(payload, pos)
                if flags & 1:
                    _, pos = _uleb(payload, pos)
            elif kind == 3:  # global: valtype, mutability
                pos += 2
            elif kind == 4:  # tag: attribute, type index
                pos += 1
                _, pos = _uleb(payload, pos)
            else:
                raise KilnError(f"unknown import kind {kind}")
            out.append((module, field, kind))
        return out

    def _imported(self, kind: int) -> int:
        return sum(1 for *_, k in self._imports() if k == kind)

    def global_import_name(self, field: str, missing_ok: bool = False) -> str | None:
        """binaryen's name for the global imported as env.<field>: gimport$<global index>."""
        index = 0
        for module, name, kind in self._imports():
            if kind != 3:
                continue
            if (module, name) == ("env", field):
                return f"gimport${index}"
            index += 1
        if missing_ok:
            return None
        raise KilnError(f"the core does not import env.{field}")

    def _exported_function(self, name: str) -> int:
        payload = self._section(SEC_EXPORT)[1]
        count, pos = _uleb(payload, 0)
        for _ in range(count):
            field, pos = _name(payload, pos)
            kind = payload[pos]
            index, pos = _uleb(payload, pos + 1)
            if field == name and kind == 0:
                return index
        raise KilnError(f"the core does not export the function {name}")

    def _bodies(self) -> list[bytes]:
        payload = self._section(SEC_CODE)[1]
        count, pos = _uleb(payload, 0)
        bodies = []
        for _ in range(count):
            size, pos = _uleb(payload, pos)
            bodies.append(payload[pos:pos + size])
            pos += size
        return bodies

    def _rewrite_body(self, function: int, what: str, keep) -> None:
        """Replace a function's body by the statements `keep` returns true for."""
        bodies = self._bodies()
        index = function - self._imported(0)
        body = bodies[index]
        count, pos = _uleb(body, 0)
        for _ in range(count):  # local declarations: count, type
            _, pos = _uleb(body, pos)
            pos += 1
        kept = [s.raw for s in _statements(body, pos, what) if keep(s)]
        bodies[index] = body[:pos] + b"".join(kept) + bytes([Op.END])
        self._section(SEC_CODE)[1] = _vector([_enc_uleb(len(b)) + b for b in bodies])

    def fold_start_function(self) -> None:
        """`global.set g (i32.const C)` in the start function → g's initial value is C."""
        start = self._section(SEC_START)
        if start is None:
            raise KilnError("the core has no start function (__wasm_apply_global_relocs) to fold")
        function, _ = _uleb(start[1], 0)
        values = {}

        def keep(statement: Statement) -> bool:
            match statement.ops:
                case [(Op.I32_CONST, value), (Op.GLOBAL_SET, index)]:
                    values[index] = value
                    return False
            return True

        self._rewrite_body(function, "the core's start function", keep)
        self._set_global_inits(values)

    def _set_global_inits(self, values: dict[int, int]) -> None:
        section = self._section(SEC_GLOBAL)
        payload, imported = section[1], self._imported(3)
        count, pos = _uleb(payload, 0)
        globals_ = []
        for index in range(imported, imported + count):
            head = payload[pos:pos + 2]  # valtype, mutability
            init_start = pos = pos + 2
            while payload[pos] != Op.END:  # constant expression: one instruction here
                pos += 1
                if payload[pos - 1] in (Op.I32_CONST, Op.GLOBAL_GET):
                    _, pos = _sleb(payload, pos) if payload[pos - 1] == Op.I32_CONST else _uleb(payload, pos)
                else:
                    raise KilnError(f"global {index}: initial value is not a constant")
            init = payload[init_start:pos + 1]
            pos += 1
            if index in values:
                if head != b"\x7f\x01":
                    raise KilnError(f"global {index} set by the start function is not a mutable i32")
                init = bytes([Op.I32_CONST]) + _enc_sleb(values.pop(index)) + bytes([Op.END])
            globals_.append(head + init)
        if values:
            raise KilnError(f"the start function sets imported globals {sorted(values)}")
        section[1] = _vector(globals_)

    def fold_data_relocations(self) -> None:
        """`i32.store (i32.const A) (i32.const V)` in __wasm_apply_data_relocs → V written at A in the data."""
        segments = self._data_segments()

        def keep(statement: Statement) -> bool:
            match statement.ops:
                case [(Op.I32_CONST, address), (Op.I32_CONST, value), (Op.I32_STORE, _, offset)]:
                    for start, data in segments:
                        at = address + offset - start
                        if 0 <= at and at + 4 <= len(data):
                            data[at:at + 4] = (value & 0xFFFFFFFF).to_bytes(4, "little")
                            return False
            return True

        self._rewrite_body(self._exported_function("__wasm_apply_data_relocs"), "__wasm_apply_data_relocs", keep)
        self._write_data_segments(segments)

    def _data_segments(self) -> list[tuple[int, bytearray]]:
        payload = self._section(SEC_DATA)[1]
        count, pos = _uleb(payload, 0)
        segments = []
        for _ in range(count):
            flags, pos = _uleb(payload, pos)
            if flags != 0 or payload[pos] != Op.I32_CONST:
                raise KilnError("the core has a data segment that is not active at a constant address")
            start, pos = _sleb(payload, pos + 1)
            if payload[pos] != Op.END:
                raise KilnError("a data segment's address is not a single constant")
            size, pos = _uleb(payload, pos + 1)
            segments.append((start, bytearray(payload[pos:pos + size])))
            pos += size
        return segments

    def _write_data_segments(self, segments: list[tuple[int, bytearray]]) -> None:
        self._section(SEC_DATA)[1] = _vector([
            b"\0" + bytes([Op.I32_CONST]) + _enc_sleb(start) + bytes([Op.END]) + _enc_uleb(len(data)) + bytes(data)
            for start, data in segments
        ])
