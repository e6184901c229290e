// JS half of the `_kiln_core` module functions (module.c). Called from C;
// returns a new PyObject* (or 0 / -1 with a Python exception set).

function pyCallableOrUndefined(ptr) {
  return _kiln_py_kind(ptr) === PY_KIND.NONE ? undefined : pyToJs(ptr);
}

function toJsFromPython(objPtr, depth, dictConverterPtr, defaultConverterPtr, createPyProxies) {
  const result = pyToJsDeep(objPtr, {
    depth,
    dictConverter: pyCallableOrUndefined(dictConverterPtr),
    defaultConverter: pyCallableOrUndefined(defaultConverterPtr),
    createPyProxies: createPyProxies !== 0,
  });
  return jsToPy(result);
}

function toPyFromPython(ref, depth, defaultConverterPtr) {
  return jsToPyDeep(getRef(ref), { depth, defaultConverter: pyCallableOrUndefined(defaultConverterPtr) });
}

/** create_proxy / create_once_callable: a PyProxy JS keeps, as a JsProxy. */
function createProxyFromPython(objPtr, once) {
  const proxy = makePyProxy(objPtr);
  // A JsProxy of the PyProxy itself (jsToPy would unwrap it to the object).
  if (!once) return _kiln_jsproxy_new(newRef(proxy), 0);
  const callOnce = (...args) => {
    try {
      return proxy(...args);
    } finally {
      destroyPyProxy(proxy, "This function from create_once_callable() was already called; it can be called only once");
    }
  };
  const ref = newRef(callOnce);
  return _kiln_jsproxy_new(ref, 0);
}

/** Destroy a PyProxy (a create_proxy() result), or every PyProxy in an array. */
function destroyProxyFromPython(ref) {
  const value = getRef(ref);
  const proxies = Array.isArray(value) ? value.filter((item) => pyproxyStates.has(item)) : [value];
  if (!proxies.every((proxy) => pyproxyStates.has(proxy))) {
    setPythonError(PY_ERROR.TYPE, "expected the result of create_proxy(), or an array of PyProxies");
    return -1;
  }
  proxies.forEach((proxy) => destroyPyProxy(proxy));
  return 0;
}

/** The JS error a Python exception becomes (its original JS error for a JsException). */
function jsErrorForException(excPtr) {
  return jsToPy(pythonErrorFor(excPtr));
}

function pythonExceptionOf(ref) {
  const value = getRef(ref);
  const exc = value !== null && typeof value === "object" ? pythonErrorExceptions.get(value) : undefined;
  if (!exc) return _kiln_py_none();
  _kiln_incref(exc);
  return exc;
}

function bufferBytes(value) {
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  throw new TypeError("not a JS buffer (ArrayBuffer, typed array or DataView)");
}

function jsBufferToBytes(ref) {
  const bytes = bufferBytes(getRef(ref));
  const result = checkPy(_kiln_py_bytes_from(0, bytes.length));
  HEAPU8.set(bytes, _kiln_py_bytes_data(result));
  return result;
}

function jsBufferCopy(ref, data, size, intoJs) {
  const bytes = bufferBytes(getRef(ref));
  if (bytes.length !== size) {
    setPythonError(PY_ERROR.VALUE, `buffer sizes differ: JS has ${bytes.length} bytes, Python ${size}`);
    return -1;
  }
  if (intoJs) bytes.set(HEAPU8.subarray(data, data + size));
  else HEAPU8.set(bytes, data);
  return 0;
}

// Zero-delay scheduling without the 4 ms clamp of nested setTimeout(0).
const scheduleSoon = (() => {
  if (typeof setImmediate === "function") return setImmediate;
  if (typeof MessageChannel === "function") {
    const channel = new MessageChannel();
    const queue = [];
    channel.port1.onmessage = () => queue.shift()();
    return (fn) => {
      queue.push(fn);
      channel.port2.postMessage(0);
    };
  }
  return (fn) => setTimeout(fn, 0);
})();

/** Call a Python callable from the JS event loop (asyncio's WebLoop uses this). */
function scheduleFromPython(callbackPtr, delayMs) {
  const callback = makePyProxy(callbackPtr);
  const run = () => runScheduled(callback);
  if (delayMs <= 0) scheduleSoon(run);
  else setTimeout(run, delayMs);
  return _kiln_py_none();
}

function runScheduled(callback) {
  if (fatalError) return;
  const state = pyproxyStates.get(callback);
  const finish = () => destroyPyProxy(callback);
  try {
    if (jspiAvailable) {
      callPythonPromising(state, [], null).then(finish, (error) => {
        finish();
        reportUncaught(error);
      });
      return;
    }
    callPython(state, [], null);
  } catch (error) {
    reportUncaught(error);
  }
  finish();
}

function reportUncaught(error) {
  // A KeyboardInterrupt can trip on the first bytecode of the callback, before
  // WebLoop's handling: it is still meant for the runPythonAsync calls awaiting.
  if (error instanceof PythonError && error.type === "KeyboardInterrupt" && !fatalError) {
    try {
      if (runtime.interruptAsyncRuns(true)) return;
    } catch (inner) {
      error = inner;
    }
  }
  // asyncio handles task errors itself; anything else reaching here is a bug or a fatal error.
  console.error("kiln: error in a scheduled callback:", error);
}
