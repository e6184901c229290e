// Runs harness.py for one CPython test module inside Kiln, under Node.
// Usage: node run_module.mjs <dist folder> <request JSON>
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [distDir, request] = process.argv.slice(2);
const { loadKiln } = await import(pathToFileURL(join(distDir, "kiln.mjs")).href);
const kiln = await loadKiln({
  stdout: (line) => console.log(line),
  stderr: (line) => console.error(line),
  args: ["-X", "utf8"],
});
kiln.FS.writeFile("/lib/python_tests.zip", readFileSync(join(distDir, "python_tests.zip")));
kiln.FS.writeFile("/tmp/harness.py", readFileSync(new URL("harness.py", import.meta.url)));
// Unpacked, not imported from the zip: packages such as test_json find
// their tests with unittest discovery, which needs real folders.
const run = kiln.runPython(`
import sys, zipfile
zipfile.ZipFile("/lib/python_tests.zip").extractall("/lib/cpython-tests")
sys.path.insert(1, "/lib/cpython-tests")
sys.path.append("/lib/cpython-tests/lib-dynload")  # _testcapi & co, as side modules
sys.argv = ["harness.py"]
import runpy
runpy.run_path("/tmp/harness.py", run_name="kiln_gate_harness")["run"]
`);
try {
  if (JSON.parse(request).event_loop === "webloop") {
    // Suspendable: asyncio.run() on the WebLoop blocks through JSPI.
    if (!kiln.jspiAvailable) throw new Error("event_loop = webloop needs JSPI (Node 24)");
    await run.callPromising(request);
  } else {
    run(request);
  }
} catch (error) {
  // The harness itself failed: its traceback, not Node's dump of the glue's source line.
  console.error(error?.message ?? error);
  process.exit(1);
}
