// Call overhead across the bridge, in a fresh process.
// Usage: node probe_ffi.mjs kiln|pyodide <folder> <calls>
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const [runtime, folder, callsArg] = process.argv.slice(2);
const calls = Number(callsArg);
const root = resolve(folder);
const module = await import(pathToFileURL(join(root, runtime === "kiln" ? "kiln.mjs" : "pyodide.mjs")).href);
const load = runtime === "kiln" ? module.loadKiln : module.loadPyodide;
const py = await load({ indexURL: root + "/", stdout: () => {}, stderr: () => {} });

function timePerCall(fn) {
  fn(1000); // warm up (JIT tiers, caches)
  const start = performance.now();
  fn(calls);
  return ((performance.now() - start) * 1e6) / calls; // ns per call
}

// JS -> Python: a JS call of a Python function, argument and result converted.
const identity = py.runPython("lambda x: x");
const jsToPython = timePerCall((n) => {
  for (let i = 0; i < n; i++) identity(i);
});

// Python -> JS: a Python loop calling a JS function.
globalThis.jsIdentity = (x) => x;
const loop = py.runPython("from js import jsIdentity\ndef loop(n):\n    for i in range(n):\n        jsIdentity(i)\nloop");
const empty = py.runPython("def empty(n):\n    for i in range(n):\n        pass\nempty");
const loopNs = timePerCall((n) => loop(n));
const emptyNs = timePerCall((n) => empty(n));
const pythonToJs = loopNs - emptyNs; // the call alone, not Python's loop

console.log(JSON.stringify({ runtime, jsToPythonNs: jsToPython, pythonToJsNs: pythonToJs }));
process.exit(0);
