// Exceptions across the boundary (C half: error.c).

const PY_ERROR = { ATTRIBUTE: 0, TYPE: 1, INDEX: 2, VALUE: 3, RUNTIME: 4, CONVERSION: 5 };

/** A Python exception, seen from JS. `message` holds the Python traceback. */
class PythonError extends Error {
  constructor(type, message) {
    super(message);
    this.type = type;
  }
}
Object.defineProperty(PythonError.prototype, "name", { value: "PythonError" });

// The Python exception behind each PythonError, kept alive while the error
// lives, so it can be raised again if the error goes back into Python.
const pythonErrorExceptions = new WeakMap();
const pythonErrorFinalizer = new FinalizationRegistry((ptr) => decrefFromFinalizer(ptr));

/** The JS error for a (borrowed) Python exception: the original JS error if
 * it is a JsException, else a PythonError holding a reference to it. */
function pythonErrorFor(exc) {
  const jsRef = _kiln_error_js_ref(exc);
  if (jsRef) {
    return getRef(jsRef);
  }
  const type = UTF8ToString(_kiln_error_type_name(exc));
  // Formatting runs Python code (traceback), so it goes through the guard.
  const textPtr = callWasm(_kiln_error_format, exc);
  const text = UTF8ToString(textPtr);
  _free(textPtr);
  const error = new PythonError(type, text);
  _kiln_incref(exc);
  pythonErrorExceptions.set(error, exc);
  pythonErrorFinalizer.register(error, exc);
  return error;
}

/** The pending Python exception as a JS error (and clear it). */
function takePythonError() {
  const exc = _kiln_error_fetch();
  if (!exc) {
    return new Error("kiln internal error: a call failed without setting a Python exception");
  }
  try {
    return pythonErrorFor(exc);
  } finally {
    decref(exc);
  }
}

/** Throw the pending Python exception if `ptr` is 0; return `ptr`. */
function checkPy(ptr) {
  if (ptr === 0) {
    throw takePythonError();
  }
  return ptr;
}

/** A short description of a JS error, for the Python exception message. */
function describeJsError(error) {
  try {
    if (error instanceof Error) return `${error.name}: ${error.message}`;
    return String(error);
  } catch {
    return Object.prototype.toString.call(error);
  }
}

/** Set the Python exception for a JS error caught in a call from C; returns 0. */
function setPythonErrorFromJs(error) {
  const exc = error !== null && typeof error === "object" ? pythonErrorExceptions.get(error) : undefined;
  if (exc) {
    _kiln_error_restore(exc);
    return 0;
  }
  const sp = stackSave();
  _kiln_error_set_js(newRef(error), stringToUTF8OnStack(describeJsError(error)));
  stackRestore(sp);
  return 0;
}

/** Set a Python exception of the given PY_ERROR kind; returns 0. */
function setPythonError(kind, message) {
  const sp = stackSave();
  _kiln_error_set_string(kind, stringToUTF8OnStack(message));
  stackRestore(sp);
  return 0;
}
