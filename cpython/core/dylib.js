// Side modules (C extensions and shared libraries) loaded ahead of import.
//
// Packages are fetched asynchronously, so their .so files are compiled and
// instantiated asynchronously too (browsers refuse to compile modules over
// 8 MB synchronously on the main thread). Python's dlopen() later finds them
// ready. Shared libraries are registered under their path and their bare
// name: dependents list them bare in their dylink "needed" section.

let sideModuleChain = Promise.resolve(); // Emscripten instantiates side modules one at a time

function preloadSideModule(path, bytes, { shared }) {
  const name = path.slice(path.lastIndexOf("/") + 1);
  const load = async () => {
    if (shared) {
      if (LDSO.loadedLibsByName[name]) return;
      const flags = { loadAsync: true, global: true, nodelete: true };
      const exports = await loadWebAssemblyModule(bytes, flags, path, {});
      mergeLibSymbols(exports, path);
      const dso = newDSO(path, undefined, exports);
      dso.global = true;
      LDSO.loadedLibsByName[name] = dso;
    } else if (!preloadedWasm[path] && !LDSO.loadedLibsByName[path]) {
      preloadedWasm[path] = await loadWebAssemblyModule(bytes, { loadAsync: true, nodelete: true }, path, {});
    }
  };
  sideModuleChain = sideModuleChain.then(load);
  return sideModuleChain;
}
