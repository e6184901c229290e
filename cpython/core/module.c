/* The `_kiln_core` builtin module: what the C core offers Python code.
 * kiln.ffi wraps these into the public API (and pyodide.ffi re-exports it). */
#include "kiln_core.h"

/* ---- JS operations used below (bodies in module.js / jspi.js) --------- */

KILN_JS_GUARDED(PyObject *, js_to_js, (PyObject *obj, int depth, PyObject *dict_converter, PyObject *default_converter, int create_pyproxies), 0, return toJsFromPython(obj, depth, dict_converter, default_converter, create_pyproxies););
KILN_JS_GUARDED(PyObject *, js_to_py, (JsRef ref, int depth, PyObject *default_converter), 0, return toPyFromPython(ref, depth, default_converter););
KILN_JS_GUARDED(PyObject *, js_create_proxy, (PyObject *obj, int once), 0, return createProxyFromPython(obj, once););
KILN_JS_GUARDED(int, js_destroy_pyproxy, (JsRef ref), -1, return destroyProxyFromPython(ref););
EM_JS(PyObject *, js_global_this, (void), { return jsToPy(globalThis); });
KILN_JS_GUARDED(PyObject *, js_error_for, (PyObject *exc), 0, return jsErrorForException(exc););
EM_JS(PyObject *, js_python_exception_of, (JsRef ref), { return pythonExceptionOf(ref); });
KILN_JS_GUARDED(PyObject *, js_buffer_to_bytes, (JsRef ref), 0, return jsBufferToBytes(ref););
KILN_JS_GUARDED(int, js_buffer_copy, (JsRef ref, char *data, Py_ssize_t size, int into_js), -1, return jsBufferCopy(ref, data, size, into_js););
KILN_JS_GUARDED(PyObject *, js_schedule, (PyObject *callback, double delay_ms), 0, return scheduleFromPython(callback, delay_ms););
EM_JS(int, js_live_refs, (void), { return liveRefCount(); });
EM_JS(int, js_live_pyproxies, (void), { return livePyProxies; });

/* kiln_jspi_await: replaced at instantiation by a WebAssembly.Suspending
 * import when the engine has JSPI (jspi.js); never called otherwise. */
EM_JS(PyObject *, kiln_jspi_await, (JsRef promise), {
  throw new Error("kiln: JSPI is not available in this engine");
});

EM_JS(JsRef, js_null_ref, (void), { return newRef(null); });

/* kiln.ffi.jsnull: what JS null becomes in Python (unless convertNullToNone). */
static PyObject *jsnull;

EMSCRIPTEN_KEEPALIVE PyObject *kiln_jsnull(void) {
  if (jsnull == NULL) {
    jsnull = JsProxy_new(js_null_ref(), 0);
  }
  return Py_XNewRef(jsnull);
}

static PyObject *js_null(PyObject *module, PyObject *unused) { return kiln_jsnull(); }

/* ---- JSPI state -------------------------------------------------------- */

/* 1 while Python runs under a promising entry with no JS frame below it:
 * only then may it suspend. JS entries (callWasm) clear it for their call. */
int kiln_suspendable = 0;
static int jspi_available = 0;
static int suspended = 0;

EMSCRIPTEN_KEEPALIVE int *kiln_suspendable_flag(void) { return &kiln_suspendable; }
EMSCRIPTEN_KEEPALIVE void kiln_set_jspi_available(int available) { jspi_available = available; }

/* The entry JS wraps with WebAssembly.promising: a call that may suspend. */
EMSCRIPTEN_KEEPALIVE PyObject *kiln_pyproxy_call_promising(PyObject *obj, PyObject *const *args, Py_ssize_t nargs,
                                                           PyObject *kwnames) {
  int saved = kiln_suspendable;
  kiln_suspendable = 1;
  PyObject *result = PyObject_Vectorcall(obj, args, nargs, kwnames);
  kiln_suspendable = saved;
  return result;
}

static int check_can_run_sync(void) {
  if (!jspi_available) {
    PyErr_SetString(PyExc_RuntimeError,
                    "Cannot block on a JS promise: this JS engine lacks JSPI (JavaScript Promise Integration; "
                    "Node >= 24 and Chromium >= 137 have it). Use `await` instead.");
    return -1;
  }
  if (!kiln_suspendable) {
    PyErr_SetString(PyExc_RuntimeError,
                    "Cannot block on a JS promise here: this Python code was called synchronously from JS "
                    "(e.g. runPython, or a PyProxy call). Blocking works under runPythonAsync, callPromising, "
                    "and asyncio tasks; otherwise use `await`.");
    return -1;
  }
  if (suspended) {
    PyErr_SetString(PyExc_RuntimeError, "Cannot block on a JS promise while another blocking wait is in progress");
    return -1;
  }
  return 0;
}

static PyObject *can_run_sync(PyObject *module, PyObject *unused) {
  return PyBool_FromLong(jspi_available && kiln_suspendable && !suspended);
}

/* Block until a JS promise (a JsProxy of a thenable) settles; its value. */
static PyObject *run_sync_promise(PyObject *module, PyObject *promise) {
  if (!JsProxy_Check(promise)) {
    PyErr_SetString(PyExc_TypeError, "run_sync_promise expects a JS promise");
    return NULL;
  }
  if (check_can_run_sync() < 0) {
    return NULL;
  }
  suspended = 1;
  PyObject *result = kiln_jspi_await(JsProxy_ref(promise));
  suspended = 0;
  return result;
}

/* ---- conversions and proxies ----------------------------------------- */

static PyObject *to_js(PyObject *module, PyObject *args, PyObject *kwargs) {
  static char *keywords[] = {"obj", "depth", "dict_converter", "default_converter", "create_pyproxies", NULL};
  PyObject *obj, *dict_converter = Py_None, *default_converter = Py_None;
  int depth = -1, create_pyproxies = 1;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|$iOOp:to_js", keywords, &obj, &depth, &dict_converter,
                                   &default_converter, &create_pyproxies)) {
    return NULL;
  }
  return js_to_js(obj, depth, dict_converter, default_converter, create_pyproxies);
}

static PyObject *to_py(PyObject *module, PyObject *args, PyObject *kwargs) {
  static char *keywords[] = {"obj", "depth", "default_converter", NULL};
  PyObject *obj, *default_converter = Py_None;
  int depth = -1;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|$iO:to_py", keywords, &obj, &depth, &default_converter)) {
    return NULL;
  }
  if (!JsProxy_Check(obj)) {
    return Py_NewRef(obj);
  }
  return js_to_py(JsProxy_ref(obj), depth, default_converter);
}

static PyObject *create_proxy(PyObject *module, PyObject *obj) { return js_create_proxy(obj, 0); }

static PyObject *create_once_callable(PyObject *module, PyObject *obj) {
  if (!PyCallable_Check(obj)) {
    PyErr_SetString(PyExc_TypeError, "create_once_callable expects a callable");
    return NULL;
  }
  return js_create_proxy(obj, 1);
}

static PyObject *destroy_proxy(PyObject *module, PyObject *proxy) {
  if (!JsProxy_Check(proxy)) {
    PyErr_SetString(PyExc_TypeError, "destroy_proxy expects a JsProxy of a PyProxy (from create_proxy)");
    return NULL;
  }
  if (js_destroy_pyproxy(JsProxy_ref(proxy)) < 0) {
    return NULL;
  }
  Py_RETURN_NONE;
}

static PyObject *js_global(PyObject *module, PyObject *unused) { return js_global_this(); }

static PyObject *js_error(PyObject *module, PyObject *exc) {
  if (!PyExceptionInstance_Check(exc)) {
    PyErr_SetString(PyExc_TypeError, "js_error expects an exception");
    return NULL;
  }
  return js_error_for(exc);
}

/* The Python exception behind a PythonError that went out to JS, or None. */
static PyObject *python_exception_of(PyObject *module, PyObject *proxy) {
  if (!JsProxy_Check(proxy)) {
    Py_RETURN_NONE;
  }
  return js_python_exception_of(JsProxy_ref(proxy));
}

static PyObject *buffer_to_bytes(PyObject *module, PyObject *proxy) {
  if (!JsProxy_Check(proxy)) {
    PyErr_SetString(PyExc_TypeError, "expected a JsProxy of a buffer");
    return NULL;
  }
  return js_buffer_to_bytes(JsProxy_ref(proxy));
}

/* Copy between a JS buffer and a Python buffer of the same size. */
static PyObject *buffer_copy(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
  if (nargs != 3 || !JsProxy_Check(args[0])) {
    PyErr_SetString(PyExc_TypeError, "buffer_copy(js_buffer, python_buffer, into_js)");
    return NULL;
  }
  int into_js = PyObject_IsTrue(args[2]);
  Py_buffer view;
  if (PyObject_GetBuffer(args[1], &view, into_js ? PyBUF_C_CONTIGUOUS : PyBUF_C_CONTIGUOUS | PyBUF_WRITABLE) < 0) {
    return NULL;
  }
  int status = js_buffer_copy(JsProxy_ref(args[0]), view.buf, view.len, into_js);
  PyBuffer_Release(&view);
  if (status < 0) {
    return NULL;
  }
  Py_RETURN_NONE;
}

static PyObject *schedule(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
  if (nargs != 2 || !PyCallable_Check(args[0])) {
    PyErr_SetString(PyExc_TypeError, "schedule(callback, delay_seconds)");
    return NULL;
  }
  double delay = PyFloat_AsDouble(args[1]);
  if (delay == -1.0 && PyErr_Occurred()) {
    return NULL;
  }
  return js_schedule(args[0], delay * 1000.0);
}

/* Run pending signal handlers (a KeyboardInterrupt from the interrupt buffer,
 * read by CPython's Emscripten signal support): after a host wait saw an
 * interrupt request. */
static PyObject *check_signals(PyObject *module, PyObject *unused) {
  if (PyErr_CheckSignals() < 0) {
    return NULL;
  }
  Py_RETURN_NONE;
}

static PyObject *live_counts(PyObject *module, PyObject *unused) {
  return Py_BuildValue("(ii)", js_live_refs(), js_live_pyproxies());
}

static PyMethodDef module_methods[] = {
  {"to_js", (PyCFunction)(void (*)(void))to_js, METH_VARARGS | METH_KEYWORDS, "Deep conversion of a Python object to JS."},
  {"to_py", (PyCFunction)(void (*)(void))to_py, METH_VARARGS | METH_KEYWORDS, "Deep conversion of a JsProxy to Python."},
  {"create_proxy", create_proxy, METH_O, "A JsProxy of a PyProxy that lives until destroyed."},
  {"create_once_callable", create_once_callable, METH_O, "A JS function calling `obj` once, then releasing it."},
  {"destroy_proxy", destroy_proxy, METH_O, "Destroy the PyProxy behind a create_proxy() result."},
  {"js_global", js_global, METH_NOARGS, "JsProxy of JS globalThis."},
  {"js_null", js_null, METH_NOARGS, "jsnull: JS null in Python."},
  {"js_error", js_error, METH_O, "The JS error a Python exception becomes in JS."},
  {"python_exception_of", python_exception_of, METH_O, "The Python exception behind a PythonError, or None."},
  {"buffer_to_bytes", buffer_to_bytes, METH_O, "Copy a JS buffer into bytes."},
  {"buffer_copy", (PyCFunction)(void (*)(void))buffer_copy, METH_FASTCALL, "Copy between a JS and a Python buffer."},
  {"schedule", (PyCFunction)(void (*)(void))schedule, METH_FASTCALL, "Call `callback` from the JS event loop after a delay."},
  {"can_run_sync", can_run_sync, METH_NOARGS, "Whether run_sync may block here."},
  {"run_sync_promise", run_sync_promise, METH_O, "Block until a JS promise settles (needs JSPI)."},
  {"check_signals", check_signals, METH_NOARGS, "Run pending signal handlers (KeyboardInterrupt)."},
  {"live_counts", live_counts, METH_NOARGS, "(live JS references held by Python, live PyProxies)."},
  {NULL},
};

static int module_exec(PyObject *module) {
  if (PyModule_AddFunctions(module, module_methods) < 0 || kiln_jsproxy_init(module) < 0 || kiln_error_init(module) < 0) {
    return -1;
  }
  return 0;
}

static PyModuleDef_Slot module_slots[] = {
  {Py_mod_exec, module_exec},
  {0, NULL},
};

static struct PyModuleDef kiln_core_module = {
  PyModuleDef_HEAD_INIT,
  .m_name = "_kiln_core",
  .m_doc = "C core of the Kiln runtime.",
  .m_size = 0,
  .m_slots = module_slots,
};

PyMODINIT_FUNC PyInit__kiln_core(void) { return PyModuleDef_Init(&kiln_core_module); }
