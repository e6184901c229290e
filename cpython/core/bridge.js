// The core's entry: what the loader reaches through Module.kilnBridge.
// (Linked last of the --pre-js files: the functions it names are defined in
// refs.js, convert.js, error.js, jsproxy.js, pyproxy.js, deep.js, module.js,
// jspi.js, dylib.js and snapshot.js.)

let fatalError = null;

/**
 * Call into WASM where Python code may run. A JS exception escaping a WASM
 * call (a trap, or a JS error thrown through C frames) leaves the
 * interpreter's state unknown: the runtime then refuses further use instead
 * of running on corrupted memory. Also marks the call as not suspendable
 * (there is a JS frame below it now), for JSPI.
 */
function callWasm(fn, a, b, c, d) {
  if (fatalError) {
    throw new Error(
      `kiln: this runtime failed fatally earlier and can no longer run Python (first error: ${fatalError.message}); start a new one with loadKiln()`,
      { cause: fatalError },
    );
  }
  const suspendable = suspendableFlag ? HEAP32[suspendableFlag >> 2] : 0;
  if (suspendable) HEAP32[suspendableFlag >> 2] = 0;
  try {
    return fn(a, b, c, d);
  } catch (error) {
    fatalError = error;
    throw new Error(`kiln: fatal error inside the WASM runtime: ${error.message}. Python's state is lost; start a new runtime with loadKiln()`, {
      cause: error,
    });
  } finally {
    if (suspendable && !fatalError) HEAP32[suspendableFlag >> 2] = suspendable;
  }
}

/** Drop a reference: that may run Python code (__del__), so it goes through
 * the same guard as every call into WASM. */
function decref(ptr) {
  if (!fatalError) callWasm(_kiln_decref, ptr);
}

/** decref from a FinalizationRegistry callback: nobody up the stack to throw to. */
function decrefFromFinalizer(ptr) {
  try {
    decref(ptr);
  } catch (error) {
    console.error("kiln: releasing a Python object after garbage collection failed:", error);
  }
}

/** Emscripten's socket emulation tunnels TCP over WebSockets to a proxy few
 * have; without one, its calls throw JS errors through C frames (in Node,
 * require("ws") fails). Refuse sockets up front, as an OSError Python handles. */
function refuseSockets() {
  SOCKFS.createSocket = () => {
    throw new FS.ErrnoError(5 /* EAFNOSUPPORT */);
  };
}

// Python functions of kiln._runtime the JS side calls, as PyProxies.
const runtime = {};

function runtimeFunction(module, name) {
  const fn = getAttrOrUndefined(module, name);
  if (typeof fn !== "function") throw new Error(`kiln: kiln._runtime.${name} is missing`);
  return fn;
}

Module.kilnBridge = {
  /** Before instantiation: imports the engine's features decide. */
  installImports(imports) {
    installJspiImports(imports);
    installCallTrampoline(imports);
  },
  /** "wasm" or "js": which call trampoline this engine runs. */
  get callTrampoline() {
    return callTrampolineKind;
  },
  preloadSideModule,
  loadSharedLibrarySync,
  forgetPreloaded,

  /** Once the module is instantiated, before Python starts. */
  init({ convertNullToNone: nullToNone = false } = {}) {
    refuseSockets();
    scratch = _malloc(16);
    truePtr = _kiln_py_bool(1);
    _kiln_decref(truePtr); // True is immortal: the pointer stays valid
    convertNullToNone = nullToNone;
    initJspi(wasmExports);
    markCoreFunctions(wasmExports);
  },

  snapshotFingerprint,
  snapshotBase,
  captureSnapshot,
  restoreSnapshot,
  /** The environment the C library gave Python ("K=V"): Emscripten's defaults with options.env applied. */
  environStrings: () => getEnvStrings(),

  /** Import the runtime's Python half (done already in a memory snapshot). */
  importRuntime() {
    if (callWasm(_kiln_start_runtime) !== 0) {
      throw new Error("kiln: the runtime's Python half failed to import (its error was printed to stderr)");
    }
  },

  /** Build time, after importRuntime: see kiln._runtime.prepare_snapshot. */
  prepareSnapshot() {
    if (callWasm(_kiln_prepare_snapshot) !== 0) {
      throw new Error("kiln: preparing the memory snapshot failed (its error was printed to stderr)");
    }
  },

  /** Once Python runs (started or restored): the runtime's functions JS calls. */
  initRuntime() {
    Module.kilnBridge.importRuntime();
    const module = checkPy(callWasm(_kiln_runtime_module));
    for (const name of [
      "run_code", "run_code_async", "as_js_promise", "register_js_module", "unregister_js_module",
      "pyimport", "main_globals", "find_imports", "install_archive", "invalidate_import_caches", "install_wheel",
      "install_requirements", "set_host", "sha256_hex", "interrupt_async_runs", "after_snapshot_restore",
      "check_signals", "builtins_dict", "unpack_archive", "prepare_async", "archive_side_modules",
    ]) {
      runtime[toCamel(name)] = runtimeFunction(module, name);
    }
    jsnullPtr = checkPy(_kiln_jsnull());
  },

  runtime,
  PythonError,
  pyproxyClasses,
  PyBufferView,
  callWasm,
  failed: () => fatalError !== null,
  pyToJsOwned,
  jsToPyDeep,
  checkPy,
  liveCounts: () => ({ jsRefs: liveRefCount(), pyproxies: livePyProxies }),
  /** get(key) of `proxy` (a dict) answers from `fallback` for a missing key. */
  setGetFallback(proxy, fallback) {
    stateOf(proxy).getFallback = fallback;
  },
  jspiAvailable: () => jspiAvailable,
};

function toCamel(name) {
  return name.replace(/_([a-z])/g, (_, c) => c.toUpperCase());
}
