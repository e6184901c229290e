// Memory snapshots (loader/src/snapshot.mjs has the file format and the
// checks): the WASM memory after kiln_init and kiln_start_runtime, Python
// started and Kiln's runtime imported, holding no JS reference but the
// permanent ones (refs.js). Restoring it into a freshly instantiated module
// replaces both.

/** What a snapshot must agree with, read right after instantiation (before
 * kilnBridge.init allocates anything): a snapshot of another binary differs. */
function snapshotFingerprint() {
  return {
    memoryBytes: wasmMemory.buffer.byteLength,
    tableSize: wasmTable.length,
    heapTop: wasmExports.sbrk(0),
    stackBase: wasmExports.emscripten_stack_get_base(),
  };
}

// Snapshots keep the memory's non-zero pages only: most of it is zeros (the
// stack, free heap), which need neither a download nor a copy.
const SNAPSHOT_PAGE = 4096;

/** The memory after kiln_start_runtime, as its non-zero pages. Refuses when JS-side
 * state that the memory does not hold was created: JS references, open files. */
function captureSnapshot() {
  if (liveRefCount() !== 0) {
    throw new Error(`kiln: cannot snapshot: ${liveRefCount()} JS references exist after Python's start`);
  }
  const open = FS.streams.map((stream, fd) => (stream && fd > 2 ? fd : -1)).filter((fd) => fd >= 0);
  if (open.length) throw new Error(`kiln: cannot snapshot: file descriptors ${open} are open after Python's start`);
  const memory = HEAPU8.slice();
  // The stack below the current frame is dead.
  memory.fill(0, wasmExports.emscripten_stack_get_end(), wasmExports.emscripten_stack_get_current());
  const pages = [];
  for (let start = 0; start < memory.length; start += SNAPSHOT_PAGE) {
    if (memory.subarray(start, start + SNAPSHOT_PAGE).some((byte) => byte !== 0)) pages.push(start / SNAPSHOT_PAGE);
  }
  const data = new Uint8Array(pages.length * SNAPSHOT_PAGE);
  pages.forEach((page, i) => data.set(memory.subarray(page * SNAPSHOT_PAGE, (page + 1) * SNAPSHOT_PAGE), i * SNAPSHOT_PAGE));
  return { pageSize: SNAPSHOT_PAGE, pages: Uint32Array.from(pages), data, memoryBytes: memory.length };
}

/** Overwrite the memory with a snapshot's pages (checked by the caller). */
function restoreSnapshot({ pages, data, memoryBytes }) {
  const missing = memoryBytes - wasmMemory.buffer.byteLength;
  if (missing > 0) {
    wasmMemory.grow(missing / 65536);
    updateMemoryViews();
  }
  // Memory above the heap's top is still zero in a module just instantiated.
  HEAPU8.fill(0, 0, wasmExports.sbrk(0));
  for (let i = 0; i < pages.length; i++) {
    HEAPU8.set(data.subarray(i * SNAPSHOT_PAGE, (i + 1) * SNAPSHOT_PAGE), pages[i] * SNAPSHOT_PAGE);
  }
  resetTimezone();
}

/** tzset() ran inside kiln_init (the time module) and keeps its answer: the
 * snapshot holds the build machine's time zone. Ask the host again, into the
 * same variables (musl's timezone, daylight and tzname strings). */
function resetTimezone() {
  const names = wasmExports.tzname >> 2;
  __tzset_js(wasmExports.timezone, wasmExports.daylight, HEAPU32[names], HEAPU32[names + 1]);
}
