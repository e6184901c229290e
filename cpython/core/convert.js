// Scalar conversions: Python objects <-> JS values (C half: convert.c).
// Immutable scalars cross by value; everything else by proxy.

const PY_KIND = { NONE: 0, BOOL: 1, INT: 2, FLOAT: 3, STR: 4, JSPROXY: 5, OTHER: 6 };
const utf8Decoder = new TextDecoder("utf-8");
const utf16Decoder = new TextDecoder("utf-16le");
let scratch = 0; // 16 bytes of wasm memory for out-parameters (set by initBridge)
let truePtr = 0; // Py_True (immortal)
let jsnullPtr = 0; // kiln.ffi.jsnull: a JsProxy of null
let convertNullToNone = false;

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
  decref(bytes);
  return text;
}

function pyIntToJs(ptr) {
  if (_kiln_py_int_as_safe_double(ptr, scratch)) {
    return HEAPF64[scratch >> 3];
  }
  const hex = checkPy(_kiln_py_int_to_hex(ptr));
  const text = pyStrToJs(hex);
  decref(hex);
  return text.startsWith("-") ? -BigInt(text.slice(1)) : BigInt(text);
}

/** A borrowed Python object as a JS value: scalars by value, JsProxy
 * unwrapped, anything else as a new PyProxy. */
function pyToJs(ptr) {
  switch (_kiln_py_kind(ptr)) {
    case PY_KIND.NONE:
      return undefined;
    case PY_KIND.BOOL:
      return ptr === truePtr;
    case PY_KIND.INT:
      return pyIntToJs(ptr);
    case PY_KIND.FLOAT:
      return _kiln_py_float_value(ptr);
    case PY_KIND.STR:
      return pyStrToJs(ptr);
    case PY_KIND.JSPROXY:
      return getRef(_kiln_jsproxy_ref(ptr));
    default:
      return makePyProxy(ptr);
  }
}

/** Like pyToJs, for a new reference: the reference is consumed. */
function pyToJsOwned(ptr) {
  try {
    return pyToJs(ptr);
  } finally {
    decref(ptr);
  }
}

function jsStrToPy(text) {
  if (text.isWellFormed()) {
    const size = lengthBytesUTF8(text);
    const buf = size < 4096 ? stackAlloc(size + 1) : _malloc(size + 1);
    stringToUTF8(text, buf, size + 1);
    const ptr = _kiln_py_str_from_utf8(buf, size);
    if (size >= 4096) _free(buf);
    return ptr;
  }
  const buf = _malloc(text.length * 2);
  for (let i = 0; i < text.length; i++) {
    HEAPU16[(buf >> 1) + i] = text.charCodeAt(i);
  }
  const ptr = _kiln_py_str_from_utf16(buf, text.length * 2);
  _free(buf);
  return ptr;
}

function jsBigIntToPy(value) {
  const hex = value < 0n ? "-" + (-value).toString(16) : value.toString(16);
  const sp = stackSave();
  const ptr = _kiln_py_int_from_hex(stringToUTF8OnStack(hex));
  stackRestore(sp);
  return ptr;
}

/**
 * A JS value as a new Python reference (0 with a Python exception set on
 * failure). `thisValue` is remembered by function proxies read off an object.
 */
function jsToPy(value, thisValue) {
  switch (typeof value) {
    case "undefined":
      return _kiln_py_none();
    case "boolean":
      return _kiln_py_bool(value ? 1 : 0);
    case "number":
      return Number.isSafeInteger(value) ? _kiln_py_int_from_double(value) : _kiln_py_float(value);
    case "bigint":
      return jsBigIntToPy(value);
    case "string": {
      const sp = stackSave();
      const ptr = jsStrToPy(value);
      stackRestore(sp);
      return ptr;
    }
  }
  if (value === null && !convertNullToNone) {
    _kiln_incref(jsnullPtr);
    return jsnullPtr;
  }
  if (value === null) {
    return _kiln_py_none();
  }
  const ptr = pyproxyPtrOf(value);
  if (ptr) {
    _kiln_incref(ptr);
    return ptr;
  }
  const thisRef = typeof value === "function" && thisValue !== undefined ? newRef(thisValue) : 0;
  return _kiln_jsproxy_new(newRef(value), thisRef);
}

/** jsToPy for JS callers: throws the Python error instead of returning 0. */
function jsToPyChecked(value) {
  return checkPy(jsToPy(value));
}
