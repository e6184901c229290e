// Entry of kiln.js, the classic-script build: <script src=".../kiln.js">
// defines globalThis.loadKiln (and loadPyodide, for code written for Pyodide)
// and runs the page's <script type="text/python"> tags, if it has any.
import { loadKiln } from "./boot.mjs";
import { autoRunPythonScripts, runPythonScripts } from "./tags/scripts.mjs";

globalThis.loadKiln = loadKiln;
globalThis.loadPyodide = loadKiln;
globalThis.runPythonScripts = (options) => runPythonScripts(loadKiln, options);
autoRunPythonScripts(loadKiln);
