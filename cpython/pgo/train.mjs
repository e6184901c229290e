// Runs cpython/pgo/train.py in the instrumented core, in Node, at build time
// (cpython/builder/pgo.py). CPython alone: no Kiln loader or runtime. The
// stdlib with its tests, the build's extension modules and the script are
// host folders mounted as they are; the profile is written into OUT_DIR.
//   node train.mjs GLUE_MJS WASM LIB_DIR DYNLOAD_DIR SCRIPT_DIR OUT_DIR
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const [glue, wasm, libDir, dynloadDir, scriptDir, outDir] = process.argv.slice(2);
const { default: createModule } = await import(pathToFileURL(glue).href);
const compiled = await WebAssembly.compile(readFileSync(wasm));
const mounts = { "/lib/python3.13": libDir, "/pgo/dynload": dynloadDir, "/pgo/script": scriptDir, "/pgo/out": outDir };

const moduleArg = {
  instantiateWasm(imports, receiveInstance) {
    moduleArg.kilnBridge.installImports(imports);
    WebAssembly.instantiate(compiled, imports).then((instance) => receiveInstance(instance, compiled));
    return {};
  },
  preRun: [
    ({ ENV, FS }) => {
      Object.assign(ENV, { HOME: "/tmp", PYTHONPATH: "/pgo/dynload" });
      for (const [at, root] of Object.entries(mounts)) {
        FS.mkdirTree(at);
        FS.mount(FS.filesystems.NODEFS, { root }, at);
      }
      FS.chdir("/tmp");
    },
  ],
  print: (text) => console.log(text),
  printErr: (text) => console.error(text),
};
const Module = await createModule(moduleArg);
Module.kilnBridge.init({});

const argv = ["python", "/pgo/script/train.py", "/pgo/out/kiln.profraw"].map((arg) => Module.stringToNewUTF8(arg));
const argvPtr = Module._malloc(4 * (argv.length + 1));
argv.forEach((ptr, i) => (Module.HEAP32[(argvPtr >> 2) + i] = ptr));
Module.HEAP32[(argvPtr >> 2) + argv.length] = 0;
if (Module._kiln_init(Module.stringToNewUTF8("/"), argv.length, argvPtr) !== 0) {
  console.error("train.mjs: Python failed to start in the instrumented core");
  process.exit(1);
}
try {
  process.exitCode = Module._kiln_run_main();
} catch (error) {
  // An uncaught SystemExit reaches C's exit() (PyErr_Print calls Py_Exit).
  if (error?.name !== "ExitStatus") throw error;
  process.exitCode = error.status;
}
