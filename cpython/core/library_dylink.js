// Emscripten library overrides (linked with --js-library, so they replace
// Emscripten's own functions of the same name).

addToLibrary({
  // Emscripten's version walks the whole GOT after every side module loads,
  // reading each entry's WebAssembly.Global across the JS/WASM boundary:
  // quadratic in the number of libraries (NumPy alone loads 20; with
  // libopenblas this was a third of loadPackage("numpy")). An entry, once
  // resolved, stays resolved, so only entries new since the last call and
  // those still unresolved (weak symbols nobody defines yet) are looked at.
  $reportUndefinedSymbols__deps: ['$GOT', '$resolveGlobalSymbol', '$addFunction'],
  $reportUndefinedSymbols: () => {
    const names = Object.keys(GOT); // insertion order: new entries come last
    const candidates = reportUndefinedSymbols.unresolved ?? [];
    for (let i = reportUndefinedSymbols.seen ?? 0; i < names.length; i++) candidates.push(names[i]);
    reportUndefinedSymbols.seen = names.length;
    const unresolved = [];
    for (const symName of candidates) {
      const entry = GOT[symName];
      if (entry.value != 0) continue;
      const value = resolveGlobalSymbol(symName, true).sym;
      if (!value && !entry.required) {
        unresolved.push(symName); // weak: may be defined by a library loaded later
        continue;
      }
      if (typeof value == 'function') {
        entry.value = addFunction(value, value.sig);
      } else if (typeof value == 'number') {
        entry.value = value;
      } else {
        reportUndefinedSymbols.unresolved = [...unresolved, ...candidates.slice(candidates.indexOf(symName))];
        throw new Error(`bad export type for '${symName}': ${typeof value}`);
      }
    }
    reportUndefinedSymbols.unresolved = unresolved;
  },
});
