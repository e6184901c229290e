// Kiln's loader, as an ES module: `import { loadKiln } from ".../kiln.mjs"`.
import { loadKiln } from "./boot.mjs";

export const version = KILN_VERSION;
export { loadKiln, loadKiln as loadPyodide };
