// PyProxy: a Python object seen from JS (C half: pyproxy.c).
//
// A PyProxy is a JS Proxy holding one reference to a PyObject until
// destroy(), or until the JS garbage collector drops it (FinalizationRegistry).
// Property access goes to Python attributes; the methods a proxy offers
// (get/set, iteration, then, call...) depend on what the object can do, read
// off its type once (kiln_pyproxy_flags) and mixed into its prototype.

const PY_FLAG = {
  CALLABLE: 1 << 0,
  LENGTH: 1 << 1,
  GETITEM: 1 << 2,
  SETITEM: 1 << 3,
  CONTAINS: 1 << 4,
  ITERABLE: 1 << 5,
  ITERATOR: 1 << 6,
  AWAITABLE: 1 << 7,
  BUFFER: 1 << 8,
  ASYNC_ITERABLE: 1 << 9,
  ASYNC_ITERATOR: 1 << 10,
  GENERATOR: 1 << 11,
  ASYNC_GENERATOR: 1 << 12,
  DICT: 1 << 13,
  SEQUENCE: 1 << 14,
  MUTABLE_SEQUENCE: 1 << 15,
};

const pyproxyStates = new WeakMap(); // proxy and its target -> {ptr, flags, destroyed}
// Proxies the JS garbage collector dropped release their Python object.
const pyproxyFinalizer = new FinalizationRegistry((state) => {
  if (!state.ptr) return;
  const ptr = state.ptr;
  state.ptr = 0;
  livePyProxies--;
  decrefFromFinalizer(ptr);
});
let livePyProxies = 0;

function stateOf(proxy) {
  const state = pyproxyStates.get(proxy);
  if (!state) throw new TypeError("not a PyProxy");
  return state;
}

/** The PyObject* of a live proxy; a destroyed one throws the same clear error
 * from every trap and method, so no NULL ever reaches C. */
function livePtr(proxy) {
  return liveState(stateOf(proxy));
}

function liveState(state) {
  if (!state.ptr) throw new Error(destroyedMessage(state.destroyed));
  return state.ptr;
}

/** The PyObject* behind a PyProxy (throws if destroyed), or 0 if `value` is not one. */
function pyproxyPtrOf(value) {
  if ((typeof value !== "object" && typeof value !== "function") || value === null || !pyproxyStates.has(value)) {
    return 0;
  }
  return livePtr(value);
}

function destroyedMessage({ type, reason, site }) {
  // Where it was destroyed: the first frame outside Kiln's own files (judged
  // by file name only: user code may well have "destroy" in its path).
  const where = (site.stack ?? "").split("\n").slice(1)
    .find((line) => !/[/\\]kiln(\.asm|-worker)?\.m?js[:?#]/.test(line))?.trim();
  return `This PyProxy of a Python ${type} was destroyed${where ? ` (${where})` : ""}: ` +
    (reason ?? "its Python object can no longer be used");
}

function destroyPyProxy(proxy, message) {
  const state = pyproxyStates.get(proxy);
  if (!state || !state.ptr) return;
  pyproxyFinalizer.unregister(state);
  const ptr = state.ptr;
  let type = "object";
  try {
    type = pyToJsOwned(checkPy(callWasm(_kiln_py_type_name, ptr)));
  } catch {
    // the type's name is only for the message
  }
  state.ptr = 0;
  // Kept to build the message only if it is ever shown: formatting a stack
  // costs more than the rest of a destroy, which every awaited promise does.
  state.destroyed = { type, reason: message, site: new Error() };
  livePyProxies--;
  decref(ptr);
}

/** A new PyProxy for a borrowed PyObject* (takes its own reference). */
function makePyProxy(ptr) {
  const flags = _kiln_pyproxy_flags(ptr);
  let target;
  if (flags & PY_FLAG.CALLABLE) {
    target = function () {};
    delete target.length;
    delete target.name;
  } else {
    target = {};
  }
  Object.setPrototypeOf(target, prototypeFor(flags));
  const state = { ptr, flags, destroyed: null };
  const proxy = new Proxy(target, pyproxyHandler);
  _kiln_incref(ptr);
  livePyProxies++;
  pyproxyStates.set(proxy, state);
  pyproxyStates.set(target, state);
  pyproxyFinalizer.register(proxy, state, state);
  if (borrowedProxies) {
    state.borrowed = true;
    borrowedProxies.push(proxy);
  }
  return proxy;
}

// Pyodide's hidden per-proxy record, under a symbol only reachable through
// Reflect.ownKeys(proxy). Clients written for Pyodide (PyScript) read
// `proxy[sym].shared.gcRegistered` to tell a borrowed argument proxy (false:
// destroyed when the JS call returns) from one that lives until collected.
const pyproxyAttrsSymbol = Symbol("pyproxy.attrs");

function pyproxyAttrs(state) {
  return {
    shared: {
      get gcRegistered() {
        return !state.borrowed;
      },
      get destroyed() {
        return !state.ptr;
      },
    },
  };
}

// Names: a JS string as a new Python str reference.
function pyName(name) {
  return checkPy(checkedStr(name));
}

function getAttrOrUndefined(ptr, name) {
  const namePtr = pyName(name);
  try {
    const result = callWasm(_kiln_pyproxy_getattr, ptr, namePtr);
    if (!result) {
      if (_kiln_error_clear_attribute_error()) return undefined;
      throw takePythonError();
    }
    return pyToJsOwned(result);
  } finally {
    decref(namePtr);
  }
}

function pythonName(key) {
  // `proxy.$name` reaches a Python attribute a PyProxy method would shadow.
  return key.startsWith("$") ? key.slice(1) : key;
}

// Sequences answer numeric keys like arrays do: proxy[0] is seq[0].
function isSequenceIndex(state, key) {
  return (state.flags & PY_FLAG.SEQUENCE) !== 0 && /^(0|[1-9][0-9]*)$/.test(key);
}

function sequenceItem(ptr, key) {
  const indexPtr = checkPy(_kiln_py_int_from_double(Number(key)));
  try {
    const result = callWasm(_kiln_pyproxy_getitem, ptr, indexPtr);
    if (!result) {
      if (_kiln_error_clear_index_error()) return undefined;
      throw takePythonError();
    }
    return pyToJsOwned(result);
  } finally {
    decref(indexPtr);
  }
}

const pyproxyHandler = {
  get(target, key, receiver) {
    if (typeof key === "symbol" || (key in target && !key.startsWith("$"))) {
      return Reflect.get(target, key, receiver);
    }
    const state = pyproxyStates.get(target);
    if (isSequenceIndex(state, key)) return sequenceItem(livePtr(receiver), key);
    return getAttrOrUndefined(livePtr(receiver), pythonName(key));
  },
  set(target, key, value, receiver) {
    if (typeof key === "symbol") return Reflect.set(target, key, value, receiver);
    if (isSequenceIndex(pyproxyStates.get(target), key)) {
      setItem(receiver, Number(key), value, false);
      return true;
    }
    const ptr = livePtr(receiver);
    const namePtr = pyName(pythonName(key));
    const valuePtr = jsToPyChecked(value);
    try {
      if (callWasm(_kiln_pyproxy_setattr, ptr, namePtr, valuePtr) < 0) throw takePythonError();
    } finally {
      decref(valuePtr);
      decref(namePtr);
    }
    return true;
  },
  has(target, key) {
    if (typeof key === "symbol" || key in target) return key in target;
    const state = pyproxyStates.get(target);
    const ptr = liveState(state);
    if (isSequenceIndex(state, key)) {
      const length = callWasm(_kiln_pyproxy_length, ptr);
      if (length < 0) throw takePythonError();
      return Number(key) < length;
    }
    const namePtr = pyName(pythonName(key));
    try {
      const found = callWasm(_kiln_pyproxy_hasattr, ptr, namePtr);
      if (found < 0) throw takePythonError();
      return found === 1;
    } finally {
      decref(namePtr);
    }
  },
  deleteProperty(target, key) {
    if (typeof key === "symbol") return Reflect.deleteProperty(target, key);
    const ptr = liveState(pyproxyStates.get(target));
    const namePtr = pyName(pythonName(key));
    try {
      if (callWasm(_kiln_pyproxy_setattr, ptr, namePtr, 0) < 0) throw takePythonError();
    } finally {
      decref(namePtr);
    }
    return true;
  },
  ownKeys(target) {
    const names = pyToJsOwned(checkPy(callWasm(_kiln_pyproxy_dir, liveState(pyproxyStates.get(target)))));
    const keys = new Set(Reflect.ownKeys(target));
    keys.add(pyproxyAttrsSymbol);
    try {
      for (const name of names) keys.add(name);
    } finally {
      names.destroy();
    }
    return [...keys];
  },
  getOwnPropertyDescriptor(target, key) {
    const own = Reflect.getOwnPropertyDescriptor(target, key);
    if (own || typeof key === "symbol") return own;
    const value = getAttrOrUndefined(liveState(pyproxyStates.get(target)), key);
    return value === undefined ? undefined : { value, writable: true, enumerable: true, configurable: true };
  },
  apply(target, thisArg, args) {
    return callPython(pyproxyStates.get(target), args, null);
  },
  construct(target, args) {
    return callPython(pyproxyStates.get(target), args, null);
  },
};

/** Call a Python callable with JS arguments; keyword arguments from `kwargs`. */
function callPython(state, args, kwargs) {
  return callObject(liveState(state), args, kwargs);
}

function callObject(ptr, args, kwargs) {
  const packed = packArguments(args, kwargs);
  try {
    return pyToJsOwned(checkPy(callWasm(_kiln_pyproxy_call, ptr, packed.argv, packed.nargs, packed.kwnames)));
  } finally {
    releaseArguments(packed);
  }
}

/** Call method `name` of a proxied object, without a throwaway PyProxy for the bound method. */
function callMethod(proxy, name, ...args) {
  const namePtr = pyName(name);
  let method;
  try {
    method = checkPy(callWasm(_kiln_pyproxy_getattr, livePtr(proxy), namePtr));
  } finally {
    decref(namePtr);
  }
  try {
    return callObject(method, args);
  } finally {
    decref(method);
  }
}

/** JS arguments as a vectorcall argument array on the WASM stack (new
 * references, keyword values after the positional ones); release with
 * releaseArguments. */
function packArguments(args, kwargs) {
  const names = kwargs ? Object.keys(kwargs) : [];
  const packed = { sp: stackSave(), argv: 0, nargs: args.length, kwnames: 0, filled: 0 };
  packed.argv = stackAlloc(4 * (args.length + names.length + 1));
  try {
    for (; packed.filled < args.length; packed.filled++) {
      HEAP32[(packed.argv >> 2) + packed.filled] = jsToPyChecked(args[packed.filled]);
    }
    for (const name of names) HEAP32[(packed.argv >> 2) + packed.filled++] = jsToPyChecked(kwargs[name]);
    if (names.length) packed.kwnames = strTuple(names);
  } catch (error) {
    releaseArguments(packed);
    throw error;
  }
  return packed;
}

function releaseArguments({ sp, argv, kwnames, filled }) {
  if (!fatalError) {
    for (let i = 0; i < filled; i++) decref(HEAP32[(argv >> 2) + i]);
    if (kwnames) decref(kwnames);
  }
  stackRestore(sp);
}

function strTuple(names) {
  const tuple = checkPy(_kiln_py_tuple_new(names.length));
  names.forEach((name, i) => _kiln_py_tuple_set_steal(tuple, i, pyName(name)));
  return tuple;
}

function splitKwargs(args) {
  const kwargs = args.length ? args[args.length - 1] : undefined;
  if (kwargs === null || typeof kwargs !== "object" || pyproxyStates.has(kwargs)) {
    throw new TypeError("callKwargs: the last argument must be an object of keyword arguments");
  }
  return [args.slice(0, -1), kwargs];
}

// ---- methods every PyProxy has ------------------------------------------

class PyProxy {
  static [Symbol.hasInstance](obj) {
    return pyproxyStates.has(obj) && obj !== null;
  }

  get [pyproxyAttrsSymbol]() {
    return pyproxyAttrs(stateOf(this));
  }

  /** The Python type's name: "module.Name", or "Name" for builtins. */
  get type() {
    return pyToJsOwned(checkPy(callWasm(_kiln_py_type_name, livePtr(this))));
  }

  /** repr() of the Python object. */
  toString() {
    return pyToJsOwned(checkPy(callWasm(_kiln_py_repr, livePtr(this))));
  }

  /** Release the Python object now; any later use throws `options.message`. */
  destroy(options = {}) {
    destroyPyProxy(this, options.message);
  }

  /** A new, independent PyProxy of the same Python object. */
  copy() {
    return makePyProxy(livePtr(this));
  }

  /** Deep conversion to JS: list -> Array, dict -> Map (or dictConverter), set -> Set, ... */
  toJs(options = {}) {
    return pyToJsDeep(livePtr(this), options);
  }

  [Symbol.dispose]() {
    this.destroy();
  }

  get [Symbol.toStringTag]() {
    return "PyProxy";
  }
}

// ---- methods by capability ---------------------------------------------

const callableMethods = {
  /** Call with keyword arguments: the last argument is an object of them. */
  callKwargs(...args) {
    const [positional, kwargs] = splitKwargs(args);
    return callPython(stateOf(this), positional, kwargs);
  },
  call(thisArg, ...args) {
    return callPython(stateOf(this), args, null);
  },
  apply(thisArg, args) {
    return callPython(stateOf(this), args ?? [], null);
  },
  bind(thisArg, ...bound) {
    const state = stateOf(this);
    return (...args) => callPython(state, [...bound, ...args], null);
  },
  /** Call in a context where Python may block on JS promises (run_sync, time.sleep). */
  callPromising(...args) {
    return callPythonPromising(stateOf(this), args, null);
  },
  callPromisingKwargs(...args) {
    const [positional, kwargs] = splitKwargs(args);
    return callPythonPromising(stateOf(this), positional, kwargs);
  },
};

const lengthMethods = {
  get length() {
    const length = callWasm(_kiln_pyproxy_length, livePtr(this));
    if (length < 0) throw takePythonError();
    return length;
  },
};

const getMethods = {
  /** obj[key]; undefined if the key is missing (KeyError). */
  get(key) {
    const keyPtr = jsToPyChecked(key);
    try {
      const result = callWasm(_kiln_pyproxy_getitem, livePtr(this), keyPtr);
      if (!result) {
        if (_kiln_error_clear_key_error()) return stateOf(this).getFallback?.get(key);
        throw takePythonError();
      }
      return pyToJsOwned(result);
    } finally {
      decref(keyPtr);
    }
  },
};

function setItem(proxy, key, value, remove) {
  const keyPtr = jsToPyChecked(key);
  const valuePtr = remove ? 0 : jsToPy(value);
  try {
    if (!remove && !valuePtr) throw takePythonError();
    if (callWasm(_kiln_pyproxy_setitem, livePtr(proxy), keyPtr, valuePtr) < 0) throw takePythonError();
  } finally {
    decref(keyPtr);
    if (valuePtr) decref(valuePtr);
  }
}

const setMethods = {
  /** obj[key] = value */
  set(key, value) {
    setItem(this, key, value, false);
  },
  /** del obj[key] */
  delete(key) {
    setItem(this, key, undefined, true);
  },
};

const containsMethods = {
  /** key in obj */
  has(key) {
    const keyPtr = jsToPyChecked(key);
    try {
      const found = callWasm(_kiln_pyproxy_contains, livePtr(this), keyPtr);
      if (found < 0) throw takePythonError();
      return found === 1;
    } finally {
      decref(keyPtr);
    }
  },
};

function* iteratePython(ptr) {
  for (const item of pythonItems(ptr)) yield pyToJs(item);
}

const iterableMethods = {
  [Symbol.iterator]() {
    return iteratePython(livePtr(this));
  },
};

/** Send a value into a Python generator/iterator: a JS iterator result. */
function sendToGenerator(proxy, value) {
  const ptr = livePtr(proxy);
  const valuePtr = jsToPyChecked(value);
  const sp = stackSave();
  const out = stackAlloc(4);
  try {
    const status = callWasm(_kiln_pyproxy_send, ptr, valuePtr, out);
    if (status < 0) throw takePythonError();
    return { done: status === 0, value: pyToJsOwned(HEAP32[out >> 2]) };
  } finally {
    decref(valuePtr);
    stackRestore(sp);
  }
}

const iteratorMethods = {
  [Symbol.iterator]() {
    return this;
  },
  next(value) {
    return sendToGenerator(this, value);
  },
};

const generatorMethods = {
  /** Raise `error` inside the generator (a PythonError raises its original exception). */
  throw(error) {
    const ptr = livePtr(this);
    // As an exception: a PythonError's own Python exception, else a JsException carrying `error`.
    setPythonErrorFromJs(error);
    const exc = _kiln_error_fetch();
    try {
      return { done: false, value: pyToJsOwned(checkPy(callWasm(_kiln_pyproxy_throw, ptr, exc))) };
    } catch (e) {
      if (e instanceof PythonError && e.type === "StopIteration") return { done: true, value: undefined };
      throw e;
    } finally {
      decref(exc);
    }
  },
  return(value) {
    callMethod(this, "close");
    return { done: true, value };
  },
};

const awaitableMethods = {
  then(onFulfilled, onRejected) {
    return promiseOf(this).then(onFulfilled, onRejected);
  },
  catch(onRejected) {
    return promiseOf(this).catch(onRejected);
  },
  finally(onFinally) {
    return promiseOf(this).finally(onFinally);
  },
};

const asyncIterableMethods = {
  [Symbol.asyncIterator]() {
    return callMethod(this, "__aiter__");
  },
};

const asyncIteratorMethods = {
  [Symbol.asyncIterator]() {
    return this;
  },
  async next() {
    const awaitable = callMethod(this, "__anext__");
    try {
      return { done: false, value: await awaitable };
    } catch (error) {
      if (error instanceof PythonError && error.type === "StopAsyncIteration") return { done: true, value: undefined };
      throw error;
    }
  },
};

const bufferMethods = {
  /** A zero-copy view of the object's memory: see PyBufferView. */
  getBuffer(type) {
    return new PyBufferView(livePtr(this), type);
  },
};

const mutableSequenceMethods = {
  push(...items) {
    for (const item of items) callMethod(this, "append", item);
    return callWasm(_kiln_pyproxy_length, livePtr(this));
  },
  pop() {
    return callMethod(this, "pop");
  },
};

const sequenceMethods = {
  forEach(callback, thisArg) {
    let i = 0;
    for (const item of iteratePython(livePtr(this))) callback.call(thisArg, item, i++, this);
  },
  map(callback, thisArg) {
    let i = 0;
    const out = [];
    for (const item of iteratePython(livePtr(this))) out.push(callback.call(thisArg, item, i++, this));
    return out;
  },
  join(separator = ",") {
    return Array.from(iteratePython(livePtr(this)), (item) => String(item)).join(separator);
  },
};

const CAPABILITY_METHODS = [
  [PY_FLAG.CALLABLE, callableMethods],
  [PY_FLAG.LENGTH, lengthMethods],
  [PY_FLAG.GETITEM, getMethods],
  [PY_FLAG.SETITEM, setMethods],
  [PY_FLAG.CONTAINS, containsMethods],
  [PY_FLAG.ITERABLE, iterableMethods],
  [PY_FLAG.ITERATOR, iteratorMethods],
  [PY_FLAG.GENERATOR, generatorMethods],
  [PY_FLAG.AWAITABLE, awaitableMethods],
  [PY_FLAG.ASYNC_ITERABLE, asyncIterableMethods],
  [PY_FLAG.ASYNC_ITERATOR, asyncIteratorMethods],
  [PY_FLAG.BUFFER, bufferMethods],
  [PY_FLAG.SEQUENCE, sequenceMethods],
  [PY_FLAG.MUTABLE_SEQUENCE, mutableSequenceMethods],
];

const prototypes = new Map();

function prototypeFor(flags) {
  let proto = prototypes.get(flags);
  if (!proto) {
    proto = Object.create(PyProxy.prototype);
    for (const [flag, methods] of CAPABILITY_METHODS) {
      if (flags & flag) Object.defineProperties(proto, Object.getOwnPropertyDescriptors(methods));
    }
    prototypes.set(flags, proto);
  }
  return proto;
}

/** `proxy instanceof PyCallable` and friends test capabilities. */
function capabilityClass(name, flag) {
  const cls = class extends PyProxy {
    static [Symbol.hasInstance](obj) {
      const state = pyproxyStates.get(obj);
      return state !== undefined && obj !== null && (state.flags & flag) === flag;
    }
  };
  Object.defineProperty(cls, "name", { value: name });
  return cls;
}

const pyproxyClasses = {
  PyProxy,
  PyCallable: capabilityClass("PyCallable", PY_FLAG.CALLABLE),
  PyProxyWithLength: capabilityClass("PyProxyWithLength", PY_FLAG.LENGTH),
  PyProxyWithGet: capabilityClass("PyProxyWithGet", PY_FLAG.GETITEM),
  PyProxyWithSet: capabilityClass("PyProxyWithSet", PY_FLAG.SETITEM),
  PyProxyWithHas: capabilityClass("PyProxyWithHas", PY_FLAG.CONTAINS),
  PyIterable: capabilityClass("PyIterable", PY_FLAG.ITERABLE),
  PyIterator: capabilityClass("PyIterator", PY_FLAG.ITERATOR),
  PyGenerator: capabilityClass("PyGenerator", PY_FLAG.GENERATOR),
  PyAwaitable: capabilityClass("PyAwaitable", PY_FLAG.AWAITABLE),
  PyAsyncIterable: capabilityClass("PyAsyncIterable", PY_FLAG.ASYNC_ITERABLE),
  PyAsyncIterator: capabilityClass("PyAsyncIterator", PY_FLAG.ASYNC_ITERATOR),
  PyAsyncGenerator: capabilityClass("PyAsyncGenerator", PY_FLAG.ASYNC_GENERATOR),
  PyBuffer: capabilityClass("PyBuffer", PY_FLAG.BUFFER),
  PyDict: capabilityClass("PyDict", PY_FLAG.DICT),
  PySequence: capabilityClass("PySequence", PY_FLAG.SEQUENCE),
  PyMutableSequence: capabilityClass("PyMutableSequence", PY_FLAG.MUTABLE_SEQUENCE),
};

// ---- buffers ------------------------------------------------------------

const BUFFER_ARRAY_TYPES = {
  b: Int8Array, B: Uint8Array, "?": Uint8Array, c: Uint8Array,
  h: Int16Array, H: Uint16Array, i: Int32Array, I: Uint32Array,
  l: Int32Array, L: Uint32Array, q: BigInt64Array, Q: BigUint64Array,
  f: Float32Array, d: Float64Array, n: Int32Array, N: Uint32Array,
};
// The `type` getBuffer accepts: typed array names only, never any global.
const TYPED_ARRAYS_BY_NAME = Object.fromEntries(
  [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array,
    Float32Array, Float64Array, BigInt64Array, BigUint64Array].map((T) => [T.name, T]),
);

/**
 * A view of a Python buffer's memory inside the WASM heap (no copy), as
 * Pyodide defines it: `data` is a typed array spanning every byte the buffer
 * can reach (negative strides included), `offset` the index in `data` of the
 * first element, `shape` and `strides` in elements. Element [i, j] is
 * data[offset + i * strides[0] + j * strides[1]]. Call release() when done;
 * `data` is only valid until then, and until the WASM memory grows.
 */
class PyBufferView {
  constructor(ptr, type) {
    if (type !== undefined && !Object.hasOwn(TYPED_ARRAYS_BY_NAME, type)) {
      throw new TypeError(`getBuffer: "${type}" is not a typed array type; use one of ${Object.keys(TYPED_ARRAYS_BY_NAME).join(", ")}`);
    }
    const sp = stackSave();
    const info = stackAlloc(40);
    const view = callWasm(_kiln_pyproxy_get_buffer, ptr, info);
    const fields = Array.from({ length: 10 }, (_, i) => HEAP32[(info >> 2) + i]);
    stackRestore(sp);
    if (!view) throw takePythonError();
    this._view = view;
    try {
      this._describe(fields, type);
    } catch (error) {
      this.release(); // the Python buffer is not left held
      throw error;
    }
  }

  _describe([address, nbytes, itemsize, readonly, ndim, formatPtr, shapePtr, stridesPtr, cContiguous, fContiguous], type) {
    this.nbytes = nbytes;
    this.itemsize = itemsize;
    this.readonly = readonly !== 0;
    this.ndim = ndim;
    this.format = UTF8ToString(formatPtr);
    this.c_contiguous = cContiguous !== 0;
    this.f_contiguous = fContiguous !== 0;
    const shape = Array.from({ length: ndim }, (_, i) => HEAP32[(shapePtr >> 2) + i]);
    // No strides means C-contiguous.
    const byteStrides = stridesPtr
      ? Array.from({ length: ndim }, (_, i) => HEAP32[(stridesPtr >> 2) + i])
      : shape.map((_, i) => shape.slice(i + 1).reduce((n, d) => n * d, itemsize));
    const ArrayType = type ? TYPED_ARRAYS_BY_NAME[type] : BUFFER_ARRAY_TYPES[this.format.replace(/^[@=<>!]/, "")];
    if (!ArrayType) {
      throw new TypeError(`getBuffer: no typed array for buffer format '${this.format}'; pass a type such as "Uint8Array"`);
    }
    const size = ArrayType.BYTES_PER_ELEMENT;
    if (byteStrides.some((stride) => stride % size !== 0) || itemsize % size !== 0) {
      throw new TypeError(`getBuffer: the buffer's strides (${byteStrides} bytes) are not whole ${ArrayType.name} elements`);
    }
    // The byte range the buffer spans, from its lowest to its highest element.
    let low = 0;
    let high = 0;
    const empty = shape.some((n) => n === 0);
    if (!empty) {
      shape.forEach((n, i) => {
        const reach = (n - 1) * byteStrides[i];
        if (reach < 0) low += reach;
        else high += reach;
      });
      high += itemsize;
    }
    if ((address + low) % size !== 0) {
      throw new TypeError(`getBuffer: the buffer's memory is not aligned for ${ArrayType.name}; pass type "Uint8Array" (or read it with a DataView)`);
    }
    this.shape = shape;
    this.strides = byteStrides.map((stride) => stride / size);
    this.offset = -low / size;
    this.data = new ArrayType(HEAPU8.buffer, address + low, (high - low) / size);
  }

  release() {
    if (this._view) {
      callWasm(_kiln_pyproxy_release_buffer, this._view);
      this._view = 0;
      this.data = null;
    }
  }
}
