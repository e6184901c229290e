// JsProxy operations (C half: jsproxy.c). Called from C through EM_JS; each
// returns a new PyObject* (or 0 / -1 with a Python exception set) and never
// lets a JS exception escape into C frames.

const JS_FLAG = {
  CALLABLE: 1 << 0,
  ARRAY: 1 << 1,
  LENGTH: 1 << 2,
  GET: 1 << 3,
  SET: 1 << 4,
  ITERABLE: 1 << 5,
  ITERATOR: 1 << 6,
  THENABLE: 1 << 7,
  BUFFER: 1 << 8,
  ERROR: 1 << 9,
  ASYNC_ITERABLE: 1 << 10,
  ASYNC_ITERATOR: 1 << 11,
};

// Python keywords: `obj.from_` reads JS `obj.from`.
const PYTHON_KEYWORDS = new Set(
  "False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield".split(" "),
);

function isTypedArray(value) {
  return ArrayBuffer.isView(value) && !(value instanceof DataView);
}

function jsFlags(value) {
  const type = typeof value;
  if (value === null || (type !== "object" && type !== "function")) {
    return 0;
  }
  let flags = 0;
  try {
    if (type === "function") flags |= JS_FLAG.CALLABLE;
    if (Array.isArray(value) || isTypedArray(value)) flags |= JS_FLAG.ARRAY | JS_FLAG.LENGTH;
    if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) flags |= JS_FLAG.BUFFER;
    if (type !== "function" && (typeof value.length === "number" || typeof value.size === "number")) flags |= JS_FLAG.LENGTH;
    if (typeof value.get === "function" && typeof value.has === "function") flags |= JS_FLAG.GET;
    if (flags & JS_FLAG.GET && typeof value.set === "function" && typeof value.delete === "function") flags |= JS_FLAG.SET;
    if (typeof value[Symbol.iterator] === "function") flags |= JS_FLAG.ITERABLE;
    if (typeof value.next === "function") flags |= JS_FLAG.ITERATOR;
    if (typeof value.then === "function") flags |= JS_FLAG.THENABLE;
    if (value instanceof Error) flags |= JS_FLAG.ERROR;
    if (typeof value[Symbol.asyncIterator] === "function") {
      flags |= typeof value.next === "function" ? JS_FLAG.ASYNC_ITERATOR : JS_FLAG.ASYNC_ITERABLE;
      flags &= ~JS_FLAG.ITERATOR;
    }
  } catch {
    // A hostile getter: treat the value as a plain object.
  }
  return flags;
}

// Equal (===) values get equal numbers: the hash of a JsProxy. Objects are
// numbered (a WeakMap: nothing is kept alive); primitives are hashed from
// their value, so no table grows with every value ever hashed.
const identities = new WeakMap();
let nextIdentity = 1;

function jsIdentity(value) {
  if ((typeof value === "object" && value !== null) || typeof value === "function") {
    let id = identities.get(value);
    if (id === undefined) {
      id = nextIdentity++;
      identities.set(value, id);
    }
    return id;
  }
  const text = `${typeof value}:${typeof value === "symbol" ? value.description : String(value)}`;
  let hash = 0x811c9dc5; // FNV-1a
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return (hash >>> 1) | 1; // positive and odd: never -1 (an error) nor an object id clash with 0
}

function jsAttributeName(namePtr) {
  const name = pyStrToJs(namePtr);
  return name.endsWith("_") && PYTHON_KEYWORDS.has(name.slice(0, -1)) ? name.slice(0, -1) : name;
}

function jsproxyGetAttr(ref, namePtr) {
  const obj = getRef(ref);
  const name = jsAttributeName(namePtr);
  const value = obj[name];
  if (value === undefined && !(name in Object(obj))) {
    return setPythonError(PY_ERROR.ATTRIBUTE, `JS object has no attribute '${name}'`);
  }
  return jsToPy(value, obj);
}

function jsproxySetAttr(ref, namePtr, valuePtr) {
  const obj = getRef(ref);
  const name = jsAttributeName(namePtr);
  if (valuePtr) {
    obj[name] = pyToJs(valuePtr);
  } else if (!(name in obj)) {
    setPythonError(PY_ERROR.ATTRIBUTE, `JS object has no attribute '${name}'`);
    return -1;
  } else {
    delete obj[name];
  }
  return 0;
}

// PyProxies made for the arguments of a call from Python to JS are
// "borrowed": destroyed when the call returns (or when a returned promise
// settles), so repeated calls cannot pile up Python objects. A function JS
// keeps for later must be wrapped with create_proxy() in Python.
let borrowedProxies = null;
const BORROWED_MESSAGE =
  "This borrowed PyProxy was destroyed when the JS call it was passed to returned. " +
  "To keep a Python object for later (e.g. as a callback), pass create_proxy(obj) instead.";

function pyArgsToJs(argsPtr, nargs, kwnamesPtr) {
  const args = new Array(nargs);
  for (let i = 0; i < nargs; i++) {
    args[i] = pyToJs(HEAP32[(argsPtr >> 2) + i]);
  }
  if (kwnamesPtr) {
    const kwargs = {};
    const count = _kiln_py_tuple_size(kwnamesPtr);
    for (let j = 0; j < count; j++) {
      kwargs[pyStrToJs(_kiln_py_tuple_item(kwnamesPtr, j))] = pyToJs(HEAP32[(argsPtr >> 2) + nargs + j]);
    }
    args.push(kwargs);
  }
  return args;
}

function jsproxyCall(ref, thisRef, argsPtr, nargs, kwnamesPtr, construct) {
  const outer = borrowedProxies;
  const borrowed = (borrowedProxies = []);
  let args;
  try {
    args = pyArgsToJs(argsPtr, nargs, kwnamesPtr);
  } catch (error) {
    borrowedProxies = outer;
    destroyBorrowed(borrowed);
    return setPythonErrorFromJs(error);
  }
  borrowedProxies = outer;
  try {
    const fn = getRef(ref);
    const result = construct ? Reflect.construct(fn, args) : Reflect.apply(fn, thisRef ? getRef(thisRef) : undefined, args);
    const converted = jsToPy(result);
    if (result instanceof Promise) {
      // Python awaits it from a task that starts on a later turn of the event
      // loop; a rejection before then is not unhandled (Node would abort):
      // Python receives it when it awaits.
      result.catch(() => {});
    }
    if (borrowed.length && result && typeof result.then === "function") {
      const release = () => destroyBorrowed(borrowed);
      Promise.resolve(result).then(release, release);
    } else {
      destroyBorrowed(borrowed);
    }
    return converted;
  } catch (error) {
    destroyBorrowed(borrowed);
    return setPythonErrorFromJs(error);
  }
}

function destroyBorrowed(proxies) {
  for (const proxy of proxies) {
    destroyPyProxy(proxy, BORROWED_MESSAGE);
  }
}

function jsproxyRepr(ref) {
  const value = getRef(ref);
  let text;
  if (value === null) text = "jsnull";
  else if (Array.isArray(value)) text = `[${value.map(shortRepr).join(", ")}]`;
  else text = String(value);
  return checkedStr(text);
}

function shortRepr(value) {
  try {
    return typeof value === "string" ? JSON.stringify(value) : String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

function checkedStr(text) {
  const sp = stackSave();
  const ptr = jsStrToPy(text);
  stackRestore(sp);
  return ptr;
}

function jsproxyTruthy(ref) {
  const value = getRef(ref);
  try {
    // Like Python containers, empty JS containers are falsy.
    if (Array.isArray(value) || isTypedArray(value)) return value.length ? 1 : 0;
    if (value instanceof Map || value instanceof Set) return value.size ? 1 : 0;
    return value ? 1 : 0;
  } catch (error) {
    setPythonErrorFromJs(error);
    return -1;
  }
}

function jsproxyLength(ref) {
  const value = getRef(ref);
  const length = typeof value.length === "number" ? value.length : value.size;
  if (!Number.isInteger(length) || length < 0) {
    setPythonError(PY_ERROR.TYPE, "JS object has no valid length");
    return -1;
  }
  return length;
}

/** A Python int index into an array, Python style (negative from the end). */
function arrayIndex(array, keyPtr) {
  if (_kiln_py_kind(keyPtr) !== PY_KIND.INT) {
    setPythonError(PY_ERROR.TYPE, "JS array indices must be integers");
    return null;
  }
  let index = pyIntToJs(keyPtr);
  if (typeof index === "bigint" || index >= array.length || index < -array.length) {
    setPythonError(PY_ERROR.INDEX, "JS array index out of range");
    return null;
  }
  return index < 0 ? index + array.length : index;
}

function jsproxyGetItem(ref, keyPtr) {
  const value = getRef(ref);
  if (Array.isArray(value) || isTypedArray(value)) {
    const index = arrayIndex(value, keyPtr);
    return index === null ? 0 : jsToPy(value[index]);
  }
  const key = pyToJs(keyPtr);
  if (!value.has(key)) {
    _kiln_error_set_key(keyPtr);
    return 0;
  }
  return jsToPy(value.get(key));
}

function jsproxySetItem(ref, keyPtr, valuePtr) {
  const value = getRef(ref);
  if (Array.isArray(value) || isTypedArray(value)) {
    const index = arrayIndex(value, keyPtr);
    if (index === null) return -1;
    if (valuePtr) value[index] = pyToJs(valuePtr);
    else if (Array.isArray(value)) value.splice(index, 1);
    else return setPythonError(PY_ERROR.TYPE, "cannot delete from a typed array"), -1;
    return 0;
  }
  const key = pyToJs(keyPtr);
  if (valuePtr) {
    value.set(key, pyToJs(valuePtr));
  } else if (!value.delete(key)) {
    _kiln_error_set_key(keyPtr);
    return -1;
  }
  return 0;
}

function jsproxyContains(ref, keyPtr) {
  const value = getRef(ref);
  const key = pyToJs(keyPtr);
  if (Array.isArray(value) || isTypedArray(value)) return value.includes(key) ? 1 : 0;
  return value.has(key) ? 1 : 0;
}

function jsproxyIter(ref) {
  const value = getRef(ref);
  // Map-likes iterate over their keys, as Python mappings do.
  let iterator;
  if (typeof value.get === "function" && typeof value.keys === "function" && !Array.isArray(value)) {
    iterator = value.keys();
  } else if (typeof value[Symbol.iterator] === "function") {
    iterator = value[Symbol.iterator]();
  } else {
    iterator = value;
  }
  return jsToPy(iterator);
}

function jsproxyNext(ref) {
  const step = getRef(ref).next();
  return step.done ? 0 : jsToPy(step.value);
}

function jsproxyDir(ref) {
  const names = new Set();
  for (let obj = Object(getRef(ref)); obj; obj = Object.getPrototypeOf(obj)) {
    for (const name of Object.getOwnPropertyNames(obj)) {
      names.add(PYTHON_KEYWORDS.has(name) ? name + "_" : name);
    }
  }
  const list = checkPy(_kiln_py_list_new());
  for (const name of names) {
    if (_kiln_py_list_append_steal(list, checkPy(checkedStr(name))) < 0) throw takePythonError();
  }
  return list;
}
