// The blocking side of Kiln's synchronous HTTP: a helper thread performs the
// request while the interpreter's thread waits on a SharedArrayBuffer with
// Atomics.wait. The response (head, then the body in chunks) comes back
// through that buffer, one frame at a time, so a large body never has to be
// held whole and the first bytes are readable as soon as they arrive.
//
// Node: a worker_threads Worker doing the request with node:http/https (raw
// headers and body, redirects left to the caller, TLS verified by Node).
// Browser Web Workers (cross-origin isolated): a nested Worker using fetch().

import { IN_NODE, nodeRequire } from "../host.mjs";

const FRAME = { HEAD: 1, BODY: 2, END: 3, ERROR: 4, SENT: 5 };
// control: [state (0 empty, 1 full), kind, length, more parts follow, holders]
// `holders` says who still uses the buffer: READER_HOLDS | HELPER_HOLDS. Each
// side clears its own bit when done, so a buffer is reused only once neither
// the reader (which may stop before the END frame) nor the helper (which may
// still be writing it) needs it.
const CONTROL_INTS = 5;
const HOLDERS = 4;
const READER_HOLDS = 1;
const HELPER_HOLDS = 2;
const DATA_BYTES = 1 << 20;
const POLL_MS = 50; // how often a wait looks at the interrupt flag
const MAX_POOLED_BUFFERS = 8;

/** Runs inside the helper thread (its source is sent there as text); in Node
 * it gets the thread's `require` (a parameter, so the bundler leaves it be). */
function helperMain(FRAME, CONTROL_INTS, HOLDERS, HELPER_HOLDS, nodeRequire) {
  const inNode = nodeRequire !== null;
  const port = inNode ? nodeRequire("node:worker_threads").parentPort : self;
  const channels = new Map();
  const encoder = new TextEncoder();

  async function waitUntilEmpty(control) {
    while (Atomics.load(control, 0) !== 0) {
      const wait = Atomics.waitAsync(control, 0, 1);
      if (wait.async) await wait.value;
    }
  }

  /** Write one frame, in as many parts as the data area needs. */
  async function sendFrame(channel, kind, bytes) {
    // END and ERROR are last: the reader then reuses the buffer for another request.
    if (channel.final || channel.closed) return;
    if (kind === FRAME.END || kind === FRAME.ERROR) channel.final = true;
    let offset = 0;
    do {
      await waitUntilEmpty(channel.control);
      if (channel.closed) return;
      const n = Math.min(bytes.length - offset, channel.data.length);
      channel.data.set(bytes.subarray(offset, offset + n));
      offset += n;
      channel.control[1] = kind;
      channel.control[2] = n;
      channel.control[3] = offset < bytes.length ? 1 : 0;
      Atomics.store(channel.control, 0, 1);
      Atomics.notify(channel.control, 0);
    } while (offset < bytes.length);
  }

  /** This request no longer touches its buffer (once per request: the buffer may already serve the next one). */
  function release(channel) {
    if (channel.released) return;
    channel.released = true;
    Atomics.and(channel.control, HOLDERS, ~HELPER_HOLDS);
  }

  const sendJson = (channel, kind, value) => sendFrame(channel, kind, encoder.encode(JSON.stringify(value)));

  /** Frames leave in the order they are queued. */
  function queue(channel, send) {
    channel.queue = channel.queue.then(send);
    return channel.queue;
  }

  function errorInfo(error) {
    const cause = error?.cause ?? {};
    return {
      name: error?.name ?? "Error",
      code: error?.code ?? cause.code ?? "",
      message: String(error?.message ?? error) + (cause.message ? `: ${cause.message}` : ""),
    };
  }

  function requestWithNode(channel, request, retried = false) {
    const http = nodeRequire(request.url.startsWith("https:") ? "node:https" : "node:http");
    const closing = request.headers.some((h, i) => i % 2 === 0 && h.toLowerCase() === "connection" && /close/i.test(request.headers[i + 1]));
    return new Promise((resolve) => {
      const fail = (error) => resolve(queue(channel, () => sendJson(channel, FRAME.ERROR, errorInfo(error))));
      // A request that asks for its connection to close gets a connection of its own.
      const options = { method: request.method, headers: request.headers, ...(closing ? { agent: false } : {}) };
      let answered = false;
      const outgoing = http.request(request.url, options, (response) => {
        answered = true;
        channel.onAbort = () => response.destroy();
        const head = {
          status: response.statusCode,
          statusText: response.statusMessage ?? "",
          url: request.url,
          redirected: false,
          headers: response.rawHeaders,
          decoded: false,
        };
        queue(channel, () => sendJson(channel, FRAME.HEAD, head));
        response.on("data", (chunk) => {
          response.pause();
          const bytes = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length);
          queue(channel, () => sendFrame(channel, FRAME.BODY, bytes)).then(() => response.resume());
        });
        response.on("end", () => resolve(queue(channel, () => sendFrame(channel, FRAME.END, new Uint8Array(0)))));
        response.on("error", fail);
      });
      channel.onAbort = () => outgoing.destroy();
      outgoing.on("error", (error) => {
        // A kept-alive connection the server had already closed: try once
        // more on a new one (what Node's documentation recommends).
        if (!answered && !retried && outgoing.reusedSocket && error.code === "ECONNRESET") {
          resolve(requestWithNode(channel, request, true));
        } else {
          fail(error);
        }
      });
      // The request is on its way: connection errors would have come first.
      outgoing.on("finish", () => {
        if (!retried) queue(channel, () => sendFrame(channel, FRAME.SENT, new Uint8Array(0)));
      });
      outgoing.end(request.body ? Buffer.from(request.body) : undefined);
    });
  }

  async function requestWithFetch(channel, request) {
    const controller = new AbortController();
    channel.onAbort = () => controller.abort();
    try {
      const pairs = [];
      for (let i = 0; i < request.headers.length; i += 2) pairs.push([request.headers[i], request.headers[i + 1]]);
      const response = await fetch(request.url, {
        method: request.method,
        headers: pairs,
        body: request.body,
        redirect: "follow",
        signal: controller.signal,
      });
      const headers = [];
      response.headers.forEach((value, name) => headers.push(name, value));
      // fetch() cannot tell when the request was sent: "sent" waits for the
      // head, so network errors surface where a socket's connect fails.
      await sendFrame(channel, FRAME.SENT, new Uint8Array(0));
      await sendJson(channel, FRAME.HEAD, {
        status: response.status,
        statusText: response.statusText,
        url: response.url,
        redirected: response.redirected,
        headers,
        decoded: true,
      });
      if (response.body) {
        const reader = response.body.getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          await sendFrame(channel, FRAME.BODY, value);
          if (channel.closed) return reader.cancel();
        }
      }
      await sendFrame(channel, FRAME.END, new Uint8Array(0));
    } catch (error) {
      await sendJson(channel, FRAME.ERROR, errorInfo(error));
    }
  }

  if (inNode) port.on("message", onMessage);
  else port.onmessage = (event) => onMessage(event.data);
  port.postMessage({ op: "ready" });

  function onMessage(message) {
    if (message.op === "ping") {
      port.postMessage({ op: "pong" });
    } else if (message.op === "request") {
      const channel = {
        control: new Int32Array(message.buffer, 0, CONTROL_INTS),
        data: new Uint8Array(message.buffer, CONTROL_INTS * 4),
        closed: false,
        released: false,
        onAbort: () => {},
        queue: Promise.resolve(),
      };
      channels.set(message.id, channel);
      const run = inNode ? requestWithNode : requestWithFetch;
      run(channel, message.request).finally(() => {
        channels.delete(message.id);
        release(channel);
      });
    } else if (message.op === "close") {
      const channel = channels.get(message.id);
      if (channel) {
        channel.closed = true;
        channel.onAbort();
        // Unblock a send waiting for the reader, who has gone.
        Atomics.store(channel.control, 0, 0);
        Atomics.notify(channel.control, 0);
        channels.delete(message.id);
        release(channel);
      }
    }
  }
}

/** Thrown by a wait that saw an interrupt request (Python raises KeyboardInterrupt). */
export class InterruptedWait extends Error {
  constructor() {
    super("interrupted");
    this.name = "KilnInterrupted";
  }
}

export class NetworkError extends Error {
  constructor(info, url) {
    super(`${info.message} (${url})`);
    this.name = "KilnNetworkError";
    this.code = info.code;
    this.errorName = info.name;
  }
}

/** Whether a helper thread can be used here (Atomics.wait is allowed). */
export function helperThreadUsable() {
  if (typeof SharedArrayBuffer !== "function" || typeof Atomics?.waitAsync !== "function") return false;
  if (IN_NODE) return true;
  const inWorker = typeof WorkerGlobalScope === "function" && typeof Worker === "function";
  return inWorker && globalThis.crossOriginIsolated === true;
}

/**
 * Client of the helper thread, used from the interpreter's thread.
 * `interruptPending()` tells a wait to stop early (Ctrl-C).
 */
export class HelperThreadFetcher {
  constructor({ interruptPending = () => false } = {}) {
    this.interruptPending = interruptPending;
    this.nextId = 1;
    this.open = new Map();
    this.thread = null;
    // Channel buffers, reused once free (see HOLDERS): a SharedArrayBuffer is
    // freed only once both threads have collected it, so one per request
    // grew the process by ~1 MiB a request.
    this.pool = [];
  }

  startThread() {
    const source = `(${helperMain.toString()})(${JSON.stringify(FRAME)}, ${CONTROL_INTS}, ${HOLDERS}, ${HELPER_HOLDS}, typeof require === "function" ? require : null);`;
    if (IN_NODE) {
      const { Worker } = nodeRequire("node:worker_threads");
      const thread = new Worker(source, { eval: true });
      thread.unref(); // an idle helper must not keep Node running
      return thread;
    }
    const url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
    return new Worker(url);
  }

  /** Start the helper thread now; resolves once messages reach it.
   *
   * Chromium holds the first message a thread posts to a new Worker until
   * that thread's event loop turns, even after the worker runs: a request
   * posted just before blocking in Atomics.wait would never arrive. So this
   * waits for a ping to come back, not only for the helper to start. */
  started() {
    this.thread ??= this.startThread();
    const thread = this.thread;
    const next = (op) => new Promise((resolve, reject) => {
      const onMessage = (event) => {
        if ((event.data ?? event).op !== op) return;
        if (IN_NODE) thread.off("message", onMessage);
        else thread.removeEventListener("message", onMessage);
        resolve();
      };
      if (IN_NODE) thread.on("message", onMessage);
      else {
        thread.addEventListener("message", onMessage);
        thread.addEventListener("error", (event) => reject(new Error(`kiln: the HTTP helper thread failed to start: ${event.message}`)), { once: true });
      }
    });
    return next("ready").then(() => {
      const pong = next("pong");
      thread.postMessage({ op: "ping" });
      return pong;
    });
  }

  /** Send a request to the helper thread; returns its id. */
  start({ url, method, headers, body }) {
    this.thread ??= this.startThread();
    const id = this.nextId++;
    const { buffer, control } = this.claimBuffer();
    this.open.set(id, { id, url, buffer, control, data: new Uint8Array(buffer, CONTROL_INTS * 4), done: false });
    const owned = body ? body.slice() : undefined; // its own buffer, transferred
    const message = { op: "request", id, buffer, request: { url, method, headers, body: owned } };
    this.thread.postMessage(message, owned ? [owned.buffer] : []);
    return id;
  }

  /** A free channel buffer from the pool (or a new one), held by both sides. */
  claimBuffer() {
    const both = READER_HOLDS | HELPER_HOLDS;
    let slot = this.pool.find(({ control }) => Atomics.compareExchange(control, HOLDERS, 0, both) === 0);
    if (!slot) {
      const buffer = new SharedArrayBuffer(CONTROL_INTS * 4 + DATA_BYTES);
      slot = { buffer, control: new Int32Array(buffer, 0, CONTROL_INTS) };
      slot.control[HOLDERS] = both;
      // Past the pool's size (many responses open at once) a buffer is used once.
      if (this.pool.length < MAX_POOLED_BUFFERS) this.pool.push(slot);
    }
    slot.control.fill(0, 0, HOLDERS);
    return slot;
  }

  /** Wait until the request has been sent (connection errors surface here). */
  sent(id, timeoutMs) {
    const channel = this.channel(id);
    const frame = this.readFrame(channel, timeoutMs);
    if (frame.kind === FRAME.ERROR) this.failed(channel, frame);
  }

  /** Wait for the response's head: {status, statusText, url, redirected, headers, decoded}. */
  head(id, timeoutMs) {
    const channel = this.channel(id);
    const frame = this.readFrame(channel, timeoutMs);
    if (frame.kind === FRAME.ERROR) this.failed(channel, frame);
    return JSON.parse(new TextDecoder().decode(frame.bytes));
  }

  /** The next piece of the body (empty at its end). */
  read(id, timeoutMs) {
    const channel = this.open.get(id);
    if (!channel || channel.done) return new Uint8Array(0);
    const frame = this.readFrame(channel, timeoutMs);
    if (frame.kind === FRAME.ERROR) this.failed(channel, frame);
    if (frame.kind === FRAME.END) {
      this.finished(channel);
      return new Uint8Array(0);
    }
    return frame.bytes;
  }

  /** The reader saw the last frame (END or ERROR): it no longer needs the buffer. */
  finished(channel) {
    channel.done = true;
    this.open.delete(channel.id);
    Atomics.and(channel.control, HOLDERS, ~READER_HOLDS);
  }

  failed(channel, frame) {
    this.finished(channel);
    throw new NetworkError(JSON.parse(new TextDecoder().decode(frame.bytes)), channel.url);
  }

  channel(id) {
    const channel = this.open.get(id);
    if (!channel) throw new Error(`kiln: no open request ${id}`);
    return channel;
  }

  close(id) {
    const channel = this.open.get(id);
    if (!channel) return;
    this.open.delete(id);
    if (channel.done) return;
    Atomics.and(channel.control, HOLDERS, ~READER_HOLDS);
    this.thread.postMessage({ op: "close", id });
  }

  /** Wait for the next whole frame (joining its parts). */
  readFrame(channel, timeoutMs) {
    const parts = [];
    let kind;
    for (;;) {
      this.waitFull(channel, timeoutMs);
      kind = channel.control[1];
      const length = channel.control[2];
      const more = channel.control[3];
      parts.push(channel.data.slice(0, length));
      Atomics.store(channel.control, 0, 0);
      Atomics.notify(channel.control, 0);
      if (!more) break;
    }
    return { kind, bytes: parts.length === 1 ? parts[0] : concatBytes(parts) };
  }

  waitFull(channel, timeoutMs) {
    const deadline = timeoutMs > 0 ? performance.now() + timeoutMs : Infinity;
    while (Atomics.load(channel.control, 0) !== 1) {
      if (this.interruptPending()) throw new InterruptedWait();
      const remaining = deadline - performance.now();
      if (remaining <= 0) {
        this.close(channel.id);
        const error = new Error(`timed out after ${timeoutMs} ms waiting for ${channel.url}`);
        error.name = "TimeoutError";
        throw error;
      }
      Atomics.wait(channel.control, 0, 0, Math.min(remaining, POLL_MS));
    }
  }
}

export function concatBytes(parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
