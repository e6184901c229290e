// Deep conversions, both ways, with cycles preserved: toJs() / to_js() and
// toPy() / to_py(). Containers are converted; other objects become proxies.

const CONTAINER = { NONE: 0, SEQUENCE: 1, DICT: 2, SET: 3, BYTES: 4 };

/**
 * Python -> JS. Options (camelCase or Pyodide's snake_case): depth (-1 =
 * unlimited), dictConverter (iterable of [key, value] -> result; default: a
 * plain Object, as in Pyodide 0.28+; pass `(e) => new Map(e)` for a Map),
 * defaultConverter(proxy, convert, cache), createPyProxies (false:
 * unconvertible objects are an error), pyproxies (array collecting proxies made).
 */
function pyToJsDeep(rootPtr, options = {}) {
  const depthLimit = options.depth ?? -1;
  const dictConverter = options.dictConverter ?? options.dict_converter;
  const defaultConverter = options.defaultConverter ?? options.default_converter;
  const createProxies = options.createPyProxies ?? options.create_pyproxies ?? true;
  const created = options.pyproxies;
  const memo = new Map();

  function proxyFor(ptr) {
    if (!createProxies) {
      const type = pyToJsOwned(checkPy(callWasm(_kiln_py_type_name, ptr)));
      throw new Error(`kiln: no conversion to JS for a Python ${type} (createPyProxies is false)`);
    }
    const proxy = makePyProxy(ptr);
    created?.push(proxy);
    return proxy;
  }

  function convert(ptr, depth) {
    if (_kiln_py_kind(ptr) !== PY_KIND.OTHER) return pyToJs(ptr);
    if (memo.has(ptr)) {
      const seen = memo.get(ptr);
      if (seen === IN_PROGRESS) throw new Error("kiln: cannot convert a cyclic structure with a dictConverter");
      return seen;
    }
    if (depth === 0) return proxyFor(ptr);
    switch (_kiln_py_container_kind(ptr)) {
      case CONTAINER.SEQUENCE: {
        const array = [];
        memo.set(ptr, array);
        const size = _kiln_py_seq_size(ptr);
        for (let i = 0; i < size; i++) array.push(convert(_kiln_py_seq_item(ptr, i), depth - 1));
        return array;
      }
      case CONTAINER.DICT:
        return convertDict(ptr, depth);
      case CONTAINER.SET: {
        const set = new Set();
        memo.set(ptr, set);
        for (const itemPtr of pythonItems(ptr)) set.add(convert(itemPtr, depth - 1));
        return set;
      }
      case CONTAINER.BYTES: {
        const data = _kiln_py_byteslike_data(ptr);
        const bytes = HEAPU8.slice(data, data + _kiln_py_byteslike_size(ptr));
        memo.set(ptr, bytes);
        return bytes;
      }
    }
    if (defaultConverter) {
      const proxy = makePyProxy(ptr);
      try {
        const cache = (input, output) => memo.set(pyproxyPtrOf(input), output);
        const result = defaultConverter(proxy, (value) => convert(pyproxyPtrOf(value), depth - 1), cache);
        memo.set(ptr, result);
        return result;
      } finally {
        proxy.destroy();
      }
    }
    const proxy = proxyFor(ptr);
    memo.set(ptr, proxy);
    return proxy;
  }

  function convertDict(ptr, depth) {
    const entries = [];
    let object = null; // the default: filled in place, so cycles work
    if (dictConverter) {
      memo.set(ptr, IN_PROGRESS);
    } else {
      object = {};
      memo.set(ptr, object);
    }
    const sp = stackSave();
    const cursor = stackAlloc(12); // pos, key, value
    HEAP32[cursor >> 2] = 0;
    try {
      while (_kiln_py_dict_next(ptr, cursor, cursor + 4, cursor + 8)) {
        const keyPtr = HEAP32[(cursor >> 2) + 1];
        const valuePtr = HEAP32[(cursor >> 2) + 2];
        const key = convert(keyPtr, depth - 1);
        if (object && typeof key !== "string" && typeof key !== "number") {
          throw new Error(
            `kiln: cannot convert a dict with a ${typeof key} key to a JS object; ` +
              "pass dictConverter: (entries) => new Map(entries)",
          );
        }
        const value = convert(valuePtr, depth - 1);
        if (object) object[key] = value;
        else entries.push([key, value]);
      }
    } finally {
      stackRestore(sp);
    }
    if (object) return object;
    const result = dictConverter(entries);
    memo.set(ptr, result);
    return result;
  }

  return convert(rootPtr, depthLimit);
}

const IN_PROGRESS = Symbol("in progress");

/** Borrowed pointers to the items of a Python iterable (each kept alive while yielded). */
function* pythonItems(ptr) {
  const iterator = checkPy(callWasm(_kiln_pyproxy_iter, ptr));
  try {
    for (;;) {
      const item = callWasm(_kiln_pyproxy_next, iterator);
      if (!item) {
        if (_kiln_error_occurred()) throw takePythonError();
        return;
      }
      try {
        yield item;
      } finally {
        decref(item);
      }
    }
  } finally {
    decref(iterator);
  }
}

function isPlainObject(value) {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * JS -> Python, a new reference (throws on failure). Arrays -> list, Map and
 * plain objects -> dict, Set -> set, typed arrays -> memoryview of a copy;
 * other objects stay JsProxy (or go through defaultConverter).
 */
function jsToPyDeep(root, options = {}) {
  const depthLimit = options.depth ?? -1;
  const defaultConverter = options.defaultConverter ?? options.default_converter;
  // Pointers in memo are borrowed: the structure being built holds them.
  const memo = new Map();
  const cached = []; // references owned by defaultConverter's cache()

  function remember(value, ptr) {
    memo.set(value, ptr);
    return ptr;
  }

  function convert(value, depth) {
    if ((typeof value !== "object" && typeof value !== "function") || value === null || pyproxyStates.has(value)) {
      return jsToPyChecked(value);
    }
    if (memo.has(value)) {
      const ptr = memo.get(value);
      _kiln_incref(ptr);
      return ptr;
    }
    if (depth === 0) return jsToPyChecked(value);
    if (Array.isArray(value)) {
      return container(value, _kiln_py_list_new, (list) => {
        for (const item of value) {
          if (_kiln_py_list_append_steal(list, convert(item, depth - 1)) < 0) throw takePythonError();
        }
      });
    }
    if (value instanceof Map || (typeof value === "object" && isPlainObject(value))) {
      return container(value, _kiln_py_dict_new, (dict) => {
        const entries = value instanceof Map ? value.entries() : Object.entries(value);
        for (const [key, item] of entries) {
          const keyPtr = convert(key, depth - 1);
          let itemPtr;
          try {
            itemPtr = convert(item, depth - 1);
          } catch (error) {
            decref(keyPtr);
            throw error;
          }
          if (_kiln_py_dict_set_steal(dict, keyPtr, itemPtr) < 0) throw takePythonError();
        }
      });
    }
    if (value instanceof Set) {
      return container(value, _kiln_py_set_new, (set) => {
        for (const item of value) {
          if (_kiln_py_set_add_steal(set, convert(item, depth - 1)) < 0) throw takePythonError();
        }
      });
    }
    if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) {
      return remember(value, bufferToMemoryview(value));
    }
    if (defaultConverter) {
      const cache = (input, output) => {
        const ptr = jsToPyChecked(output);
        cached.push(ptr);
        memo.set(input, ptr);
      };
      const result = defaultConverter(value, (item) => pyToJsOwned(convert(item, depth - 1)), cache);
      return remember(value, jsToPyChecked(result));
    }
    return jsToPyChecked(value);
  }

  /** A new container filled by `fill`; on an error it is freed, so nothing
   * built so far leaks (what it already holds goes with it). */
  function container(value, create, fill) {
    const ptr = remember(value, checkPy(create()));
    try {
      fill(ptr);
    } catch (error) {
      memo.delete(value);
      decref(ptr);
      throw error;
    }
    return ptr;
  }

  try {
    return convert(root, depthLimit);
  } finally {
    cached.forEach((ptr) => decref(ptr));
  }
}

const TYPED_ARRAY_FORMATS = new Map([
  [Int8Array, "b"], [Uint8Array, "B"], [Uint8ClampedArray, "B"], [Int16Array, "h"], [Uint16Array, "H"],
  [Int32Array, "i"], [Uint32Array, "I"], [Float32Array, "f"], [Float64Array, "d"],
  [BigInt64Array, "q"], [BigUint64Array, "Q"],
]);

/** A memoryview of a copy of a JS buffer, in the typed array's element format. */
function bufferToMemoryview(value) {
  const bytes = value instanceof ArrayBuffer ? new Uint8Array(value) : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  const format = TYPED_ARRAY_FORMATS.get(value.constructor) ?? "B";
  const data = _malloc(bytes.length || 1);
  HEAPU8.set(bytes, data);
  const sp = stackSave();
  const ptr = _kiln_py_memoryview_copy(data, bytes.length, stringToUTF8OnStack(format));
  stackRestore(sp);
  _free(data);
  return checkPy(ptr);
}
