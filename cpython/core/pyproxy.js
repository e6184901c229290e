// PyProxy: a Python object seen from JS. Holds a reference to the PyObject
// until destroy() or until the JS garbage collector drops the proxy.

const pyproxyFinalizer = new FinalizationRegistry((ptr) => _kiln_decref(ptr));

class PyProxy {
  /** The Python type name, e.g. "dict". */
  get type() {
    return pyStrToJsOwned(callWasm(_kiln_py_type_name, livePtr(this)));
  }

  /** repr() of the Python object. */
  toString() {
    return pyStrToJsOwned(callWasm(_kiln_py_repr, livePtr(this)));
  }

  /** Release the Python object now; using the proxy afterwards throws. */
  destroy() {
    const state = this._kiln;
    if (state.ptr) {
      pyproxyFinalizer.unregister(state);
      _kiln_decref(state.ptr);
      state.ptr = 0;
    }
  }
}

function livePtr(proxy) {
  const ptr = proxy._kiln.ptr;
  if (!ptr) {
    throw new Error("This PyProxy was destroyed: its Python object can no longer be used");
  }
  return ptr;
}

function pyStrToJsOwned(ptr) {
  checkPy(ptr);
  try {
    return pyStrToJs(ptr);
  } finally {
    _kiln_decref(ptr);
  }
}

function makePyProxy(ptr) {
  _kiln_incref(ptr);
  const proxy = Object.create(PyProxy.prototype);
  const state = { ptr };
  Object.defineProperty(proxy, "_kiln", { value: state });
  pyproxyFinalizer.register(proxy, ptr, state);
  return proxy;
}

Module.kilnBridge.PyProxy = PyProxy;
Module.kilnBridge.makePyProxy = makePyProxy;
