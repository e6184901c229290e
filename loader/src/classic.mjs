// Entry of kiln.js, the classic-script build: <script src=".../kiln.js">
// defines globalThis.loadKiln (and loadPyodide, for code written for Pyodide).
import { loadKiln } from "./boot.mjs";

globalThis.loadKiln = loadKiln;
globalThis.loadPyodide = loadKiln;
