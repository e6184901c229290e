// Loading the core's JS glue (kiln.asm.mjs, 0.6 MB of Emscripten runtime).
// Browsers import it as a module and keep its compiled code in their own
// cache. Node has no such cache for an import: compiling the glue was a
// quarter of a start from the snapshot. There it is compiled as a script
// with V8's code cache, kept on disk under the CRC-32 and length of its text
// and the Node version (default ~/.cache/kiln/code; loadKiln({codeCache:
// false}) turns it off). V8 itself only checks a cache against the source's
// length and its own version and flags, hence the checksum in the file name.
// The cache is only an optimisation and the folder the user's own, so the
// checksum need only tell builds apart, not resist forgery: CRC-32 from zlib
// (which the loader has loaded anyway) costs ~0.5 ms, sha256 cost ~6 ms of
// each start, most of it loading Node's crypto module.

import { IN_NODE, nodeCacheFolder, nodeRequire, writeFileAtomically } from "./host.mjs";

// What the glue's ES module syntax becomes in the script form: its own URL
// and Node's built-in modules are passed in by the wrapper function.
const MODULE_SYNTAX = [
  ["import.meta.url", "__kilnGlueURL"],
  ['import("module")', "__kilnImport(\"module\")"],
  ["export default createKilnModule;", "return createKilnModule;"],
];

/**
 * The glue's module factory (createKilnModule), and `saveCodeCache()`, to
 * call once the module has started (the cache then holds the functions
 * that ran, not only the top level). `codeCache` is how the cache was used:
 * "off", "created" (none yet, or V8 rejected it) or "used".
 */
export async function loadGlue(url, option) {
  if (!IN_NODE || option === false || !url.startsWith("file:")) return importGlue(url);
  // Compiled once per process, as import() would (the factory makes any number of modules).
  const folder = typeof option === "string" ? option : nodeCacheFolder("code");
  const key = `${url}\0${folder}`;
  if (!compiledInNode.has(key)) compiledInNode.set(key, compileInNode(url, folder));
  return compiledInNode.get(key);
}

const compiledInNode = new Map();

async function importGlue(url) {
  const module = await import(url).catch((error) => {
    throw new Error(`kiln: cannot load ${url}: ${error.message}`);
  });
  return { createModule: module.default, codeCache: "off", saveCodeCache() {} };
}

function compileInNode(url, folder) {
  const fs = nodeRequire("fs");
  const path = nodeRequire("path");
  const file = nodeRequire("url").fileURLToPath(url);
  let bytes;
  try {
    bytes = fs.readFileSync(file);
  } catch (error) {
    throw new Error(`kiln: cannot load ${url}: ${error.message}`);
  }
  // Checksummed as bytes: the text would be encoded to UTF-8 again.
  const checksum = nodeRequire("zlib").crc32(bytes).toString(16).padStart(8, "0");
  const source = bytes.toString("utf8");
  const cacheFile = path.join(folder, `glue-${checksum}-${bytes.length}-node${process.versions.node}-${process.arch}.v8`);
  let cachedData;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    cachedData = undefined; // not there yet
  }
  const script = new (nodeRequire("vm").Script)(asScript(source, url), { filename: file, cachedData });
  const createModule = script.runInThisContext()(url, async (name) => nodeRequire(name));
  const codeCache = cachedData && !script.cachedDataRejected ? "used" : "created";
  let saved = codeCache === "used";
  return {
    createModule,
    codeCache,
    saveCodeCache() {
      if (saved) return;
      saved = true;
      // After the caller's start has resolved: serializing takes a few ms.
      setTimeout(() => writeFileAtomically(cacheFile, script.createCachedData()).catch(() => {}), 0); // an optimisation only
    },
  };
}

/** The module's text as the body of `(__kilnGlueURL, __kilnImport) => createKilnModule`. */
function asScript(source, url) {
  let body = source;
  for (const [from, to] of MODULE_SYNTAX) {
    if (!body.includes(from)) {
      throw new Error(`kiln: ${url} is not the Emscripten glue this loader was built for (no \`${from}\`)`);
    }
    body = body.replaceAll(from, to);
  }
  // One line of prefix: the glue's own line numbers stay right after line 1.
  return `(function (__kilnGlueURL, __kilnImport) {${body}\n})`;
}
