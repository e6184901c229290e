// JS half of Kiln's C core, linked into the Emscripten glue with --pre-js: it
// shares the glue's scope (HEAP*, _malloc, the _kiln_* exports). The loader
// reaches it through Module.kilnBridge once the module is ready.

const KIND = { NONE: 0, BOOL: 1, INT: 2, FLOAT: 3, STR: 4, OTHER: 5 };
const utf8Decoder = new TextDecoder("utf-8");
const utf16Decoder = new TextDecoder("utf-16le");
let scratch = 0; // 16 bytes of wasm memory for out-parameters

/** A Python exception, seen from JS. `message` holds the Python traceback. */
class PythonError extends Error {
  constructor(type, message) {
    super(message);
    this.type = type;
  }
}
Object.defineProperty(PythonError.prototype, "name", { value: "PythonError" });

let fatalError = null;

/**
 * Call into WASM. A JS exception escaping a WASM call (a trap, or a JS error
 * thrown through C frames) leaves the interpreter's state unknown: the
 * runtime refuses further use instead of running on corrupted memory.
 */
function callWasm(fn, ...args) {
  if (fatalError) {
    throw new Error(`kiln: this runtime failed fatally earlier and can no longer run Python (first error: ${fatalError.message}); start a new one with loadKiln()`, { cause: fatalError });
  }
  try {
    return fn(...args);
  } catch (error) {
    fatalError = error;
    throw new Error(`kiln: fatal error inside the WASM runtime: ${error.message}. Python's state is lost; start a new runtime with loadKiln()`, { cause: error });
  }
}

/** Emscripten's socket emulation tunnels TCP over WebSockets to a proxy few
 * have; without one, its calls throw JS errors through C frames (in Node,
 * require("ws") fails). Refuse sockets up front, as an OSError Python handles. */
function refuseSockets() {
  SOCKFS.createSocket = () => {
    throw new FS.ErrnoError(5 /* EAFNOSUPPORT */);
  };
}

/** Turn the pending Python exception into a PythonError (and clear it). */
function takePythonError() {
  const exc = _kiln_error_fetch();
  if (!exc) {
    return new Error("kiln: a call failed without setting a Python exception");
  }
  const type = UTF8ToString(_kiln_error_type_name(exc));
  const textPtr = callWasm(_kiln_error_format, exc);
  const text = UTF8ToString(textPtr);
  _free(textPtr);
  _kiln_decref(exc);
  return new PythonError(type, text);
}

/** Throw the pending Python exception if `ptr` is NULL; return `ptr`. */
function checkPy(ptr) {
  if (ptr === 0) {
    throw takePythonError();
  }
  return ptr;
}

function pyStrToJs(ptr) {
  const data = _kiln_py_str_utf8(ptr, scratch);
  if (data) {
    const size = HEAP32[scratch >> 2];
    return utf8Decoder.decode(HEAPU8.subarray(data, data + size));
  }
  // Lone surrogates cannot be UTF-8: go through UTF-16 instead.
  const bytes = checkPy(_kiln_py_str_utf16(ptr));
  const start = _kiln_py_bytes_data(bytes);
  const text = utf16Decoder.decode(HEAPU8.subarray(start, start + _kiln_py_bytes_size(bytes)));
  _kiln_decref(bytes);
  return text;
}

function pyIntToJs(ptr) {
  if (_kiln_py_int_as_safe_double(ptr, scratch)) {
    return HEAPF64[scratch >> 3];
  }
  const hex = checkPy(_kiln_py_int_to_hex(ptr));
  const text = pyStrToJs(hex);
  _kiln_decref(hex);
  return text.startsWith("-") ? -BigInt(text.slice(1)) : BigInt(text);
}

/** Convert a borrowed Python object to JS: scalars by value, others by proxy. */
function pyToJs(ptr) {
  switch (_kiln_py_kind(ptr)) {
    case KIND.NONE:
      return undefined;
    case KIND.BOOL:
      return ptr === Module.kilnBridge.truePtr;
    case KIND.INT:
      return pyIntToJs(ptr);
    case KIND.FLOAT:
      return _kiln_py_float_value(ptr);
    case KIND.STR:
      return pyStrToJs(ptr);
    default:
      return Module.kilnBridge.makePyProxy(ptr);
  }
}

function jsStrToPy(text) {
  if (text.isWellFormed()) {
    const size = lengthBytesUTF8(text);
    const buf = _malloc(size + 1);
    stringToUTF8(text, buf, size + 1);
    const ptr = _kiln_py_str_from_utf8(buf, size);
    _free(buf);
    return checkPy(ptr);
  }
  const buf = _malloc(text.length * 2);
  for (let i = 0; i < text.length; i++) {
    HEAPU16[(buf >> 1) + i] = text.charCodeAt(i);
  }
  const ptr = _kiln_py_str_from_utf16(buf, text.length * 2);
  _free(buf);
  return checkPy(ptr);
}

function jsBigIntToPy(value) {
  const hex = value < 0n ? "-" + (-value).toString(16) : value.toString(16);
  const buf = stringToNewUTF8(hex);
  const ptr = _kiln_py_int_from_hex(buf);
  _free(buf);
  return checkPy(ptr);
}

/** Convert a JS scalar to a new Python reference. */
function jsToPy(value) {
  switch (typeof value) {
    case "undefined":
      return _kiln_py_none();
    case "boolean":
      return _kiln_py_bool(value ? 1 : 0);
    case "number":
      return checkPy(Number.isInteger(value) ? _kiln_py_int_from_double(value) : _kiln_py_float(value));
    case "bigint":
      return jsBigIntToPy(value);
    case "string":
      return jsStrToPy(value);
  }
  if (value === null) {
    return _kiln_py_none();
  }
  throw new TypeError(`kiln: cannot convert ${Object.prototype.toString.call(value)} to Python yet`);
}

Module.kilnBridge = {
  PythonError,
  takePythonError,
  checkPy,
  callWasm,
  failed: () => fatalError !== null,
  pyToJs,
  jsToPy,
  pyStrToJs,
  truePtr: 0,
  makePyProxy: null, // set by pyproxy.js
  init() {
    refuseSockets();
    scratch = _malloc(16);
    const t = _kiln_py_bool(1);
    this.truePtr = t;
    _kiln_decref(t); // True is immortal: the pointer stays valid
  },
};
