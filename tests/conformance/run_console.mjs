// Runs console_script.py on Kiln or on Pyodide; prints its JSON result.
// Usage: node run_console.mjs <folder with kiln.mjs or pyodide.mjs>
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const folder = process.argv[2];
const isKiln = existsSync(join(folder, "kiln.mjs"));
const { loadPyodide } = await import(pathToFileURL(join(folder, isKiln ? "kiln.mjs" : "pyodide.mjs")).href);
const pyodide = await loadPyodide({ indexURL: folder + "/" });
const script = readFileSync(new URL("console_script.py", import.meta.url), "utf8");
console.log(await pyodide.runPythonAsync(script));
process.exit(0);
