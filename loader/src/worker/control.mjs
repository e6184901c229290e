// The control block shared by a worker-mode interpreter and the thread that
// started it: one SharedArrayBuffer holding the interrupt flag (CPython reads
// it as its signal buffer) and a mailbox through which the worker, blocked
// in Atomics.wait, receives answers (stdin lines, results of callbacks).

const INTS = 8;
export const SLOT = { SIGNAL: 0, STATE: 1, KIND: 2, LENGTH: 3, MORE: 4 };
export const STATE = { WAITING: 0, READY: 1 };
export const REPLY = { DATA: 0, NONE: 1, ERROR: 2 };
const DATA_BYTES = 1 << 16;
const POLL_MS = 50;

export const ISOLATION_HINT =
  "SharedArrayBuffer is not available: serve the page with the headers " +
  "'Cross-Origin-Opener-Policy: same-origin' and 'Cross-Origin-Embedder-Policy: require-corp' " +
  "(cross-origin isolation)";

export function sharedMemoryAvailable() {
  return typeof SharedArrayBuffer === "function" && (typeof crossOriginIsolated === "undefined" || crossOriginIsolated);
}

export function makeControlBuffer() {
  return new SharedArrayBuffer(INTS * 4 + DATA_BYTES);
}

export function controlViews(buffer) {
  return { ints: new Int32Array(buffer, 0, INTS), data: new Uint8Array(buffer, INTS * 4) };
}

/** Thrown by a wait that an interrupt request ended. */
export class WaitInterrupted extends Error {
  constructor() {
    super("interrupted");
    this.name = "KilnInterrupted";
  }
}

/** Worker side: wait for the answer to a request just posted. Returns
 * {kind, bytes}; throws WaitInterrupted if an interrupt arrives first.
 *
 * Every request gets exactly one reply, so the mailbox is empty when the next
 * request starts: on an interrupt the worker calls `abandon()` (the calling
 * thread then replies NONE at once, and drops the answer its handler gives
 * later) and still takes that one reply before throwing. Without this a late
 * answer to an interrupted input() would be read by the next input(). */
export function awaitReply(views, requestMore, abandon) {
  const parts = [];
  let kind;
  let interrupted = false;
  for (;;) {
    while (Atomics.load(views.ints, SLOT.STATE) !== STATE.READY) {
      if (!interrupted && Atomics.load(views.ints, SLOT.SIGNAL) !== 0) {
        interrupted = true;
        abandon();
      }
      Atomics.wait(views.ints, SLOT.STATE, STATE.WAITING, POLL_MS);
    }
    kind = views.ints[SLOT.KIND];
    parts.push(views.data.slice(0, views.ints[SLOT.LENGTH]));
    const more = views.ints[SLOT.MORE];
    Atomics.store(views.ints, SLOT.STATE, STATE.WAITING);
    if (!more) break;
    requestMore();
  }
  if (interrupted) throw new WaitInterrupted();
  const bytes = parts.length === 1 ? parts[0] : joinParts(parts);
  return { kind, bytes };
}

/** Calling side: put (a piece of) an answer in the mailbox. Returns the bytes
 * that did not fit (send them when the worker asks for more). */
export function postReply(views, kind, bytes) {
  const n = Math.min(bytes.length, views.data.length);
  views.data.set(bytes.subarray(0, n));
  views.ints[SLOT.KIND] = kind;
  views.ints[SLOT.LENGTH] = n;
  views.ints[SLOT.MORE] = n < bytes.length ? 1 : 0;
  Atomics.store(views.ints, SLOT.STATE, STATE.READY);
  Atomics.notify(views.ints, SLOT.STATE);
  return bytes.subarray(n);
}

function joinParts(parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
