// The object loadKiln() resolves to: the public JS API of a running interpreter.

export function makeAPI(Module, streams, { indexURL }) {
  const bridge = Module.kilnBridge;

  function flushStreams() {
    bridge.callWasm(Module._kiln_flush_std_streams);
    streams.stdout.flush();
    streams.stderr.flush();
  }

  /**
   * Run Python code; return the value of its last expression converted to JS
   * (str/int/float/bool/None by value, anything else as a PyProxy).
   * A Python exception is thrown as a PythonError holding the traceback.
   */
  function runPython(code) {
    if (typeof code !== "string") {
      throw new TypeError(`runPython expects a string of code, got ${typeof code}`);
    }
    const codePtr = Module.stringToNewUTF8(code);
    let result;
    try {
      result = bridge.callWasm(Module._kiln_run_code, codePtr, 0);
    } finally {
      Module._free(codePtr);
      if (!bridge.failed()) flushStreams();
    }
    bridge.checkPy(result);
    try {
      return bridge.pyToJs(result);
    } finally {
      Module._kiln_decref(result);
    }
  }

  return {
    version: KILN_VERSION,
    indexURL,
    FS: Module.FS,
    PythonError: bridge.PythonError,
    runPython,
    setStdout: (handler) => streams.stdout.set(handler ?? ((line) => console.log(line))),
    setStderr: (handler) => streams.stderr.set(handler ?? ((line) => console.warn(line))),
    setStdin: (handler) => streams.stdin.set(handler),
    _module: Module,
  };
}
