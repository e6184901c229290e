// Emscripten library overrides (linked with --js-library, so they replace
// Emscripten's own functions of the same name).

addToLibrary({
  // Emscripten gives every export of every module a GOT entry (a
  // WebAssembly.Global, plus a table slot for each function) as the module
  // loads: about 10,000 for the core alone, a sixth of start-up. Entries are
  // only read by modules that import them, so an export nobody imports yet
  // is remembered here and becomes an entry when a module first imports it,
  // with the value Emscripten would have given it (the first exporter's,
  // unless a later one replaces it).
  $lazyGOTValues: '=new Map()',
  // The core's exports, relocated (see $relocateExports): the lazy GOT's
  // values for whatever no later module replaced.
  $coreExports: null,
  $lazyGOTValue__deps: ['$lazyGOTValues', '$coreExports'],
  $lazyGOTValue: (symName) => {
    if (lazyGOTValues.has(symName)) return lazyGOTValues.get(symName);
    return coreExports && symName in coreExports ? coreExports[symName] : undefined;
  },
  $hasLazyGOTValue__deps: ['$lazyGOTValues', '$coreExports'],
  $hasLazyGOTValue: (symName) => lazyGOTValues.has(symName) || (coreExports !== null && symName in coreExports),
  $setGOTValue__deps: ['$addFunction'],
  $setGOTValue: (entry, symName, value) => {
    if (typeof value == 'function') {
      entry.value = addFunction(value);
    } else if (typeof value == 'number') {
      entry.value = value;
    } else {
      err(`unhandled export type for '${symName}': ${typeof value}`);
    }
  },
  $updateGOT__deps: ['$GOT', '$isInternalSym', '$lazyGOTValues', '$hasLazyGOTValue', '$setGOTValue'],
  $updateGOT: (exports, replace) => {
    for (var symName in exports) {
      var entry = GOT[symName];
      // getMemory() writes __heap_base's entry while side modules preload.
      if (!entry && symName != '__heap_base') {
        if (replace || !hasLazyGOTValue(symName)) lazyGOTValues.set(symName, exports[symName]);
        continue;
      }
      if (isInternalSym(symName)) continue;
      entry ??= GOT[symName] = new WebAssembly.Global({'value': 'i32', 'mutable': true});
      if (replace || entry.value == 0) setGOTValue(entry, symName, exports[symName]);
    }
  },
  $GOTHandler__deps: ['$GOT', '$currentModuleWeakSymbols', '$lazyGOTValues', '$lazyGOTValue', '$hasLazyGOTValue',
                       '$isInternalSym', '$setGOTValue'],
  $GOTHandler: {
    get(obj, symName) {
      var entry = GOT[symName];
      if (!entry) {
        entry = GOT[symName] = new WebAssembly.Global({'value': 'i32', 'mutable': true});
        if (hasLazyGOTValue(symName)) {
          if (!isInternalSym(symName)) setGOTValue(entry, symName, lazyGOTValue(symName));
          lazyGOTValues.delete(symName);
        }
      }
      // A non-weak reference makes the symbol required (see reportUndefinedSymbols).
      if (!currentModuleWeakSymbols.has(symName)) entry.required = true;
      return entry;
    },
  },

  // The core's ~3,900 exports enter the symbol tables without a copy of each.
  // Emscripten copied every export of the main module into a relocated
  // object, the lazy GOT's map and the symbol table (wasmImports), one at a
  // time as the module loaded: about 10 ms of every start, before Python
  // runs. Now the relocated object inherits the exports (only the globals
  // become own properties: their addresses plus the memory base), the lazy
  // GOT reads it where it is, and the symbol table inherits it behind its
  // own properties (the JS library's functions), which so keep precedence
  // as Emscripten's setImport gave them. Emscripten's glue puts no stubs
  // into the table, which an inherited export could not replace
  // (tests/test_core_exports.py checks that, and what side modules and
  // dlsym see).
  $relocateExports__deps: ['$updateGOT', '$coreExports'],
  $relocateExports: (exports, memoryBase, replace) => {
    var core = exports === wasmExports && !coreExports; // receiveInstance, for the core
    var relocated = core ? Object.create(exports) : {};
    for (var e in exports) {
      var value = exports[e];
      if (typeof value == 'object') {
        value = value.value; // a global (Emscripten's reading of any non-function)
      } else if (core) {
        continue; // inherited as it is
      }
      if (typeof value == 'number') value += memoryBase;
      if (core) {
        // Shadowing an inherited read-only property takes defineProperty.
        Object.defineProperty(relocated, e, {value, writable: true, enumerable: true, configurable: true});
      } else {
        relocated[e] = value;
      }
    }
    if (!core) {
      updateGOT(relocated, replace);
      return relocated;
    }
    coreExports = relocated;
    // Only the entries the core's own imports made (and __heap_base) take
    // a value now; the rest stay lazy ($GOTHandler).
    var entries = {};
    for (var symName of [...Object.keys(GOT), '__heap_base']) {
      if (symName in relocated) entries[symName] = relocated[symName];
    }
    updateGOT(entries, replace);
    return relocated;
  },
  $mergeLibSymbols__deps: ['$isSymbolDefined', '$coreExports'],
  $mergeLibSymbols: (exports, libName) => {
    if (exports === coreExports) {
      Object.setPrototypeOf(wasmImports, exports);
      if ('main' in exports && !isSymbolDefined('__main_argc_argv')) wasmImports['__main_argc_argv'] = exports['main'];
      if ('__main_argc_argv' in exports && !isSymbolDefined('main')) wasmImports['main'] = exports['__main_argc_argv'];
      return;
    }
    // Side modules: Emscripten's, as one plain loop. Its array per entry and
    // closure per export made merging numpy's two shared libraries (6,529
    // exports) take about three times as long.
    for (var sym in exports) {
      var exp = exports[sym];
      if (!isSymbolDefined(sym)) wasmImports[sym] = exp;
      if (sym == 'main' && !isSymbolDefined('__main_argc_argv')) wasmImports['__main_argc_argv'] = exp;
      if (sym == '__main_argc_argv' && !isSymbolDefined('main')) wasmImports['main'] = exp;
    }
  },
  // Emscripten's, except that the main module's symbols (the table above,
  // which inherits the core's exports) are looked up with `in`, not
  // hasOwnProperty, which the table no longer has.
  _dlsym_js__deps: ['$dlSetError', '$getFunctionAddress', '$addFunction'],
  _dlsym_js: (handle, symbol, symbolIndex) => {
    symbol = UTF8ToString(symbol);
    var lib = LDSO.loadedLibsByHandle[handle];
    var defined = lib.exports === wasmImports ? symbol in wasmImports : Object.hasOwn(lib.exports, symbol);
    if (!defined || lib.exports[symbol].stub) {
      dlSetError(`Tried to lookup unknown symbol "${symbol}" in dynamic lib: ${lib.name}`);
      return 0;
    }
    var result = lib.exports[symbol];
    if (typeof result == 'function') {
      var addr = getFunctionAddress(result);
      if (addr) {
        result = addr;
      } else {
        result = addFunction(result, result.sig);
        {{{ makeSetValue('symbolIndex', 0, 'Object.keys(lib.exports).indexOf(symbol)', '*') }}};
      }
    }
    return result;
  },

  // A JS function whose address C takes (the core takes six: emscripten_out,
  // emscripten_console_log, ...) goes into the table without addFunction's
  // duplicate check. That check first maps every slot of the table to its
  // function, making a JS object for each of thousands of wasm functions:
  // ~15 ms of every start. A JS function is in the table only if it was added
  // through here or addFunction, so remembering those is check enough. Wasm
  // functions still go through addFunction: one already in the table must keep
  // its index, since C compares function pointers.
  $isWasmFunction: (func) => {
    isWasmFunction.table ??= new WebAssembly.Table({element: 'anyfunc', initial: 1});
    try {
      isWasmFunction.table.set(0, func); // only wasm functions may be stored
      return true;
    } catch {
      return false;
    }
  },
  $jsFunctionSlots: '=new WeakMap()',
  // Emscripten's, plus the slots given above: dlsym of such a function then
  // finds the one its address already has.
  $getFunctionAddress__deps: ['$updateTableMap', '$functionsInTableMap', '$wasmTable', '$jsFunctionSlots'],
  $getFunctionAddress: (func) => {
    if (!functionsInTableMap) {
      functionsInTableMap = new WeakMap();
      updateTableMap(0, wasmTable.length);
    }
    return functionsInTableMap.get(func) || jsFunctionSlots.get(func) || 0;
  },
  // Only while the table's map does not exist yet (afterwards addFunction costs no scan).
  $addJsFunction__deps: ['$jsFunctionSlots', '$getEmptyTableSlot', '$setWasmTableEntry', '$convertJsFunctionToWasm'],
  $addJsFunction: (func, sig) => {
    let slot = jsFunctionSlots.get(func);
    if (!slot) {
      slot = getEmptyTableSlot();
      setWasmTableEntry(slot, convertJsFunctionToWasm(func, sig));
      jsFunctionSlots.set(func, slot);
    }
    return slot;
  },

  // A side module that fails to load (an undefined symbol, a bad import, a
  // constructor that throws) leaves the GOT entries its imports made
  // required, unresolved: every later load then failed, naming that module's
  // missing symbol. A load that succeeds resolves every required entry, so
  // one still unresolved belongs to the failed load: it goes back to being
  // an ordinary unresolved entry, resolved when a module defining it loads.
  $forgetFailedLoad__deps: ['$GOT'],
  $forgetFailedLoad: () => {
    for (var entry of Object.values(GOT)) {
      if (entry.required && entry.value == 0) entry.required = false;
    }
  },

  // Emscripten's, except that a failed load leaves no record behind. Its DSO
  // stayed registered under the file's name as "loading" (and so did those
  // of libraries it needed that failed too), so a later dlopen of the same
  // path "succeeded" without loading anything and every dlsym failed: a C++
  // library opened before libcxx could never be opened after it.
  $dlopenInternal__deps: ['$loadDynamicLibrary', '$dlSetError', '$LDSO', '$PATH', '$UTF8ToString', '$forgetFailedLoad'],
  $dlopenInternal: (handle, jsflags) => {
    var filename = PATH.normalize(UTF8ToString(handle + {{{ C_STRUCTS.dso.name }}}));
    var flags = {{{ makeGetValue('handle', C_STRUCTS.dso.flags, 'i32') }}};
    var global = Boolean(flags & {{{ cDefs.RTLD_GLOBAL }}});
    var combinedFlags = {
      global,
      nodelete: Boolean(flags & {{{ cDefs.RTLD_NODELETE }}}),
      loadAsync: jsflags.loadAsync,
    };
    var known = new Set(Object.keys(LDSO.loadedLibsByName));
    var forget = () => {
      for (var [name, dso] of Object.entries(LDSO.loadedLibsByName)) {
        if (!known.has(name) && dso.exports === 'loading') delete LDSO.loadedLibsByName[name];
      }
      if (LDSO.loadedLibsByHandle[handle]?.exports === 'loading') delete LDSO.loadedLibsByHandle[handle];
      forgetFailedLoad();
    };
    if (jsflags.loadAsync) {
      return loadDynamicLibrary(filename, combinedFlags, global ? null : {}, handle).catch((e) => {
        forget();
        throw e;
      });
    }
    try {
      return loadDynamicLibrary(filename, combinedFlags, global ? null : {}, handle);
    } catch (e) {
      forget();
      dlSetError(`Could not load dynamic lib: ${filename}\n${e}`);
      return 0;
    }
  },

  // The C++ runtime is the package libcxx, not part of the core: name it
  // (the rule of loader/src/packages/cxx_runtime.mjs, which loads it for the
  // packages that need it; a library opened by hand must ask for it).
  $undefinedSymbolMessage: (symName) => {
    const cxx = /^(_Z|__cxa_(?!atexit$|finalize$)|__gxx_personality|_Unwind_)/.test(symName);
    return `undefined symbol '${symName}'` +
      (cxx ? ': the C++ runtime is the package libcxx; load it first (loadPackage("libcxx"))' : '');
  },

  // Emscripten's version walks the whole GOT after every side module loads,
  // reading each entry's WebAssembly.Global across the JS/WASM boundary:
  // quadratic in the number of libraries (NumPy alone loads 20; with
  // libopenblas this was a third of loadPackage("numpy")). An entry, once
  // resolved, stays resolved, so only entries new since the last call and
  // those still unresolved (weak symbols nobody defines yet) are looked at.
  $reportUndefinedSymbols__deps: ['$GOT', '$resolveGlobalSymbol', '$addFunction', '$functionsInTableMap',
                                  '$isWasmFunction', '$addJsFunction', '$undefinedSymbolMessage'],
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
        entry.value = functionsInTableMap || isWasmFunction(value) ? addFunction(value, value.sig) : addJsFunction(value, value.sig);
      } else if (typeof value == 'number') {
        entry.value = value;
      } else {
        reportUndefinedSymbols.unresolved = [...unresolved, ...candidates.slice(candidates.indexOf(symName))];
        throw new Error(value === undefined ? undefinedSymbolMessage(symName) : `bad export type for '${symName}': ${typeof value}`);
      }
    }
    reportUndefinedSymbols.unresolved = unresolved;
  },
});
