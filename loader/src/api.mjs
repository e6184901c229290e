// The object loadKiln() resolves to: the public JS API of a running interpreter.

import { IN_NODE, nodeRequire, readBytes } from "./host.mjs";
import { makeInterrupts } from "./interrupts.mjs";
import { makeHttpHost } from "./net/http_host.mjs";
import { mountNativeFS } from "./native_fs.mjs";
import { makePackageManager } from "./packages/manager.mjs";
import { isRequirement, isWheelURL } from "./packages/names.mjs";

export function makeAPI(Module, streams, { indexURL, lockFileURL, lockFileContents, packageBaseURL, packageCache, startedFromSnapshot, glueCodeCache }) {
  const bridge = Module.kilnBridge;
  const { runtime } = bridge;
  const packages = makePackageManager(Module, { lockFileURL, lockFileContents, packageBaseURL, packageCache });
  const interrupts = makeInterrupts(Module);
  runtime.setHost("system", interrupts);
  const httpHost = makeHttpHost({ interruptPending: interrupts.pending });
  runtime.setHost("http", httpHost);

  function interruptAsyncRuns() {
    try {
      runtime.interruptAsyncRuns();
    } catch (error) {
      // The eval loop may raise the KeyboardInterrupt on the function's first
      // bytecode, before its own handling: the signal is spent, cancel anyway.
      if (!(error instanceof bridge.PythonError && error.type === "KeyboardInterrupt")) throw error;
      runtime.interruptAsyncRuns(true);
    }
  }

  // The lock file loads in the background, off the start-up path: import
  // hints and micropip find it ready.
  queueMicrotask(() => packages.getLockFile().catch(() => {}));
  let debug = false;

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

  /** The lock file, loaded: synchronously where the host can (micropip reads it on import). */
  function loadedLockFile() {
    const lock = packages.lockFile();
    if (lock) return lock;
    try {
      return packages.getLockFileSync();
    } catch {
      throw new Error("kiln: the package lock file is not loaded yet: await kiln.loadPackage(\"micropip\") first");
    }
  }

  let asyncPrepared = false;

  const api = {
    /** (internal) resolves when the runtime's background helpers run: loadKiln awaits it. */
    _ready: httpHost.ready,
    version: KILN_VERSION,
    /** Whether this interpreter was restored from a memory snapshot (loadKiln({snapshot})). */
    startedFromSnapshot,
    /** Node: how the core's JS glue was compiled: "used" V8's code cache on disk, "created" it, or "off". */
    glueCodeCache,
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
      interrupts.clearStale();
      try {
        return runtime.runCode(code, options.globals, options.locals, options.filename ?? "<exec>");
      } finally {
        if (!bridge.failed()) flushStreams();
      }
    },

    /** Like runPython, with top-level `await`; resolves to the last expression's value. */
    async runPythonAsync(code, options = {}) {
      checkCode("runPythonAsync", code);
      interrupts.clearStale();
      if (!asyncPrepared) {
        interrupts.uninterruptible(() => runtime.prepareAsync());
        asyncPrepared = true; // the imports stay: once per interpreter, not per call
      }
      const coroutine = runtime.runCodeAsync(code, options.globals, options.locals, options.filename ?? "<exec>");
      const stopWatching = interrupts.watchAsyncRun(interruptAsyncRuns);
      try {
        return await coroutine;
      } finally {
        stopWatching();
        coroutine.destroy();
        if (!bridge.failed()) flushStreams();
      }
    },

    /** __main__'s namespace, as a PyProxy of a dict; get() falls back to builtins (as Pyodide's does). */
    get globals() {
      const globals = runtime.mainGlobals();
      bridge.setGetFallback(globals, runtime.builtinsDict());
      return globals;
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

    /** Pyodide's interrupt buffer: a typed array on a SharedArrayBuffer; writing
     * 2 (SIGINT) to element 0 from another thread interrupts running Python. */
    setInterruptBuffer: (buffer, options) => interrupts.setInterruptBuffer(buffer, options),
    /** Raise the pending interrupt now (as a PythonError KeyboardInterrupt), if there is one. */
    checkInterrupt() {
      if (interrupts.pending()) runtime.checkSignals();
    },

    /** Load packages (names from the lock file, or wheel URLs) with their
     * dependencies: fetched in parallel, sha256-verified, installed. */
    loadPackage: packages.loadPackage,
    /** Load the packages the given code imports. */
    loadPackagesFromImports: packages.loadPackagesFromImports,
    /** name -> where it was loaded from, for every loaded package. */
    loadedPackages: packages.loadedPackages,
    /** Where the lock file's packages are (micropip.freeze() makes its URLs absolute with it). */
    lockfileBaseUrl: packageBaseURL,

    /**
     * Install requirements in one pass: lock-file names, requirement
     * specifiers ("requests>=2", "attrs[tests]") and wheel URLs together,
     * resolved by micropip against the lock file and the package index, and
     * installed all or nothing. options: micropip.install's (index_urls,
     * keep_going, deps, pre, constraints, reinstall, credentials, verbose).
     * Resolves to [{name, version}] of what was installed.
     */
    async install(requirements, options = {}) {
      const list = typeof requirements === "string" ? [requirements] : Array.from(requirements ?? [], String);
      const lock = await packages.getLockFile();
      if (Object.keys(options).length === 0 && list.every((r) => !isRequirement(r) && !isWheelURL(r) && lock.get(r))) {
        const loaded = await packages.loadPackage(list);
        return loaded.map(({ name, version }) => ({ name, version }));
      }
      await packages.loadPackage("micropip");
      const result = await runtime.installRequirements(list, options);
      try {
        return result.toJs().map(([name, version]) => ({ name, version }));
      } finally {
        result.destroy();
      }
    },

    /** Unpack an archive (zip, tar, gztar, bztar, xztar, wheel) into the file system (default: the working folder). */
    unpackArchive(buffer, format, options = {}) {
      const bytes = buffer instanceof ArrayBuffer ? new Uint8Array(buffer) : new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
      runtime.unpackArchive(bytes, format, options.extractDir ?? null);
    },

    /**
     * Mount a browser directory (a FileSystemDirectoryHandle: showDirectoryPicker(),
     * navigator.storage.getDirectory()) at `path`: its files are copied in now;
     * `syncfs()` writes the folder back. As Pyodide's mountNativeFS.
     */
    mountNativeFS: (path, handle) => mountNativeFS(Module.FS, path, handle),

    /** Debug mode (longer error messages); returns the previous setting. */
    setDebug(on) {
      const previous = debug;
      debug = Boolean(on);
      return previous;
    },

    /** The Emscripten module (for code that reaches into it, as into Pyodide's). */
    _module: Module,

    /** Whether Python can block on JS promises here (JSPI). */
    get jspiAvailable() {
      return bridge.jspiAvailable();
    },

    /** Counters for leak checks: live JS references held by Python, live
     * PyProxies, bytes malloc has in use, and the WASM memory size. */
    debugCounters() {
      return { ...bridge.liveCounts(), heapUsedBytes: Module._kiln_heap_used(), wasmMemoryBytes: Module.HEAPU8.length };
    },

    // What micropip reaches as `pyodide_js._api` (its Pyodide compatibility layer).
    _api: {
      install: runtime.installWheel,
      loadBinaryFile: (path) => readBytes(IN_NODE && path.startsWith("/") ? nodeRequire("url").pathToFileURL(path).href : new URL(path, packageBaseURL).href),
      get lockfile_packages() {
        return loadedLockFile().raw;
      },
      get lockfile_info() {
        return loadedLockFile().info;
      },
    },
  };
  // Code written for Pyodide imports the API as a module.
  api.registerJsModule("pyodide_js", api);
  return api;
}
