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

// A snapshot keeps only the pages that differ from the memory a restore finds:
// the module just instantiated, its data segments in place (2.2 MB of a
// started interpreter's 4 MB of non-zero pages are those, unchanged), the
// stack and the free heap zero. A restore checks each non-zero page it keeps
// against its hash in the snapshot, and zeroes the other pages it keeps.
const SNAPSHOT_PAGE = 4096;
const ZERO_PAGE = new Uint8Array(SNAPSHOT_PAGE);

/** The memory as a restore will find it (read at the point of loadKiln where
 * a restore happens): up to the heap's top, in whole pages, and the hash of
 * each non-zero page. */
function snapshotBase() {
  const bytes = HEAPU8.slice(0, pageCeil(wasmExports.sbrk(0)));
  const hashes = new Map();
  for (let page = 0; page * SNAPSHOT_PAGE < bytes.length; page++) {
    if (!sameBytes(bytes.subarray(page * SNAPSHOT_PAGE, (page + 1) * SNAPSHOT_PAGE), ZERO_PAGE)) hashes.set(page, pageHash(page));
  }
  return { bytes, hashes };
}

/** The memory after kiln_start_runtime, as the pages that differ from `base`
 * (snapshotBase) and the hashes of the non-zero base pages it keeps. Refuses
 * when JS-side state that the memory does not hold was created: JS
 * references, open files. */
function captureSnapshot(base) {
  if (liveRefCount() !== 0) {
    throw new Error(`kiln: cannot snapshot: ${liveRefCount()} JS references exist after Python's start`);
  }
  const open = FS.streams.map((stream, fd) => (stream && fd > 2 ? fd : -1)).filter((fd) => fd >= 0);
  if (open.length) throw new Error(`kiln: cannot snapshot: file descriptors ${open} are open after Python's start`);
  const memory = HEAPU8.slice();
  // The stack below the current frame is dead.
  memory.fill(0, wasmExports.emscripten_stack_get_end(), wasmExports.emscripten_stack_get_current());
  const pages = [];
  const checked = [];
  for (let page = 0, start = 0; start < memory.length; page++, start += SNAPSHOT_PAGE) {
    const now = memory.subarray(start, start + SNAPSHOT_PAGE);
    const before = start < base.bytes.length ? base.bytes.subarray(start, start + SNAPSHOT_PAGE) : ZERO_PAGE;
    if (!sameBytes(now, before)) pages.push(page);
    else if (base.hashes.has(page)) checked.push(page);
  }
  const data = new Uint8Array(pages.length * SNAPSHOT_PAGE);
  pages.forEach((page, i) => data.set(memory.subarray(page * SNAPSHOT_PAGE, (page + 1) * SNAPSHOT_PAGE), i * SNAPSHOT_PAGE));
  return {
    pageSize: SNAPSHOT_PAGE, pages: Uint32Array.from(pages), data, memoryBytes: memory.length,
    baseBytes: base.bytes.length, checkedPages: checked, checkedHashes: checked.map((page) => base.hashes.get(page)),
  };
}

/** Overwrite the memory with a snapshot's pages (its header checked by the
 * caller). Returns why it cannot, before writing anything, or null. */
function restoreSnapshot({ pages, data, memoryBytes, baseBytes, checkedPages, checkedHashes }) {
  // Above the heap's top the memory of a module just instantiated is zero.
  if (pageCeil(wasmExports.sbrk(0)) !== baseBytes) return `the heap's top differs (${wasmExports.sbrk(0)})`;
  for (let i = 0; i < checkedPages.length; i++) {
    if (pageHash(checkedPages[i]) !== checkedHashes[i]) {
      return `the memory before Python starts differs from the one the snapshot was made on (page ${checkedPages[i]})`;
    }
  }
  const missing = memoryBytes - wasmMemory.buffer.byteLength;
  if (missing > 0) {
    wasmMemory.grow(missing / 65536);
    updateMemoryViews();
  }
  // Below the heap's top, a page neither checked nor in the snapshot is zero in it.
  const covered = new Uint8Array(baseBytes / SNAPSHOT_PAGE + 1);
  for (const page of checkedPages) covered[page] = 1;
  for (const page of pages) if (page < covered.length) covered[page] = 1;
  for (let page = 0; page * SNAPSHOT_PAGE < baseBytes; ) {
    let end = page;
    while (end * SNAPSHOT_PAGE < baseBytes && !covered[end]) end++;
    if (end > page) wasmExports.kiln_clear_pages(page * SNAPSHOT_PAGE, end * SNAPSHOT_PAGE, SNAPSHOT_PAGE / 8);
    page = end + 1;
  }
  for (let i = 0; i < pages.length; i++) {
    HEAPU8.set(data.subarray(i * SNAPSHOT_PAGE, (i + 1) * SNAPSHOT_PAGE), pages[i] * SNAPSHOT_PAGE);
  }
  resetTimezone();
  return null;
}

function pageHash(page) {
  return wasmExports.kiln_checksum_words(page * SNAPSHOT_PAGE, SNAPSHOT_PAGE >> 2) >>> 0;
}

function pageCeil(bytes) {
  return Math.ceil(bytes / SNAPSHOT_PAGE) * SNAPSHOT_PAGE;
}

function sameBytes(a, b) {
  const x = new Int32Array(a.buffer, a.byteOffset, a.length >> 2);
  const y = new Int32Array(b.buffer, b.byteOffset, b.length >> 2);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

/** tzset() ran inside kiln_init (the time module) and keeps its answer: the
 * snapshot holds the build machine's time zone. Ask the host again, into the
 * same variables (musl's timezone, daylight and tzname strings). */
function resetTimezone() {
  const names = wasmExports.tzname >> 2;
  __tzset_js(wasmExports.timezone, wasmExports.daylight, HEAPU32[names], HEAPU32[names + 1]);
}
