// Kiln's loader, as an ES module: `import { loadKiln } from ".../kiln.mjs"`.
// Imported as "kiln.mjs?auto", it also runs the page's <script type="text/python"> tags.
import { loadKiln, makeSnapshot } from "./boot.mjs";
import { autoRunPythonScripts, runPythonScripts as runScripts } from "./tags/scripts.mjs";

export const version = KILN_VERSION;
export { loadKiln, loadKiln as loadPyodide };
/** The bytes of a memory snapshot for loadKiln({snapshot}) (the build makes dist/kiln-snapshot.bin with it). */
export { makeSnapshot };

/** Run the page's Python script tags (see tags/scripts.mjs). */
export const runPythonScripts = (options) => runScripts(loadKiln, options);

if (new URL(import.meta.url).searchParams.has("auto")) autoRunPythonScripts(loadKiln);
