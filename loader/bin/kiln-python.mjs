#!/usr/bin/env node
// Kiln's interpreter as a command, like CPython's python.sh for its WASM
// build: `node kiln-python.mjs [python options] [-c CODE | -m MODULE | FILE] [args]`
// (`kiln python ...` from the repository). The current directory is mounted
// at its own path, so scripts, their files and `input()` work as they do with
// a native python; the exit status is Python's.
import { existsSync, readFileSync, readSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadKiln } from "./kiln.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const cwd = process.cwd();
if (cwd === "/") {
  console.error("kiln python: run it from a folder other than / (that folder is mounted into the WASM file system)");
  process.exit(2);
}
// CPython's own tests (`-m test ...`) come from python_tests.zip, unpacked:
// regrtest lists test folders, which a zip on sys.path does not allow.
const testsZip = join(here, "python_tests.zip");
const wantsTests = args.some((arg, i) => arg === "-m" && /^test(\.|$)/.test(args[i + 1] ?? ""));
const testsDir = "/lib/cpython-tests";

/** Blocking reads and writes of the process's own descriptors (pipes may be non-blocking). */
function retrying(operation) {
  for (;;) {
    try {
      return operation();
    } catch (error) {
      if (error.code !== "EAGAIN") throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
    }
  }
}
const input = new Uint8Array(65536);
const readStdin = () => {
  const n = retrying(() => readSync(0, input, 0, input.length, null));
  return n === 0 ? null : input.slice(0, n);
};
const writer = (fd) => ({
  write: (bytes) => {
    let done = 0;
    while (done < bytes.length) done += retrying(() => writeSync(fd, bytes, done, bytes.length - done));
    return bytes.length;
  },
});

const kiln = await loadKiln({
  args,
  env: {
    ...process.env,
    ...(wantsTests ? { PYTHONPATH: `${testsDir}:${testsDir}/lib-dynload` } : {}),
  },
  stdin: { stdin: readStdin, isatty: Boolean(process.stdin.isTTY) },
  stdout: writer(1),
  stderr: writer(2),
  // Before Python starts: it resolves the script's path against its cwd then.
  fsInit(FS) {
    FS.mkdirTree(cwd);
    FS.mount(FS.filesystems.NODEFS, { root: cwd }, cwd);
    FS.chdir(cwd);
  },
});
const { FS } = kiln;
if (wantsTests) {
  if (!existsSync(testsZip)) {
    console.error(`kiln python: ${testsZip} is missing (run make dist)`);
    process.exit(2);
  }
  FS.writeFile("/tmp/python_tests.zip", readFileSync(testsZip));
  // (the import system saw the folder missing at start-up: forget that)
  kiln.runPython(`import importlib, zipfile
zipfile.ZipFile("/tmp/python_tests.zip").extractall("${testsDir}")
importlib.invalidate_caches()`);
  FS.unlink("/tmp/python_tests.zip");
}
try {
  process.exitCode = kiln._module._kiln_run_main();
} catch (error) {
  // An uncaught SystemExit reaches C's exit() (PyErr_Print calls Py_Exit).
  if (error?.name !== "ExitStatus") throw error;
  process.exitCode = error.status;
}
