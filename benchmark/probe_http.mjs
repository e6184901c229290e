// One HTTP client run in a fresh Kiln: runs the Python program on stdin
// (http_bench.py writes it: the client code and the call) and prints the
// JSON string it evaluates to.
// Usage: node probe_http.mjs <folder> sync|async < program.py
//   sync   kiln.runPython (urllib's blocking transport, the helper thread)
//   async  kiln.runPythonAsync (pyfetch awaits fetch())
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const [folder, mode] = process.argv.slice(2);
const program = readFileSync(0, "utf8");
const root = resolve(folder);
const { loadKiln } = await import(pathToFileURL(join(root, "kiln.mjs")).href);
const kiln = await loadKiln({ indexURL: root + "/", packageCache: false, stdout: () => {}, stderr: (s) => process.stderr.write(s + "\n") });

try {
  const result = mode === "async" ? await kiln.runPythonAsync(program) : kiln.runPython(program);
  console.log(String(result));
  process.exit(0); // an idle helper thread is unref'd, but don't depend on it
} catch (error) {
  console.error(error.message); // the Python traceback, not Node's dump of the minified throw site
  process.exit(1);
}
