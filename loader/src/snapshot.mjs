// Start-up from a memory snapshot: loadKiln({ snapshot: true }).
//
// The build (loader/builder/snapshot.py) starts Python once and saves the WASM
// memory once the interpreter is initialised, `site` imported and Kiln's
// runtime (its Python half) imported; the only JS values it references then
// are null and globalThis, whose references are the same on every host. A
// later start instantiates the module as usual, checks that the snapshot was
// made from this very build, copies the memory in instead of running
// kiln_init, then re-reads what the snapshot froze from the build machine
// (environment, locale, time zone). A snapshot that does not match, or cannot
// be read, is reported on the console and Python starts normally.
//
// File: "KILNSNAP", a u32 (little-endian) header length, the JSON header, the
// indexes of the pages that differ from the memory a restore starts from
// (u32 each), then those pages' bytes. The header lists the non-zero pages of
// that memory the snapshot leaves as they are, with their hashes
// (cpython/core/snapshot.js).

import { readBytes } from "./host.mjs";
import { LAYOUT } from "kiln-build-layout";

const MAGIC = "KILNSNAP";
const FORMAT = 3;

/** Options a snapshot cannot honour: checked before anything is fetched. */
export function checkSnapshotOptions(options) {
  const { snapshot } = options;
  if (snapshot === undefined || snapshot === false) return;
  if (!(snapshot === true || typeof snapshot === "string" || snapshot instanceof Uint8Array || snapshot instanceof ArrayBuffer)) {
    throw new TypeError(`kiln: options.snapshot must be true, a URL or the snapshot's bytes, got ${Object.prototype.toString.call(snapshot)}`);
  }
  if (options.args?.length) {
    throw new TypeError(
      "kiln: options.snapshot cannot be combined with options.args: the snapshot's interpreter was started without command-line options",
    );
  }
  const pythonVariables = Object.keys(options.env ?? {}).filter((key) => key.startsWith("PYTHON"));
  if (pythonVariables.length) {
    throw new TypeError(
      `kiln: options.snapshot cannot be combined with ${pythonVariables.join(", ")} in options.env: they configure Python's start-up, which the snapshot skips`,
    );
  }
}

/** The snapshot's bytes as a promise (null when not asked for); failures to
 * read resolve to an Error, reported when the snapshot would be used. */
export function fetchSnapshot(option, indexURL) {
  if (!option) return null;
  if (option instanceof Uint8Array) return Promise.resolve(option);
  if (option instanceof ArrayBuffer) return Promise.resolve(new Uint8Array(option));
  const url = option === true ? indexURL + LAYOUT.snapshot : new URL(option, indexURL).href;
  return readBytes(url).catch((error) => error);
}

/** Serialise a capture (kilnBridge.captureSnapshot) with its checks. */
export function encodeSnapshot(capture, fingerprint, stdlibZipBytes) {
  const { pageSize, pages, data, memoryBytes, baseBytes, checkedPages, checkedHashes } = capture;
  const header = {
    format: FORMAT, buildId: LAYOUT.buildId, fingerprint, memoryBytes, pageSize, pages: pages.length, stdlibZipBytes,
    baseBytes, checkedPages, checkedHashes,
  };
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const start = MAGIC.length + 4 + headerBytes.length;
  const out = new Uint8Array(start + pages.byteLength + data.length);
  out.set(new TextEncoder().encode(MAGIC));
  new DataView(out.buffer).setUint32(MAGIC.length, headerBytes.length, true);
  out.set(headerBytes, MAGIC.length + 4);
  out.set(new Uint8Array(pages.buffer, pages.byteOffset, pages.byteLength), start);
  out.set(data, start + pages.byteLength);
  return out;
}

/**
 * Parse and check a snapshot against the module just instantiated.
 * Returns what kilnBridge.restoreSnapshot takes, or a string saying why it cannot be used.
 */
export function decodeSnapshot(bytes, fingerprint, stdlibZipBytes) {
  if (bytes instanceof Error) return `it could not be read (${bytes.message})`;
  if (bytes.length < MAGIC.length + 4 || new TextDecoder().decode(bytes.subarray(0, MAGIC.length)) !== MAGIC) {
    return "it is not a Kiln snapshot";
  }
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset).getUint32(MAGIC.length, true);
  const start = MAGIC.length + 4 + headerLength;
  let header;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(MAGIC.length + 4, start)));
  } catch {
    return "its header is damaged";
  }
  if (header.format !== FORMAT) return `it has format ${header.format}, this loader reads ${FORMAT}`;
  if (header.buildId !== LAYOUT.buildId) return `it was made by build ${header.buildId}, this is build ${LAYOUT.buildId}`;
  for (const [key, value] of Object.entries(fingerprint)) {
    if (header.fingerprint?.[key] !== value) {
      return `the WASM module differs from the one it was made from (${key} ${value}, snapshot ${header.fingerprint?.[key]})`;
    }
  }
  if (header.stdlibZipBytes !== stdlibZipBytes) {
    return `the standard library zip differs (${stdlibZipBytes} bytes, snapshot ${header.stdlibZipBytes})`;
  }
  const { pageSize, memoryBytes, baseBytes, checkedPages, checkedHashes } = header;
  const pagesEnd = start + 4 * header.pages;
  if (!(pageSize > 0) || bytes.length !== pagesEnd + header.pages * pageSize) return "it is truncated or damaged";
  if (
    !(baseBytes >= 0 && baseBytes % pageSize === 0 && baseBytes <= memoryBytes) ||
    !Array.isArray(checkedPages) || !Array.isArray(checkedHashes) || checkedPages.length !== checkedHashes.length ||
    checkedPages.some((page, i) => !Number.isInteger(page) || (i && page <= checkedPages[i - 1]) || (page + 1) * pageSize > baseBytes)
  ) {
    return "its header is damaged";
  }
  const pages = new Uint32Array(bytes.slice(start, pagesEnd).buffer); // a copy: bytes may be unaligned
  if (pages.some((page, i) => (i && page <= pages[i - 1]) || (page + 1) * pageSize > memoryBytes)) return "it is truncated or damaged";
  return { pages, data: bytes.subarray(pagesEnd), memoryBytes, baseBytes, checkedPages, checkedHashes };
}
