// Entry of kiln-worker.mjs: an interpreter in a Web Worker or a Node
// worker_threads thread, driven by messages from the thread that started it
// (worker/handle.mjs). Output streams back as it is written; input(),
// callbacks into JS modules registered by the caller and interrupts go
// through the shared control block (worker/control.mjs) when there is one.

import { IN_NODE, nodeRequire } from "../host.mjs";
import { loadKiln } from "../boot.mjs";
import { ISOLATION_HINT, REPLY, WaitInterrupted, awaitReply, controlViews } from "./control.mjs";

const port = IN_NODE ? nodeRequire("node:worker_threads").parentPort : self;
const post = (message, transfer = []) => port.postMessage(message, transfer);
const decoder = new TextDecoder();
let kiln = null;
let views = null; // the control block, when the caller could share memory
let nextCallId = 1;
const asyncCalls = new Map(); // callbacks answered by message (no shared memory)

function listen(handler) {
  if (IN_NODE) port.on("message", handler);
  else port.onmessage = (event) => handler(event.data);
}

/** Ask the calling thread and block for the answer (needs the control block). */
function blockingRequest(request) {
  if (!views) throw new Error(`kiln (worker mode): this needs blocking on the calling thread, but ${ISOLATION_HINT}`);
  post({ blocking: request });
  const { kind, bytes } = awaitReply(views, () => post({ blockingMore: true }), () => post({ blockingAbandoned: true }));
  if (kind === REPLY.NONE) return null;
  const text = decoder.decode(bytes);
  if (kind === REPLY.ERROR) {
    const error = new Error(text);
    error.name = "KilnCallbackError";
    throw error;
  }
  return request.kind === "stdin" ? text : JSON.parse(text);
}

function stdin() {
  return blockingRequest({ kind: "stdin" });
}

/** Values that can be posted: Python objects are converted deeply, or refused. */
function transferable(value, what) {
  if (value === null || typeof value !== "object" && typeof value !== "function") return value;
  if (value instanceof kiln.ffi.PyProxy) {
    const type = value.type;
    try {
      return value.toJs({ dict_converter: Object.fromEntries, create_pyproxies: false });
    } catch {
      throw new TypeError(
        `kiln (worker mode): ${what} is a Python ${type}, which cannot cross to the calling thread; ` +
          "only None, bool, int, float, str, bytes and lists, tuples, dicts and sets of them do",
      );
    } finally {
      value.destroy();
    }
  }
  return value;
}

/** A JS module whose functions run on the calling thread. */
function callbackModule(name, functions, values) {
  const module = { ...values };
  for (const fn of functions) {
    module[fn] = (...args) => {
      const plain = args.map((arg, i) => transferable(arg, `argument ${i + 1} of ${name}.${fn}()`));
      if (views) return blockingRequest({ kind: "call", module: name, fn, args: plain });
      // No shared memory: the call cannot block, so Python gets an awaitable.
      const callId = nextCallId++;
      post({ asyncCall: { callId, module: name, fn, args: plain } });
      return new Promise((resolve, reject) => asyncCalls.set(callId, { resolve, reject }));
    };
  }
  return module;
}

const outputHandler = (stream) => ({
  write(bytes) {
    post({ stream, bytes: bytes.slice() });
    return bytes.length;
  },
});

async function start(options, control) {
  views = control ? controlViews(control) : null;
  kiln = await loadKiln({
    ...options,
    stdout: outputHandler("stdout"),
    stderr: outputHandler("stderr"),
    stdin: views ? stdin : () => {
      throw new Error(`kiln (worker mode): input() needs to block until the calling thread answers, but ${ISOLATION_HINT}`);
    },
  });
  if (views) {
    kiln.setInterruptBuffer(views.ints, { keepPending: true }); // the handle clears stale requests
  } else {
    // input() and sys.stdin then name the reason (a read of fd 0 itself still fails with EIO).
    const scope = kiln.toPy({ reason: `input() needs to block until the calling thread answers, but ${ISOLATION_HINT}` });
    kiln.runPython("import sys\nfrom kiln._unblockable_stdin import UnblockableStdin\nsys.stdin = UnblockableStdin(reason)", { globals: scope });
    scope.destroy();
  }
  return {
    version: kiln.version,
    jspiAvailable: kiln.jspiAvailable,
    startedFromSnapshot: kiln.startedFromSnapshot,
    glueCodeCache: kiln.glueCodeCache,
    sharedMemory: Boolean(views),
  };
}

const methods = {
  runPython: (code, options) => transferable(kiln.runPython(code, options), "the result"),
  runPythonAsync: async (code, options) => transferable(await kiln.runPythonAsync(code, options), "the result"),
  loadPackage: async (names, options) => (await kiln.loadPackage(names, options)),
  loadPackagesFromImports: async (code) => kiln.loadPackagesFromImports(code),
  install: async (requirements, options) => kiln.install(requirements, options),
  loadedPackages: () => ({ ...kiln.loadedPackages }),
  globalsGet: (name) => transferable(kiln.globals.get(name), `globals["${name}"]`),
  globalsSet: (name, value) => kiln.globals.set(name, kiln.toPy(value)),
  globalsDelete: (name) => kiln.globals.delete(name),
  registerJsModule: (name, functions, values) => kiln.registerJsModule(name, callbackModule(name, functions, values)),
  unregisterJsModule: (name) => kiln.unregisterJsModule(name),
  fs: (operation, args) => {
    const result = kiln.FS[operation](...args);
    return operation === "stat" ? { ...result, mode: result.mode, size: result.size, isDirectory: kiln.FS.isDir(result.mode) } : result;
  },
};

function errorMessage(error) {
  if (error instanceof kiln?.PythonError) return { name: "PythonError", type: error.type, message: error.message };
  return { name: error?.name ?? "Error", message: String(error?.message ?? error), stack: error?.stack };
}

listen(async (message) => {
  if (message.asyncCallResult) {
    const { callId, ok, error } = message.asyncCallResult;
    const call = asyncCalls.get(callId);
    asyncCalls.delete(callId);
    if (error !== undefined) call?.reject(new Error(error));
    else call?.resolve(ok);
    return;
  }
  const { id, method, args } = message;
  try {
    const value = method === "start" ? await start(...args) : await methods[method](...args);
    post({ id, ok: value });
  } catch (error) {
    if (error instanceof WaitInterrupted) error = new Error("interrupted");
    post({ id, error: errorMessage(error) });
  }
});
