"""The core's relocations applied at build time (cpython/builder/core_fixed_base.py).

A module shaped like Emscripten's main module (bases imported, GOT entries set
by the start function, pointers in data written by __wasm_apply_data_relocs)
is folded, and both versions run in Node: the folded one must compute every
address and pointer the original computes at run time, and keep what depends
on the host (a GOT.mem import) as code."""

import json
import subprocess

import pytest

from kiln.cpython import core_fixed_base
from kiln import config, toolchain
from kiln.errors import KilnError

MAIN_MODULE_WAT = r"""
(module
  (import "env" "memory" (memory 1))
  (import "env" "__memory_base" (global $memory_base i32))
  (import "env" "__stack_pointer" (global $stack_pointer (mut i32)))
  (import "env" "__table_base" (global $table_base i32))
  (import "GOT.mem" "__heap_base" (global $heap_base (mut i32)))
  (table $table (export "table") 4 funcref)
  (global $got_runtime (mut i32) (i32.const 8))
  (global $got_function (mut i32) (i32.const 2))
  (data (global.get $memory_base) "\00\00\00\00\00\00\00\00runtime!\00\00\00\00")
  (elem (global.get $table_base) $runtime_address $read_runtime)
  (func $apply_global_relocs
    (global.set $got_runtime (i32.add (global.get $memory_base) (i32.const 8)))
    (global.set $got_function (i32.add (global.get $table_base) (i32.const 1))))
  (func (export "__wasm_apply_data_relocs")
    (i32.store (i32.add (global.get $memory_base) (i32.const 0)) (i32.add (global.get $memory_base) (i32.const 8)))
    (i32.store offset=4 (global.get $memory_base) (i32.add (global.get $table_base) (i32.const 1)))
    (i32.store (i32.add (global.get $memory_base) (i32.const 16)) (global.get $heap_base)))
  (func $runtime_address (export "runtime_address") (result i32) (global.get $got_runtime))
  (func $read_runtime (export "read_runtime") (result i64) (i64.load (global.get $got_runtime)))
  (func (export "function_slot") (result i32) (global.get $got_function))
  (start $apply_global_relocs))
"""

# Instantiate with the bases the glue passes, apply the data relocations, read everything back.
RUN = r"""
const { readFileSync } = await import("node:fs");
const memory = new WebAssembly.Memory({ initial: 1 });
const i32 = (value, mutable = false) => new WebAssembly.Global({ value: "i32", mutable }, value);
const imports = {
  env: { memory, __memory_base: i32(1024), __table_base: i32(1), __stack_pointer: i32(4096, true) },
  "GOT.mem": { __heap_base: i32(60000, true) },
};
const { instance } = await WebAssembly.instantiate(readFileSync(process.argv[2]), imports);
const e = instance.exports;
e.__wasm_apply_data_relocs();
const words = Array.from(new Uint32Array(memory.buffer, 1024, 5));
console.log(JSON.stringify({ words, runtime: e.runtime_address(), read: e.read_runtime().toString(),
  slot: e.function_slot(), called: String(e.table.get(e.function_slot())()) }));
"""


def _assemble(tmp_path):
    wasm = tmp_path / "main.wasm"
    (tmp_path / "main.wat").write_text(MAIN_MODULE_WAT)
    subprocess.run(["wasm-as", *core_fixed_base.FEATURES, str(tmp_path / "main.wat"), "-o", str(wasm)],
                   env=toolchain.env(), check=True)
    return wasm


def _run(tmp_path, wasm):
    (tmp_path / "run.mjs").write_text(RUN)
    proc = subprocess.run([str(toolchain.node_binary()), str(tmp_path / "run.mjs"), str(wasm)],
                          capture_output=True, text=True, check=True)
    return json.loads(proc.stdout)


def test_folding_gives_what_the_relocations_gave_at_run_time(tmp_path):
    wasm = _assemble(tmp_path)
    original = _run(tmp_path, wasm)
    core_fixed_base.fold(wasm, {"__memory_base": 1024, "__table_base": 1})
    folded = _run(tmp_path, wasm)
    word = lambda text: int.from_bytes(text, "little")
    runtime = str(word(b"runtime!"))
    # Slot 2 holds read_runtime; the data's third and fourth words are "runtime!".
    assert original == {
        "words": [1032, 2, word(b"runt"), word(b"ime!"), 60000], "runtime": 1032, "read": runtime, "slot": 2, "called": runtime,
    }
    assert folded == original
    text = subprocess.run(["wasm-dis", str(wasm)], env=toolchain.env(), capture_output=True, text=True, check=True).stdout
    assert '"__memory_base"' not in text and '"__table_base"' not in text
    # The two pointers are in the data now; only the store of the host's __heap_base is left.
    relocations = text.split('(export "__wasm_apply_data_relocs" (func ')[1].split(")")[0]
    body = text.split(f"(func {relocations}\n")[1].split("\n )\n")[0]
    assert body.count("i32.store") == 1 and "global.get" in body
    defined_globals = [line for line in text.splitlines() if line.startswith(" (global ")]
    assert defined_globals and not any("(mut" in line for line in defined_globals)


def test_an_instruction_the_folding_does_not_know_is_refused(tmp_path):
    wasm = tmp_path / "main.wasm"
    (tmp_path / "main.wat").write_text(MAIN_MODULE_WAT.replace(
        "(i32.store (i32.add (global.get $memory_base) (i32.const 16)) (global.get $heap_base))",
        "(i32.store (i32.add (global.get $memory_base) (i32.const 16)) (i32.mul (global.get $heap_base) (i32.const 2)))"))
    subprocess.run(["wasm-as", *core_fixed_base.FEATURES, str(tmp_path / "main.wat"), "-o", str(wasm)],
                   env=toolchain.env(), check=True)
    with pytest.raises(KilnError, match="__wasm_apply_data_relocs: instruction 0x6c"):
        core_fixed_base.fold(wasm, {"__memory_base": 1024, "__table_base": 1})


def test_the_glue_must_define_the_bases_as_constants():
    glue = (config.DIST / config.CORE_JS).read_text()
    assert core_fixed_base.glue_bases(glue) == {"__memory_base": 1024, "__table_base": 1}
    with pytest.raises(KilnError, match="__table_base"):
        core_fixed_base.glue_bases(glue.replace("var ___table_base=new WebAssembly.Global", "var ___table_base=makeGlobal"))


def test_the_dist_core_has_its_relocations_applied():
    module = core_fixed_base.Module((config.DIST / config.CORE_WASM).read_bytes())
    assert module.global_import_name("__memory_base", missing_ok=True) is None
    assert module.global_import_name("__table_base", missing_ok=True) is None
    relocations = module._exported_function("__wasm_apply_data_relocs") - module._imported(0)
    # As linked, the function is ~380 KB of stores; what is left depends on the host.
    assert len(module._bodies()[relocations]) < 64
