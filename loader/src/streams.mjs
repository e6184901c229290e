// Standard streams: fds 0/1/2 of the WASM process become devices that call
// the user's handlers. Output is passed on per line (batched) by default.

import { IN_NODE, nodeRequire } from "./host.mjs";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
let nextDeviceMinor = 0;

/** Collects bytes written to stdout or stderr and hands them on. */
export class OutputSink {
  constructor(handler) {
    this.pending = [];
    this.set(handler);
  }

  /** handler: a function(line) (batched), or {batched}, {raw}, {write}. */
  set(handler) {
    this.flush();
    if (typeof handler === "function") {
      handler = { batched: handler };
    }
    const modes = ["batched", "raw", "write"].filter((m) => handler && typeof handler[m] === "function");
    if (modes.length !== 1) {
      throw new TypeError("kiln: an output handler is a function, or an object with exactly one of batched(line), raw(byte), write(bytes)");
    }
    this.mode = modes[0];
    this.handler = handler[this.mode];
  }

  write(bytes) {
    if (this.mode === "write") {
      let done = 0;
      while (done < bytes.length) {
        const n = this.handler(bytes.subarray(done));
        if (typeof n !== "number" || n <= 0) {
          throw new Error("kiln: a write() output handler must return the number of bytes it took");
        }
        done += n;
      }
      return;
    }
    if (this.mode === "raw") {
      for (const byte of bytes) this.handler(byte);
      return;
    }
    let start = 0;
    for (let i = 0; i < bytes.length; i++) {
      if (bytes[i] === 10) {
        this.pending.push(bytes.slice(start, i));
        this.emitLine();
        start = i + 1;
      }
    }
    if (start < bytes.length) this.pending.push(bytes.slice(start));
  }

  emitLine() {
    const line = decoder.decode(concat(this.pending));
    this.pending = [];
    this.handler(line);
  }

  /** Emit a partial line, so no output is held back after a run ends. */
  flush() {
    if (this.pending.length && this.mode === "batched") this.emitLine();
  }
}

/** Feeds the user's stdin handler to reads of fd 0. */
class InputSource {
  constructor(handler) {
    this.set(handler);
  }

  /**
   * handler (Pyodide's forms): a function returning a string, bytes or null
   * (end of input); or an object with one of `stdin` (that function),
   * `read(buffer)` (fills a Uint8Array, returns the byte count; 0 is end of
   * input) or `error: true` (reads fail), and optionally `isatty`. Undefined
   * restores the default.
   */
  set(handler) {
    const object = handler !== null && typeof handler === "object" ? handler : null;
    const kinds = object ? ["stdin", "read", "error"].filter((k) => object[k] !== undefined && object[k] !== false) : [];
    if (object ? kinds.length !== 1 || (kinds[0] !== "error" && typeof object[kinds[0]] !== "function") : handler !== undefined && typeof handler !== "function") {
      throw new TypeError(
        "kiln: stdin is a function returning a string, a Uint8Array or null at end of input, " +
          "or an object with exactly one of stdin(), read(buffer) or error: true (and optionally isatty)",
      );
    }
    this.isatty = Boolean(object?.isatty);
    this.readInto = kinds[0] === "read" ? object.read : null;
    this.failing = kinds[0] === "error";
    this.handler = (object ? object.stdin : handler) ?? defaultStdin();
    this.buffered = new Uint8Array(0);
    this.ended = false;
  }

  read(length) {
    if (this.failing) throw new Error("stdin is set to fail (setStdin({error: true}))");
    if (this.readInto) {
      const out = new Uint8Array(length);
      const n = this.readInto(out);
      if (typeof n !== "number" || n < 0 || n > length) throw new TypeError("kiln: stdin read(buffer) must return the number of bytes it wrote");
      return out.subarray(0, n);
    }
    if (this.buffered.length === 0 && !this.ended) {
      const chunk = this.handler();
      if (chunk === null || chunk === undefined) {
        this.ended = true;
      } else if (typeof chunk === "string") {
        this.buffered = encoder.encode(chunk.endsWith("\n") || chunk === "" ? chunk : chunk + "\n");
      } else if (ArrayBuffer.isView(chunk)) {
        this.buffered = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      } else {
        throw new TypeError(`kiln: stdin handler returned ${typeof chunk}; expected a string, Uint8Array or null`);
      }
    }
    if (this.buffered.length === 0) {
      this.ended = false; // EOF is reported once; later reads ask the handler again
      return new Uint8Array(0);
    }
    const out = this.buffered.subarray(0, length);
    this.buffered = this.buffered.subarray(out.length);
    return out;
  }
}

function defaultStdin() {
  if (IN_NODE) {
    const fs = nodeRequire("fs");
    const buffer = new Uint8Array(4096);
    return () => {
      for (;;) {
        try {
          const n = fs.readSync(0, buffer, 0, buffer.length, null);
          return n === 0 ? null : buffer.slice(0, n);
        } catch (error) {
          if (error.code === "EOF") return null;
          if (error.code !== "EAGAIN") throw error;
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
        }
      }
    };
  }
  if (typeof prompt === "function" && typeof window !== "undefined") {
    return () => prompt();
  }
  return () => null;
}

function concat(chunks) {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

function makeDevice(FS, path, ops) {
  const dev = FS.makedev(65, nextDeviceMinor++);
  FS.registerDevice(dev, {
    open() {},
    close() {},
    fsync() {},
    read(stream, buffer, offset, length) {
      if (!ops.read) throw new FS.ErrnoError(8 /* EBADF */);
      const bytes = ops.read(length);
      buffer.set(bytes, offset);
      return bytes.length;
    },
    write(stream, buffer, offset, length) {
      if (!ops.write) throw new FS.ErrnoError(8 /* EBADF */);
      ops.write(new Uint8Array(buffer.buffer, buffer.byteOffset + offset, length));
      return length;
    },
  });
  FS.mkdev(path, dev);
}

/** Replace fds 0, 1, 2 with devices calling the given handlers. */
export function installStreams(FS, { stdin, stdout, stderr }) {
  const streams = {
    stdin: new InputSource(stdin),
    stdout: new OutputSink(stdout ?? ((line) => console.log(line))),
    stderr: new OutputSink(stderr ?? ((line) => console.warn(line))),
  };
  const runOp = (fn) => (...args) => {
    try {
      return fn(...args);
    } catch (error) {
      if (error instanceof FS.ErrnoError) throw error;
      // An interrupt ended a blocking read: EINTR makes CPython check its
      // signals (KeyboardInterrupt), as a real read would.
      if (error?.name === "KilnInterrupted") throw new FS.ErrnoError(27 /* EINTR */);
      console.error("kiln: a standard stream handler threw:", error);
      throw new FS.ErrnoError(29 /* EIO */);
    }
  };
  makeDevice(FS, "/dev/kiln_stdin", { read: runOp((n) => streams.stdin.read(n)) });
  makeDevice(FS, "/dev/kiln_stdout", { write: runOp((b) => streams.stdout.write(b)) });
  makeDevice(FS, "/dev/kiln_stderr", { write: runOp((b) => streams.stderr.write(b)) });
  for (const fd of [0, 1, 2]) {
    const stream = FS.getStream(fd);
    if (stream) FS.close(stream);
  }
  FS.open("/dev/kiln_stdin", 0 /* O_RDONLY */);
  FS.open("/dev/kiln_stdout", 1 /* O_WRONLY */);
  FS.open("/dev/kiln_stderr", 1 /* O_WRONLY */);
  return streams;
}
