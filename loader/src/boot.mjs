// loadKiln(): fetch the core files, start the WASM module, start Python.

import { compileWasm, readBytes, resolveIndexURL } from "./host.mjs";
import { loadGlue } from "./glue.mjs";
import { installStreams } from "./streams.mjs";
import { makeAPI } from "./api.mjs";
import { startWorker } from "./worker/handle.mjs";
import { checkSnapshotOptions, decodeSnapshot, encodeSnapshot, fetchSnapshot } from "./snapshot.mjs";
// File names and WASM paths, written by the build from its config.
import { LAYOUT } from "kiln-build-layout";

const { wasmStdlibZip: STDLIB_ZIP_PATH, wasmStdlibDir: STDLIB_DIR, wasmSitePackages: SITE_PACKAGES } = LAYOUT;
const HOME = "/home/kiln";

/**
 * Start a Python interpreter.
 * @param {object} [options]
 * @param {string} [options.indexURL] folder holding kiln.asm.wasm etc. (default: next to this file)
 * @param {(line: string) => void} [options.stdout] called with each line Python prints
 * @param {(line: string) => void} [options.stderr] called with each line of stderr
 * @param {() => string|Uint8Array|null} [options.stdin] called when Python reads stdin; null is end of input
 * @param {string[]} [options.args] Python command-line options (e.g. ["-X", "dev"])
 * @param {Record<string,string>} [options.env] environment variables
 * @param {boolean} [options.convertNullToNone] JS null becomes None (default: kiln.ffi.jsnull)
 * @param {string} [options.lockFileURL] the package lock file (default: indexURL + "kiln-lock.json")
 * @param {string|object} [options.lockFileContents] the lock file itself (JSON text or object), instead of lockFileURL
 * @param {string} [options.packageBaseUrl] where package files are (default: indexURL)
 * @param {string[]} [options.packages] installed before loadKiln resolves (as kiln.install does)
 * @param {boolean} [options.worker] run Python in a Web Worker (a worker_threads thread in Node): see worker/handle.mjs
 * @param {(FS: object, info: {sitePackages: string}) => void|Promise<void>} [options.fsInit] called
 *   once the file system is ready and before Python starts (Pyodide's option of that name)
 * @param {boolean|string} [options.packageCache] keep downloaded packages (default true; false: off;
 *   in Node, a folder path instead of ~/.cache/kiln/packages)
 * @param {boolean|string} [options.codeCache] Node: keep V8's compiled code of the core's JS glue on disk
 *   (default true: ~/.cache/kiln/code; false: off; or a folder path); browsers have their own
 * @param {boolean|string|Uint8Array} [options.snapshot] start from a memory snapshot (see snapshot.mjs):
 *   true for the build's kiln-snapshot.bin, or its URL (relative to indexURL), or its bytes
 */
export async function loadKiln(options = {}) {
  checkSnapshotOptions(options);
  if (options.worker) return startWorker(options);
  const indexURL = resolveIndexURL(options.indexURL);
  const snapshot = fetchSnapshot(options.snapshot, indexURL);
  const { Module, fingerprint, stdlibZip, glue } = await instantiate(indexURL, options);
  const { FS } = Module;
  prepareFileSystem(FS, stdlibZip);
  const streams = installStreams(FS, options);
  if (options.fsInit) await options.fsInit(FS, { sitePackages: SITE_PACKAGES });
  const restored = snapshot && useSnapshot(Module, await snapshot, fingerprint, stdlibZip.length);
  Module.kilnBridge.init({ convertNullToNone: options.convertNullToNone });
  if (!restored) startPython(Module, options.args ?? []);
  Module.kilnBridge.initRuntime();
  if (restored) Module.kilnBridge.runtime.afterSnapshotRestore(Module.kilnBridge.environStrings().join("\0"));
  const api = makeAPI(Module, streams, {
    indexURL,
    lockFileURL: options.lockFileURL ?? indexURL + LAYOUT.lockFile,
    lockFileContents: options.lockFileContents,
    packageBaseURL: resolveIndexURL(options.packageBaseUrl ?? indexURL),
    packageCache: options.packageCache,
    startedFromSnapshot: Boolean(restored),
    glueCodeCache: glue.codeCache,
  });
  await api._ready;
  glue.saveCodeCache();
  if (options.packages?.length) await api.install(options.packages);
  return api;
}

/**
 * Build time (loader/builder/snapshot.py): start Python in Node as loadKiln
 * does with default options and return the snapshot file's bytes.
 */
export async function makeSnapshot({ indexURL } = {}) {
  const url = resolveIndexURL(indexURL);
  const { Module, fingerprint, stdlibZip } = await instantiate(url, { codeCache: false });
  prepareFileSystem(Module.FS, stdlibZip);
  installStreams(Module.FS, {});
  const base = Module.kilnBridge.snapshotBase(); // the memory loadKiln restores into
  Module.kilnBridge.init({});
  startPython(Module, []);
  Module.kilnBridge.importRuntime();
  Module.kilnBridge.prepareSnapshot();
  return encodeSnapshot(Module.kilnBridge.captureSnapshot(base), fingerprint, stdlibZip.length);
}

/** Use a snapshot if it matches this module; otherwise say why and go on without. */
function useSnapshot(Module, bytes, fingerprint, stdlibZipBytes) {
  const decoded = decodeSnapshot(bytes, fingerprint, stdlibZipBytes);
  if (typeof decoded === "string") {
    console.warn(`kiln: not starting from the snapshot: ${decoded}; starting Python normally`);
    return false;
  }
  const customized = startupFiles(Module.FS);
  if (customized.length) {
    console.warn(`kiln: not starting from the snapshot: fsInit wrote ${customized.join(", ")}, which Python reads while starting; starting Python normally`);
    return false;
  }
  const refused = Module.kilnBridge.restoreSnapshot(decoded);
  if (refused) {
    console.warn(`kiln: not starting from the snapshot: ${refused}; starting Python normally`);
    return false;
  }
  return true;
}

/** Files `site` reads at start-up that the file system holds (fsInit may add them). */
function startupFiles(FS) {
  const found = [];
  for (const dir of [SITE_PACKAGES, STDLIB_DIR]) {
    for (const name of FS.readdir(dir)) {
      if (name.endsWith(".pth") || /^sitecustomize(\.pyc?)?$/.test(name)) {
        found.push(`${dir}/${name}`);
      }
    }
  }
  return found;
}

/** Download and instantiate the core module; `fingerprint` is read before anything runs in it. */
async function instantiate(indexURL, options) {
  // Start all downloads at once; compile the wasm while the rest arrives.
  const wasmModule = compileWasm(indexURL + LAYOUT.coreWasm);
  const stdlib = readBytes(indexURL + LAYOUT.stdlibZip);
  const gluePromise = loadGlue(indexURL + LAYOUT.coreJs, options.codeCache);
  // Keep the promises from rejecting unobserved while another one is awaited.
  wasmModule.catch(() => {});
  stdlib.catch(() => {});

  const glue = await gluePromise;
  const compiled = await wasmModule;
  // Emscripten never settles its promise if instantiation fails: race it.
  let instantiationFailed;
  const failure = new Promise((_, reject) => (instantiationFailed = reject));
  const moduleArg = {
    instantiateWasm(imports, receiveInstance) {
      moduleArg.kilnBridge.installImports(imports);
      WebAssembly.instantiate(compiled, imports).then(
        (instance) => receiveInstance(instance, compiled),
        (error) => instantiationFailed(new Error(`kiln: cannot instantiate ${LAYOUT.coreWasm}: ${error.message}`)),
      );
      return {};
    },
    print: (text) => console.log(text),
    printErr: (text) => console.warn(text),
    preRun: [(module) => setEnvironment(module.ENV, options.env)],
  };
  const Module = await Promise.race([glue.createModule(moduleArg), failure]);
  return { Module, fingerprint: Module.kilnBridge.snapshotFingerprint(), stdlibZip: await stdlib, glue };
}

function setEnvironment(ENV, env = {}) {
  Object.assign(ENV, { HOME, PYTHONINSPECT: undefined }, env);
  for (const [key, value] of Object.entries(ENV)) {
    if (value === undefined) delete ENV[key];
    else if (typeof value !== "string") throw new TypeError(`kiln: env.${key} must be a string`);
  }
}

function prepareFileSystem(FS, stdlibZip) {
  FS.mkdirTree(STDLIB_DIR);
  FS.mkdirTree(SITE_PACKAGES);
  FS.writeFile(STDLIB_ZIP_PATH, stdlibZip);
  FS.mkdirTree(HOME);
  // Code written for Pyodide often names its home folder.
  FS.symlink(HOME, "/home/pyodide");
  FS.chdir(HOME);
}

function startPython(Module, args) {
  const argv = ["python", ...args];
  const pointers = argv.map((arg) => Module.stringToNewUTF8(arg));
  const argvPtr = Module._malloc(4 * (argv.length + 1));
  pointers.forEach((ptr, i) => (Module.HEAP32[(argvPtr >> 2) + i] = ptr));
  Module.HEAP32[(argvPtr >> 2) + argv.length] = 0;
  const home = Module.stringToNewUTF8("/");
  const status = Module._kiln_init(home, argv.length, argvPtr);
  [home, argvPtr, ...pointers].forEach((ptr) => Module._free(ptr));
  if (status !== 0) {
    throw new Error("kiln: Python failed to start (its error was printed to stderr)");
  }
}
