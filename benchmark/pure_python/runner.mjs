// A WASM runtime as one long-lived worker, so its startup is not measured.
// Usage: node runner.mjs kiln|pyodide <folder>; speaks the protocol of harness.py
// over stdin/stdout, with harness.py and workloads/ copied into the runtime's FS.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";

const [runtime, folder] = process.argv.slice(2);
const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(folder);
// stdout carries only protocol lines: loader logs and workload prints go to stderr.
console.log = console.error;
const toStderr = (line) => process.stderr.write(line + "\n");
const module = await import(pathToFileURL(join(root, runtime === "kiln" ? "kiln.mjs" : "pyodide.mjs")).href);
const load = runtime === "kiln" ? module.loadKiln : module.loadPyodide;
const py = await load({ indexURL: root + "/", stdout: toStderr, stderr: toStderr });

py.FS.mkdirTree("/bench/workloads");
py.FS.writeFile("/bench/harness.py", readFileSync(join(here, "harness.py")));
for (const file of readdirSync(join(here, "workloads")).filter((f) => f.endsWith(".py"))) {
  py.FS.writeFile(`/bench/workloads/${file}`, readFileSync(join(here, "workloads", file)));
}
const answer = py.runPython("import sys\nsys.path.insert(0, '/bench')\nimport harness\nharness.answer");

process.stdout.write(py.runPython("harness.ready()") + "\n");
for await (const line of createInterface({ input: process.stdin })) {
  process.stdout.write(answer(line) + "\n");
}
process.exit(0);
