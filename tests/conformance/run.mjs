// Runs the conformance snippets on Kiln or on Pyodide, in one runtime.
// Usage: node run.mjs <folder with kiln.mjs or pyodide.mjs>
// Prints one JSON line: {runtime, results: [{name, ok, got?, error?}]}.
import { existsSync } from "node:fs";
import { isDeepStrictEqual } from "node:util";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { snippets } from "./snippets.mjs";

const folder = process.argv[2];
const isKiln = existsSync(join(folder, "kiln.mjs"));
const entry = pathToFileURL(join(folder, isKiln ? "kiln.mjs" : "pyodide.mjs")).href;
const { loadPyodide } = await import(entry);
const pyodide = await loadPyodide({ indexURL: folder + "/", stdout: () => {}, stderr: () => {} });

const results = [];
for (const snippet of snippets) {
  try {
    const got = await snippet.run(pyodide);
    const ok = isDeepStrictEqual(got, snippet.expect);
    results.push(ok ? { name: snippet.name, ok } : { name: snippet.name, ok, got: String(got) });
  } catch (error) {
    results.push({ name: snippet.name, ok: false, error: String(error.message ?? error).slice(0, 500) });
  }
}
console.log(JSON.stringify({ runtime: isKiln ? "kiln" : "pyodide", results }));
process.exit(0);
