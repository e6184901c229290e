// The call trampoline's JS half (WASM half: trampoline.wat, C side:
// cpython/patches/0004). CPython calls its own functions directly and those
// of side modules (C extensions) through `_PyEM_TrampolineCall`, an import
// whose EM_JS body is the JS fallback. Where the engine can run
// trampoline.wat (typed function references), that WebAssembly function
// replaces the import, so C calls through it never leave WebAssembly.

let callTrampolineKind = "js";

/** Before instantiation: use the WASM trampoline if the engine validates it. */
function installCallTrampoline(imports) {
  if (!WebAssembly.validate(CALL_TRAMPOLINE_WASM)) return;
  const fallback = imports.env._PyEM_TrampolineCall;
  const table = imports.env.__indirect_function_table;
  if (typeof fallback !== "function" || !(table instanceof WebAssembly.Table)) {
    throw new Error("kiln: the core has no _PyEM_TrampolineCall import or function table (was CPython built with PY_CALL_TRAMPOLINE?)");
  }
  const module = new WebAssembly.Module(CALL_TRAMPOLINE_WASM);
  const instance = new WebAssembly.Instance(module, { env: { table, fallback } });
  imports.env._PyEM_TrampolineCall = instance.exports.call;
  callTrampolineKind = "wasm";
}

/** After instantiation, before any side module loads: the core's functions
 * are the table's slots so far; they are called without the trampoline. */
function markCoreFunctions(exports) {
  exports._PyEM_TrampolineSetCoreEnd(wasmTable.length);
}
