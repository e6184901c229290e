// NumPy in Kiln, in a fresh process: time from loadPackage("numpy") to the
// first np.ones(3), then the kernels of numpy_kernels.py; or (--scipy) from
// loadPackage("scipy") to the first scipy.linalg.solve result.
// With --pyodide, the folder is Pyodide's and only the load is timed.
// Usage: node probe_numpy.mjs <dist folder> [--kernels | --scipy | --pyodide]
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const [folder, mode] = process.argv.slice(2);
const root = resolve(folder);
const pyodide = mode === "--pyodide";
const entry = await import(pathToFileURL(join(root, pyodide ? "pyodide.mjs" : "kiln.mjs")).href);
const load = pyodide ? entry.loadPyodide : entry.loadKiln;
const kiln = await load({ indexURL: root + "/", stdout: (line) => console.log(line) });
if (mode === "--scipy") {
  const start = performance.now();
  await kiln.loadPackage("scipy");
  const x = kiln.runPython("from scipy import linalg\nlinalg.solve([[3.0, 1.0], [1.0, 2.0]], [9.0, 8.0]).round(9).tolist()").toJs();
  const ms = performance.now() - start;
  if (JSON.stringify(x) !== "[2,3]") throw new Error(`scipy.linalg.solve gave ${x}`);
  console.log("KILN-NUMPY " + JSON.stringify({ loadToFirstResultMs: ms }));
  process.exit(0);
}
const started = performance.now();
await kiln.loadPackage("numpy");
const ones = kiln.runPython("import numpy as np\nnp.ones(3).tolist()").toJs();
const loadMs = performance.now() - started;
if (JSON.stringify(ones) !== "[1,1,1]") throw new Error(`np.ones(3) gave ${ones}`);
const result = { loadToFirstResultMs: loadMs };
if (mode === "--kernels") {
  kiln.FS.writeFile("/tmp/numpy_kernels.py", readFileSync(new URL("numpy_kernels.py", import.meta.url)));
  result.blas = kiln.runPython("import numpy as np\nnp.show_config(mode='dicts')['Build Dependencies']['blas']['name']");
  result.kernels = JSON.parse(kiln.runPython("import runpy, json\njson.dumps(runpy.run_path('/tmp/numpy_kernels.py')['kernels']())"));
}
console.log("KILN-NUMPY " + JSON.stringify(result));
