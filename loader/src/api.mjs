// The object loadKiln() resolves to: the public JS API of a running interpreter.

import { makePackageManager } from "./packages.mjs";

export function makeAPI(Module, streams, { indexURL, lockFileURL, packageBaseURL }) {
  const bridge = Module.kilnBridge;
  const { runtime } = bridge;
  const packages = makePackageManager(Module, { lockFileURL, packageBaseURL });

  function flushStreams() {
    bridge.callWasm(Module._kiln_flush_std_streams);
    streams.stdout.flush();
    streams.stderr.flush();
  }

  function checkCode(name, code) {
    if (typeof code !== "string") {
      throw new TypeError(`${name} expects a string of code, got ${typeof code}`);
    }
  }

  const api = {
    version: KILN_VERSION,
    indexURL,
    FS: Module.FS,
    PythonError: bridge.PythonError,
    ffi: { ...bridge.pyproxyClasses, PythonError: bridge.PythonError, PyBufferView: bridge.PyBufferView },

    /**
     * Run Python code; return the value of its last expression converted to JS
     * (None/bool/int/float/str by value, anything else as a PyProxy).
     * A Python exception is thrown as a PythonError holding the traceback.
     * options: globals (a PyProxy of a dict; default __main__'s), locals, filename.
     */
    runPython(code, options = {}) {
      checkCode("runPython", code);
      try {
        return runtime.runCode(code, options.globals, options.locals, options.filename ?? "<exec>");
      } finally {
        if (!bridge.failed()) flushStreams();
      }
    },

    /** Like runPython, with top-level `await`; resolves to the last expression's value. */
    async runPythonAsync(code, options = {}) {
      checkCode("runPythonAsync", code);
      const coroutine = runtime.runCodeAsync(code, options.globals, options.locals, options.filename ?? "<exec>");
      try {
        return await coroutine;
      } finally {
        coroutine.destroy();
        if (!bridge.failed()) flushStreams();
      }
    },

    /** __main__'s namespace, as a PyProxy of a dict. */
    get globals() {
      return runtime.mainGlobals();
    },

    /** Import a Python module; returns it as a PyProxy. */
    pyimport(name) {
      return runtime.pyimport(name);
    },

    /** Make a JS object importable from Python as `name`. */
    registerJsModule(name, module) {
      runtime.registerJsModule(name, module);
    },

    unregisterJsModule(name) {
      runtime.unregisterJsModule(name);
    },

    /** Deep conversion of a JS value to Python: returns a PyProxy (or a scalar). */
    toPy(value, options = {}) {
      return bridge.pyToJsOwned(bridge.jsToPyDeep(value, options));
    },

    setStdout: (handler) => streams.stdout.set(handler ?? ((line) => console.log(line))),
    setStderr: (handler) => streams.stderr.set(handler ?? ((line) => console.warn(line))),
    setStdin: (handler) => streams.stdin.set(handler),

    /** Load packages (names from the lock file, or wheel URLs) with their
     * dependencies: fetched in parallel, sha256-verified, installed. */
    loadPackage: packages.loadPackage,
    /** Load the packages the given code imports. */
    loadPackagesFromImports: packages.loadPackagesFromImports,
    /** name -> where it was loaded from, for every loaded package. */
    loadedPackages: packages.loadedPackages,

    /** Whether Python can block on JS promises here (JSPI). */
    get jspiAvailable() {
      return bridge.jspiAvailable();
    },

    /** Counters for leak checks: live JS references held by Python, live
     * PyProxies, bytes malloc has in use, and the WASM memory size. */
    debugCounters() {
      return { ...bridge.liveCounts(), heapUsedBytes: Module._kiln_heap_used(), wasmMemoryBytes: Module.HEAPU8.length };
    },
  };
  // Code written for Pyodide imports the API as a module.
  api.registerJsModule("pyodide_js", api);
  return api;
}
