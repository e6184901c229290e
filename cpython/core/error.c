/* Exceptions across the boundary (JS half: error.js).
 *
 * Python -> JS: the raised exception is taken off the thread state and
 * formatted; JS keeps a reference to it in the PythonError, so if that error
 * comes back into Python the original exception object is raised again.
 * JS -> Python: a JS error becomes a JsException carrying a JsProxy of the
 * error (`js_error`); if it goes back out to JS, the original error is thrown.
 */
#include "kiln_core.h"
#include <string.h>

PyObject *JsException;
static PyObject *format_exception; /* kiln._runtime.format_exception */

/* The raised exception (new reference); the error indicator is cleared. */
EMSCRIPTEN_KEEPALIVE PyObject *kiln_error_fetch(void) { return PyErr_GetRaisedException(); }

EMSCRIPTEN_KEEPALIVE int kiln_error_occurred(void) { return PyErr_Occurred() != NULL; }

/* Raise `exc` again (borrowed; it is a Python exception that went out to JS). */
EMSCRIPTEN_KEEPALIVE void kiln_error_restore(PyObject *exc) { PyErr_SetRaisedException(Py_NewRef(exc)); }

EMSCRIPTEN_KEEPALIVE const char *kiln_error_type_name(PyObject *exc) { return _PyType_Name(Py_TYPE(exc)); }

/* The JsRef of the JS error a JsException carries (borrowed), or 0. */
EMSCRIPTEN_KEEPALIVE JsRef kiln_error_js_ref(PyObject *exc) {
  if (!PyObject_TypeCheck(exc, (PyTypeObject *)JsException)) {
    return 0;
  }
  PyObject *js_error = PyObject_GetAttrString(exc, "js_error");
  if (js_error == NULL) {
    PyErr_Clear();
    return 0;
  }
  JsRef ref = JsProxy_Check(js_error) ? JsProxy_ref(js_error) : 0;
  Py_DECREF(js_error); /* the exception still holds it */
  return ref;
}

/* Raise JsException(message) carrying the JS error `ref` (owned). */
EMSCRIPTEN_KEEPALIVE void kiln_error_set_js(JsRef ref, const char *message) {
  PyObject *js_error = JsProxy_new(ref, 0);
  if (js_error == NULL) {
    return;
  }
  PyObject *exc = PyObject_CallFunction(JsException, "s", message);
  if (exc != NULL && PyObject_SetAttrString(exc, "js_error", js_error) == 0) {
    PyErr_SetObject(JsException, exc);
  }
  Py_XDECREF(exc);
  Py_DECREF(js_error);
}

enum { ERR_ATTRIBUTE = 0, ERR_TYPE = 1, ERR_INDEX = 2, ERR_VALUE = 3, ERR_RUNTIME = 4, ERR_CONVERSION = 5 };
static PyObject *ConversionError;

EMSCRIPTEN_KEEPALIVE void kiln_error_set_string(int kind, const char *message) {
  PyObject *types[] = {PyExc_AttributeError, PyExc_TypeError, PyExc_IndexError, PyExc_ValueError,
                       PyExc_RuntimeError, ConversionError};
  PyErr_SetString(types[kind], message);
}

EMSCRIPTEN_KEEPALIVE void kiln_error_set_key(PyObject *key) {
  PyObject *args = PyTuple_Pack(1, key);
  if (args != NULL) {
    PyErr_SetObject(PyExc_KeyError, args);
    Py_DECREF(args);
  }
}

/* The traceback text of `exc`, as malloc'd UTF-8 the caller frees. */
EMSCRIPTEN_KEEPALIVE char *kiln_error_format(PyObject *exc) {
  PyObject *text = format_exception ? PyObject_CallOneArg(format_exception, exc) : NULL;
  if (text == NULL) {
    /* Formatting itself failed (e.g. a broken __str__): say so plainly. */
    PyErr_Clear();
    text = PyUnicode_FromFormat("%s: <exception could not be formatted>\n", _PyType_Name(Py_TYPE(exc)));
    if (text == NULL) {
      PyErr_Clear();
      return strdup("<exception could not be formatted>");
    }
  }
  Py_ssize_t size;
  const char *utf8 = PyUnicode_AsUTF8AndSize(text, &size);
  char *copy = utf8 ? strndup(utf8, size) : strdup("<exception text is not valid UTF-8>");
  PyErr_Clear();
  Py_DECREF(text);
  return copy;
}

/* Called once kiln._runtime is importable. */
int kiln_error_use_runtime(PyObject *runtime) {
  format_exception = PyObject_GetAttrString(runtime, "format_exception");
  return format_exception == NULL ? -1 : 0;
}

int kiln_error_init(PyObject *module) {
  JsException = PyErr_NewExceptionWithDoc(
    "kiln.ffi.JsException", "A JS error raised in Python; the error itself is `js_error`.", NULL, NULL);
  ConversionError = PyErr_NewExceptionWithDoc(
    "kiln.ffi.ConversionError", "A value could not be converted between Python and JS.", NULL, NULL);
  if (JsException == NULL || ConversionError == NULL) {
    return -1;
  }
  if (PyModule_AddObjectRef(module, "JsException", JsException) < 0 ||
      PyModule_AddObjectRef(module, "ConversionError", ConversionError) < 0) {
    return -1;
  }
  return 0;
}
