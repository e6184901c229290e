// micropip.install("requests") from a local index, in a fresh runtime in a
// fresh process: prints the install time and what got installed.
// Usage: node probe_micropip.mjs kiln|pyodide <folder> <index url> <cache folder|-> [wheel url...]
//   kiln: <cache folder> is loadKiln's packageCache (empty: cold; filled: a reload).
//   pyodide: the wheel URLs are micropip and packaging, which the npm package lacks.
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const [runtime, folder, indexURL, cacheFolder, ...wheels] = process.argv.slice(2);
const root = resolve(folder);
const module = await import(pathToFileURL(join(root, runtime === "kiln" ? "kiln.mjs" : "pyodide.mjs")).href);
const quiet = { indexURL: root + "/", stdout: () => {}, stderr: () => {} };
let py;
if (runtime === "kiln") {
  py = await module.loadKiln({ ...quiet, packageCache: cacheFolder });
  await py.loadPackage("micropip");
} else {
  py = await module.loadPyodide(quiet);
  await py.loadPackage(wheels, { messageCallback: () => {}, errorCallback: (message) => console.error(message) });
}
// Import and point at the index outside the timed part: only the install is timed.
await py.runPythonAsync(`import micropip\nmicropip.set_index_urls([${JSON.stringify(indexURL)}])`);

const started = performance.now();
await py.runPythonAsync("await micropip.install('requests')");
const installMs = performance.now() - started;

// What is importable now, so the driver can refuse a broken install.
const installed = JSON.parse(py.runPython(`
import importlib.metadata, json, requests
json.dumps({"requests-import": requests.__version__,
            **{n: importlib.metadata.version(n) for n in ("requests", "urllib3", "idna", "certifi", "charset-normalizer")}})
`));
console.log(JSON.stringify({ runtime, installMs, installed }));
process.exit(0); // keep-alive sockets to the index would otherwise hold the process
