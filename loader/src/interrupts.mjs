// Interrupts (Ctrl-C) and sleeping, for one interpreter.
//
// The interrupt buffer (Pyodide's setInterruptBuffer) is read by CPython's
// own Emscripten signal support while Python runs: writing 2 (SIGINT) raises
// KeyboardInterrupt, or runs a Python SIGINT handler. Kiln also ends, early,
// the waits where no Python code runs: time.sleep (blocking or through JSPI),
// blocking reads, and awaits in runPythonAsync.

import { IN_NODE } from "./host.mjs";

const POLL_MS = 25;
// Atomics.wait may block here: Node's main thread, and any worker (not a page's main thread).
const CAN_BLOCK = typeof SharedArrayBuffer === "function" && (IN_NODE || typeof WorkerGlobalScope === "function");

// CPython's signal check (Python/emscripten_signal.c) reads the buffer and
// then writes 0: a request written by another thread between the two was
// lost, and a `while True: pass` ran on (about one interrupt in 150 from a
// worker's caller). It is given this view instead, whose read takes the value
// and clears it in one atomic step, and whose write does nothing.
const ATOMIC_ARRAYS = [Int8Array, Uint8Array, Int16Array, Uint16Array, Int32Array, Uint32Array];

export function consumingView(array) {
  const atomic = ATOMIC_ARRAYS.some((type) => array instanceof type);
  const view = {};
  Object.defineProperty(view, 0, {
    get: () => {
      if (atomic) return Atomics.exchange(array, 0, 0);
      const value = array[0];
      array[0] = 0;
      return value;
    },
    set: () => {},
  });
  return view;
}

export function makeInterrupts(Module) {
  let buffer = null;
  let keepPending = false; // the buffer's owner clears stale requests itself
  let activeWaits = 0; // JSPI waits that an interrupt should end
  const sleeper = CAN_BLOCK ? new Int32Array(new SharedArrayBuffer(4)) : null;
  const pending = () => buffer !== null && buffer[0] !== 0;

  return {
    pending,

    /** Pyodide's setInterruptBuffer: a typed array (on a SharedArrayBuffer to be written from another thread). */
    setInterruptBuffer(array, options = {}) {
      if (array !== undefined && array !== null && !ArrayBuffer.isView(array)) {
        throw new TypeError("kiln: setInterruptBuffer expects a typed array (e.g. a Uint8Array on a SharedArrayBuffer)");
      }
      buffer = array ?? null;
      keepPending = Boolean(options.keepPending);
      Module.Py_EmscriptenSignalBuffer = buffer ? consumingView(buffer) : undefined;
      Module._kiln_set_signal_handling(buffer ? 1 : 0);
    },

    /** Run `fn` with CPython's interrupt checks off; a request made meanwhile
     * stays pending for the code that runs next. */
    uninterruptible(fn) {
      if (!buffer) return fn();
      Module._kiln_set_signal_handling(0);
      try {
        return fn();
      } finally {
        Module._kiln_set_signal_handling(1);
      }
    },

    /** Forget a request nobody acted on, so it does not hit the next run. With
     * keepPending the owner does this when it sends work: a request made
     * between sending a run and its start here belongs to that run. */
    clearStale() {
      if (buffer && !keepPending) buffer[0] = 0;
    },

    /** Put back a SIGINT that Python took where its KeyboardInterrupt could
     * only be printed (a weakref callback or __del__ running during the run):
     * the running code gets it at its next check. Whether there is a buffer. */
    redeliverInterrupt() {
      if (!buffer) return false;
      buffer[0] = 2;
      return true;
    },

    /** Blocking sleep (Atomics.wait); "interrupted" if an interrupt cut it short. */
    sleepBlocking(ms) {
      const end = performance.now() + ms;
      for (let left = ms; left > 0; left = end - performance.now()) {
        if (pending()) return "interrupted";
        Atomics.wait(sleeper, 0, 0, Math.min(left, POLL_MS));
      }
      return pending() ? "interrupted" : "done";
    },

    /** A timer promise (for JSPI): resolves early with "interrupted". */
    sleepPromise(ms) {
      activeWaits++;
      return new Promise((resolve) => {
        const end = performance.now() + ms;
        const tick = () => {
          const left = end - performance.now();
          if (pending() || left <= 0) {
            activeWaits--;
            resolve(pending() ? "interrupted" : "done");
          } else {
            setTimeout(tick, Math.min(left, POLL_MS));
          }
        };
        tick();
      });
    },

    canBlock: CAN_BLOCK,

    /** While a runPythonAsync call awaits: an interrupt cancels its task with
     * KeyboardInterrupt (unless a JSPI wait will see it first). Returns a stop function. */
    watchAsyncRun(interruptRuns) {
      if (!buffer) return () => {};
      const timer = setInterval(() => {
        if (pending() && activeWaits === 0) interruptRuns();
      }, POLL_MS);
      return () => clearInterval(timer);
    },
  };
}
