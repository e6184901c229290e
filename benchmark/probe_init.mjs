// One cold start of a runtime in a fresh Node process: prints the load time
// and every file the load read from the runtime's folder.
// Usage: node probe_init.mjs kiln|kiln-snapshot|pyodide <folder>
import fs from "node:fs";
import { syncBuiltinESMExports } from "node:module";
import { pathToFileURL, fileURLToPath } from "node:url";
import { join, resolve } from "node:path";

const [runtime, folder] = process.argv.slice(2);
const root = resolve(folder);
const filesRead = new Set();

function note(target) {
  let path = target;
  if (target instanceof URL) path = fileURLToPath(target);
  else if (typeof target === "string" && target.startsWith("file:")) path = fileURLToPath(target);
  if (typeof path === "string" && resolve(path).startsWith(root)) filesRead.add(resolve(path).slice(root.length + 1));
}

// Record reads through every fs entry point and fetch (both runtimes use some of them).
for (const name of ["readFile", "readFileSync", "createReadStream", "openSync"]) {
  const original = fs[name];
  fs[name] = function (target, ...rest) {
    note(target);
    return original.call(this, target, ...rest);
  };
}
const originalPromiseRead = fs.promises.readFile;
fs.promises.readFile = function (target, ...rest) {
  note(target);
  return originalPromiseRead.call(this, target, ...rest);
};
syncBuiltinESMExports();
const originalFetch = globalThis.fetch;
globalThis.fetch = (input, ...rest) => {
  note(typeof input === "string" ? input : input.url);
  return originalFetch(input, ...rest);
};

const kiln = runtime.startsWith("kiln");
const snapshot = runtime === "kiln-snapshot"; // loadKiln({ snapshot: true })
const entry = kiln ? "kiln.mjs" : "pyodide.mjs";
const started = performance.now();
const module = await import(pathToFileURL(join(root, entry)).href);
const load = kiln ? module.loadKiln : module.loadPyodide;
const api = await load({ indexURL: root + "/", stdout: () => {}, stderr: () => {}, ...(snapshot && { snapshot: true }) });
const loadedMs = performance.now() - started;
if (snapshot && !api.startedFromSnapshot) throw new Error("kiln did not start from its snapshot");
const check = api.runPython("1 + 1");
if (check !== 2) throw new Error(`${runtime} did not run Python: got ${check}`);
console.log(JSON.stringify({ runtime, initMs: loadedMs, files: [...filesRead, entry].filter((v, i, a) => a.indexOf(v) === i).sort() }));
