// loadKiln({ worker: true }): the interpreter runs in a Web Worker (a Node
// worker_threads thread in Node); this is the calling thread's handle to it,
// with the in-thread API's names and Promise-returning calls.
//
// What crosses the boundary is copied: code, plain values (None, bool, int,
// float, str, bytes, and lists/dicts/sets of them) and errors. Python objects
// other than those cannot cross (a clear error says so). Output streams back
// while code runs. With shared memory (Node; cross-origin isolated pages),
// input() blocks until `stdin` answers, interrupt() stops running code, and
// functions of registerJsModule are called synchronously; without it, code
// still runs and streams, but those three explain the headers they need.

import { IN_NODE, nodeRequire, resolveIndexURL } from "../host.mjs";
import { OutputSink } from "../streams.mjs";
import { ISOLATION_HINT, REPLY, SLOT, controlViews, makeControlBuffer, postReply, sharedMemoryAvailable } from "./control.mjs";

/** A Python exception raised in the worker (`type` is its Python type's name). */
export class PythonError extends Error {
  constructor(type, message) {
    super(message);
    this.type = type;
  }
}
Object.defineProperty(PythonError.prototype, "name", { value: "PythonError" });

const encoder = new TextEncoder();

function spawn(indexURL) {
  const url = new URL("kiln-worker.mjs", indexURL);
  if (IN_NODE) {
    const { Worker } = nodeRequire("node:worker_threads");
    const worker = new Worker(url);
    return {
      post: (message) => worker.postMessage(message),
      onMessage: (handler) => worker.on("message", handler),
      onError: (handler) => worker.on("error", handler),
      terminate: () => worker.terminate(),
    };
  }
  const worker = new Worker(url, { type: "module" });
  return {
    post: (message) => worker.postMessage(message),
    onMessage: (handler) => (worker.onmessage = (event) => handler(event.data)),
    onError: (handler) => (worker.onerror = (event) => handler(new Error(event.message || "the worker failed to load"))),
    terminate: () => worker.terminate(),
  };
}

export async function startWorker(options) {
  if (options.fsInit) {
    throw new TypeError("kiln: fsInit cannot run in worker mode (a function cannot cross to the worker); use kiln.FS once it has started");
  }
  const indexURL = resolveIndexURL(options.indexURL);
  const shared = sharedMemoryAvailable();
  const control = shared ? makeControlBuffer() : null;
  const views = control ? controlViews(control) : null;
  const worker = spawn(indexURL);
  const stdout = new OutputSink(options.stdout ?? ((line) => console.log(line)));
  const stderr = new OutputSink(options.stderr ?? ((line) => console.warn(line)));
  let stdinHandler = options.stdin ?? null;
  const modules = new Map(); // registered JS modules: their functions run here
  const calls = new Map();
  let nextId = 1;
  let replyRest = null; // what did not fit in the mailbox yet
  let blocking = null; // the worker's blocking request being answered: {replied, abort}
  let failure = null;

  function call(method, ...args) {
    if (failure) return Promise.reject(failure);
    const id = nextId++;
    // An interrupt made while the worker was idle is stale; one made while a
    // call is in flight (even one the worker has not started yet) is its.
    if (views && calls.size === 0) Atomics.store(views.ints, SLOT.SIGNAL, 0);
    return new Promise((resolve, reject) => {
      calls.set(id, { resolve, reject });
      worker.post({ id, method, args });
    });
  }

  function reply(kind, bytes) {
    replyRest = postReply(views, kind, bytes);
  }

  async function answerBlocking(request) {
    const current = { replied: false, abort: new AbortController() };
    blocking = current;
    // An abandoned request (interrupted) has had its reply: a late answer is dropped.
    const answer = (kind, bytes) => {
      if (current.replied) return;
      current.replied = true;
      reply(kind, bytes);
    };
    try {
      if (request.kind === "stdin") {
        // The signal tells the handler that nobody waits for its line any more.
        const line = stdinHandler ? await stdinHandler({ signal: current.abort.signal }) : null;
        if (line === null || line === undefined) return answer(REPLY.NONE, new Uint8Array(0));
        const text = typeof line === "string" ? line : new TextDecoder().decode(line);
        return answer(REPLY.DATA, encoder.encode(text.endsWith("\n") || text === "" ? text : text + "\n"));
      }
      const value = await modules.get(request.module)[request.fn](...request.args);
      answer(REPLY.DATA, encoder.encode(JSON.stringify(value ?? null)));
    } catch (error) {
      answer(REPLY.ERROR, encoder.encode(String(error?.message ?? error)));
    }
  }

  function abandonBlocking() {
    const current = blocking;
    if (!current || current.replied) return; // its reply is already on the way
    current.replied = true;
    reply(REPLY.NONE, new Uint8Array(0));
    current.abort.abort(new Error("kiln: the request was interrupted"));
  }

  async function answerAsyncCall({ callId, module, fn, args }) {
    try {
      worker.post({ asyncCallResult: { callId, ok: await modules.get(module)[fn](...args) } });
    } catch (error) {
      worker.post({ asyncCallResult: { callId, error: String(error?.message ?? error) } });
    }
  }

  worker.onMessage((message) => {
    if (message.stream) {
      (message.stream === "stdout" ? stdout : stderr).write(message.bytes);
    } else if (message.blocking) {
      answerBlocking(message.blocking);
    } else if (message.blockingAbandoned) {
      abandonBlocking();
    } else if (message.blockingMore) {
      replyRest = postReply(views, views.ints[SLOT.KIND], replyRest);
    } else if (message.asyncCall) {
      answerAsyncCall(message.asyncCall);
    } else if (message.id !== undefined) {
      const pending = calls.get(message.id);
      calls.delete(message.id);
      stdout.flush();
      stderr.flush();
      if (message.error) pending?.reject(toError(message.error));
      else pending?.resolve(message.ok);
    }
  });
  worker.onError((error) => {
    failure = new Error(`kiln: the worker failed: ${error.message}`, { cause: error });
    for (const pending of calls.values()) pending.reject(failure);
    calls.clear();
  });

  const started = await call("start", { ...postableOptions(options), indexURL }, control);

  return {
    version: started.version,
    worker: true,
    jspiAvailable: started.jspiAvailable,
    startedFromSnapshot: started.startedFromSnapshot,
    glueCodeCache: started.glueCodeCache,
    /** Whether interrupt(), input() and synchronous callbacks are available (shared memory). */
    sharedMemory: started.sharedMemory,
    PythonError,
    runPython: (code, opts = {}) => call("runPython", code, opts),
    runPythonAsync: (code, opts = {}) => call("runPythonAsync", code, opts),
    loadPackage: (names, opts = {}) => call("loadPackage", names, stripCallbacks(opts)),
    loadPackagesFromImports: (code) => call("loadPackagesFromImports", code),
    install: (requirements, opts = {}) => call("install", requirements, opts),
    /** A copy of loadedPackages, as a promise. */
    loadedPackages: () => call("loadedPackages"),
    globals: {
      get: (name) => call("globalsGet", name),
      set: (name, value) => call("globalsSet", name, value),
      delete: (name) => call("globalsDelete", name),
    },
    /** Make `module` importable in the worker's Python; its functions run on this thread. */
    registerJsModule(name, module) {
      modules.set(name, module);
      const functions = Object.keys(module).filter((k) => typeof module[k] === "function");
      const values = Object.fromEntries(Object.entries(module).filter(([, v]) => typeof v !== "function"));
      return call("registerJsModule", name, functions, values);
    },
    unregisterJsModule(name) {
      modules.delete(name);
      return call("unregisterJsModule", name);
    },
    FS: new Proxy({}, { get: (_, operation) => (...args) => call("fs", operation, args) }),
    setStdout: (handler) => stdout.set(handler ?? ((line) => console.log(line))),
    setStderr: (handler) => stderr.set(handler ?? ((line) => console.warn(line))),
    setStdin: (handler) => {
      stdinHandler = handler ?? null;
    },
    /** Stop the running code with KeyboardInterrupt (also in time.sleep, input() and awaits). */
    interrupt() {
      if (!views) throw new Error(`kiln: interrupt() needs shared memory between the threads, but ${ISOLATION_HINT}`);
      Atomics.store(views.ints, SLOT.SIGNAL, 2); // SIGINT
      Atomics.notify(views.ints, SLOT.STATE);
    },
    terminate() {
      failure = new Error("kiln: the worker was terminated");
      for (const pending of calls.values()) pending.reject(failure);
      calls.clear();
      return worker.terminate();
    },
  };
}

/** The options the worker's loadKiln gets: functions cannot be posted (the stream callbacks stay here). */
function postableOptions(options) {
  const { stdout, stderr, stdin, worker, ...rest } = options;
  const callbacks = Object.keys(rest).filter((key) => typeof rest[key] === "function");
  if (callbacks.length) throw new TypeError(`kiln: in worker mode these options cannot be functions: ${callbacks.join(", ")}`);
  return rest;
}

function stripCallbacks(options) {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => typeof v !== "function"));
}

function toError(info) {
  if (info.name === "PythonError") return new PythonError(info.type, info.message);
  const error = new Error(info.message);
  error.name = info.name;
  return error;
}
