// What the loader needs from its host: where it was loaded from, and how to
// read a file next to it (fetch in browsers and workers, fs in Node).

export const IN_NODE =
  typeof process === "object" && typeof process.versions?.node === "string" && typeof window === "undefined";

/** The folder URL this loader was loaded from (ends with "/"). */
export function loaderBaseURL() {
  const own = ownScriptURL();
  if (!own) {
    throw new Error("kiln: cannot tell where kiln.js was loaded from; pass loadKiln({indexURL})");
  }
  return new URL(".", own).href;
}

function ownScriptURL() {
  // import.meta.url in the ES module; the classic build substitutes the URL of
  // its <script> (see _bundle_loader in loader/builder/assemble.py).
  if (import.meta.url) {
    return import.meta.url;
  }
  // Classic scripts in workers (importScripts) have no currentScript: read our
  // URL off a stack trace.
  const match = /\b((?:https?|file|blob):\/\/?[^\s)]+?\/kiln(?:\.min)?\.js)/.exec(new Error().stack || "");
  return match ? match[1] : undefined;
}

/** Normalize an indexURL given by the user: absolute, with a trailing "/". */
export function resolveIndexURL(indexURL) {
  let url = indexURL ?? loaderBaseURL();
  if (IN_NODE && !/^[a-z]+:\/\//i.test(url)) {
    url = nodeModules.url.pathToFileURL(nodeModules.path.resolve(url)).href;
  } else if (!IN_NODE && typeof location !== "undefined") {
    url = new URL(url, location.href).href;
  }
  return url.endsWith("/") ? url : url + "/";
}

/** Node: the folder of one of Kiln's caches, `~/.cache/kiln/<kind>` (or under $XDG_CACHE_HOME). */
export function nodeCacheFolder(kind) {
  const path = nodeRequire("path");
  const base = process.env.XDG_CACHE_HOME || path.join(nodeRequire("os").homedir(), ".cache");
  return path.join(base, "kiln", kind);
}

/** Node: write a file so that readers never see half of it (folders made as needed). */
export async function writeFileAtomically(target, data) {
  const fs = nodeRequire("fs/promises");
  await fs.mkdir(nodeRequire("path").dirname(target), { recursive: true });
  const partial = `${target}.${process.pid}.part`;
  try {
    await fs.writeFile(partial, data);
    await fs.rename(partial, target);
  } catch (error) {
    await fs.rm(partial, { force: true });
    throw error;
  }
}

/** Node's built-in modules, synchronously (Node >= 20.16). */
export function nodeRequire(name) {
  return process.getBuiltinModule(name);
}

const nodeModules = IN_NODE
  ? { fs: nodeRequire("fs/promises"), fsSync: nodeRequire("fs"), url: nodeRequire("url"), path: nodeRequire("path") }
  : {};

const IN_WORKER = !IN_NODE && typeof WorkerGlobalScope === "function" && typeof XMLHttpRequest === "function";

/** Whether readBytesSync can read `url`: local files in Node, anything in a
 * Web Worker (synchronous XHR), nothing on a browser's main thread. */
export function canReadSync(url) {
  return IN_NODE ? url.startsWith("file:") : IN_WORKER;
}

/** Read a file synchronously (see canReadSync); errors name the URL. */
export function readBytesSync(url) {
  if (!canReadSync(url)) {
    throw new Error(`kiln: cannot read ${url} synchronously here`);
  }
  if (IN_NODE) {
    try {
      return plainBytes(nodeModules.fsSync.readFileSync(nodeModules.url.fileURLToPath(url)));
    } catch (error) {
      throw new Error(`kiln: cannot read ${url}: ${error.message}`);
    }
  }
  const request = new XMLHttpRequest();
  request.open("GET", url, false);
  request.responseType = "arraybuffer";
  try {
    request.send();
  } catch (error) {
    throw new Error(`kiln: cannot fetch ${url}: ${error.message}`);
  }
  if (request.status < 200 || request.status >= 300) {
    throw new Error(`kiln: ${request.status} ${request.statusText} fetching ${url}`);
  }
  return new Uint8Array(request.response);
}

/** A Node Buffer as a plain Uint8Array (whose slice() copies, as callers
 * expect). A file's Buffer has its own ArrayBuffer, which is then shared, not
 * copied: copying the core's 6 MB, the stdlib's and the snapshot took ~5 ms
 * of each start. A Buffer from Node's shared pool (small files) is copied. */
export function plainBytes(buffer) {
  if (buffer.byteOffset === 0 && buffer.byteLength === buffer.buffer.byteLength) {
    return new Uint8Array(buffer.buffer);
  }
  return new Uint8Array(buffer);
}

/** Read a file as an ArrayBuffer-backed Uint8Array; errors name the URL. */
export async function readBytes(url) {
  if (IN_NODE && url.startsWith("file:")) {
    try {
      return plainBytes(await nodeModules.fs.readFile(nodeModules.url.fileURLToPath(url)));
    } catch (error) {
      throw new Error(`kiln: cannot read ${url}: ${error.message}`);
    }
  }
  const response = await fetch(url);
  if (!response.ok) {
    throw new Error(`kiln: ${response.status} ${response.statusText} fetching ${url}`);
  }
  return new Uint8Array(await response.arrayBuffer());
}

/** Start compiling a wasm file as early as possible (streaming where possible). */
export async function compileWasm(url) {
  if (IN_NODE && url.startsWith("file:")) {
    return WebAssembly.compile(await readBytes(url));
  }
  const response = await fetch(url);
  if (!response.ok) {
    throw new Error(`kiln: ${response.status} ${response.statusText} fetching ${url}`);
  }
  if (WebAssembly.compileStreaming && response.headers.get("Content-Type") === "application/wasm") {
    return WebAssembly.compileStreaming(response);
  }
  return WebAssembly.compile(await response.arrayBuffer());
}
