// Runs harness.py (pytest) for one package test file inside Kiln, under Node.
// Usage: node run_pytest.mjs <dist folder> <request JSON>
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [distDir, requestText] = process.argv.slice(2);
const request = JSON.parse(requestText);
const { loadKiln } = await import(pathToFileURL(join(distDir, "kiln.mjs")).href);
const kiln = await loadKiln({ stdout: (line) => console.log(line), stderr: (line) => console.error(line) });
await kiln.loadPackage(request.packages);
for (const [path, text] of Object.entries(request.setup_files ?? {})) {
  kiln.FS.mkdirTree(path.slice(0, path.lastIndexOf("/")));
  kiln.FS.writeFile(path, text);
}
kiln.FS.writeFile("/tmp/package_harness.py", readFileSync(new URL("harness.py", import.meta.url)));
kiln.runPython(`
import sys, runpy
sys.argv = ["harness.py", ${JSON.stringify(requestText)}]
runpy.run_path("/tmp/package_harness.py", run_name="__main__")
`);
