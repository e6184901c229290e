// Side modules (C extensions and shared libraries) loaded ahead of import.
//
// Packages loaded with loadPackage() are fetched asynchronously, so their
// .so files are compiled and instantiated asynchronously too (browsers refuse
// to compile modules over 8 MB synchronously on the main thread). Python's
// dlopen() later finds them ready. Shared libraries are registered under their path and their bare
// name: dependents list them bare in their dylink "needed" section.

let sideModuleChain = Promise.resolve(); // Emscripten instantiates side modules one at a time

function baseName(path) {
  return path.slice(path.lastIndexOf("/") + 1);
}

/** Make a shared library's symbols global, findable by path and bare name. */
function registerSharedLibrary(path, exports) {
  mergeLibSymbols(exports, path);
  const dso = newDSO(path, undefined, exports);
  dso.global = true;
  LDSO.loadedLibsByName[baseName(path)] = dso;
}

function preloadSideModule(path, bytes, { shared }) {
  const name = baseName(path);
  const load = async () => {
    if (shared) {
      if (LDSO.loadedLibsByName[name]) return;
      const flags = { loadAsync: true, global: true, nodelete: true };
      registerSharedLibrary(path, await loadWebAssemblyModule(bytes, flags, path, {}));
    } else if (!preloadedWasm[path] && !LDSO.loadedLibsByName[path]) {
      preloadedWasm[path] = await loadWebAssemblyModule(bytes, { loadAsync: true, nodelete: true }, path, {});
    }
  };
  const loaded = sideModuleChain.then(load).catch((error) => {
    forgetFailedLoad();
    throw error;
  });
  // The next load waits for this one, whether or not it fails.
  sideModuleChain = loaded.catch(() => {});
  return loaded;
}

/** A shared library, loaded synchronously (packages loaded on first import;
 * extension modules need nothing: dlopen() loads them from the file system). */
function loadSharedLibrarySync(path, bytes) {
  if (LDSO.loadedLibsByName[baseName(path)]) return;
  let exports;
  try {
    exports = loadWebAssemblyModule(bytes, { loadAsync: false, global: true, nodelete: true }, path, {});
  } catch (error) {
    forgetFailedLoad();
    throw error;
  }
  registerSharedLibrary(path, exports);
}

/** Drop the extension modules preloaded for an install that failed, so that
 * a fixed archive at the same path loads afresh. */
function forgetPreloaded(paths) {
  for (const path of paths) delete preloadedWasm[path];
}
