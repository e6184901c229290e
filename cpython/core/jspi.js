// JSPI (JavaScript Promise Integration): Python may block on a JS promise by
// suspending the WASM stack, where the engine supports it (C half: the JSPI
// state in module.c). Without JSPI the module works the same; blocking calls
// raise a clear error instead.

let jspiAvailable = false;
let promisingCall = null;
let suspendableFlag = 0; // address of kiln_suspendable in wasm memory

/** Before instantiation: make kiln_jspi_await a suspending import. */
function installJspiImports(imports) {
  if (typeof WebAssembly.Suspending !== "function" || typeof WebAssembly.promising !== "function") {
    return false;
  }
  imports.env.kiln_jspi_await = new WebAssembly.Suspending(jspiAwait);
  jspiAvailable = true;
  return true;
}

/** After instantiation: the promising entry point. */
function initJspi(exports) {
  suspendableFlag = _kiln_suspendable_flag();
  // Written either way: restored memory holds the snapshot builder's value.
  _kiln_set_jspi_available(jspiAvailable ? 1 : 0);
  if (jspiAvailable) promisingCall = WebAssembly.promising(exports.kiln_pyproxy_call_promising);
}

async function jspiAwait(ref) {
  try {
    return jsToPy(await getRef(ref));
  } catch (error) {
    return setPythonErrorFromJs(error);
  }
}

/** Like callPython, through the promising entry: the callee may block. */
async function callPythonPromising(state, args, kwargs) {
  const ptr = liveState(state);
  if (!jspiAvailable) return callPython(state, args, kwargs);
  if (fatalError) callWasm(() => 0);
  const packed = packArguments(args, kwargs);
  try {
    let result;
    try {
      result = await promisingCall(ptr, packed.argv, packed.nargs, packed.kwnames);
    } catch (error) {
      fatalError = error;
      throw new Error(`kiln: fatal error inside the WASM runtime: ${error.message}. Python's state is lost; start a new runtime with loadKiln()`, { cause: error });
    }
    return pyToJsOwned(checkPy(result));
  } finally {
    releaseArguments(packed);
  }
}

/** The JS promise of a Python awaitable (one per PyProxy). */
function promiseOf(proxy) {
  const state = stateOf(proxy);
  if (!state.promise) {
    state.promise = runtime.asJsPromise(proxy);
  }
  return state.promise;
}
