/* Python exceptions on their way to JS: taken off the thread state and
 * formatted into the text a JS Error carries. */
#include "kiln_core.h"
#include <string.h>

static PyObject *format_exception;  /* kiln._runtime.format_exception */

int kiln_error_init(void) {
  PyObject *runtime = PyImport_ImportModule("kiln._runtime");
  if (runtime == NULL) {
    return -1;
  }
  format_exception = PyObject_GetAttrString(runtime, "format_exception");
  Py_DECREF(runtime);
  return format_exception == NULL ? -1 : 0;
}

/* The raised exception (new reference); the error indicator is cleared. */
EMSCRIPTEN_KEEPALIVE PyObject *kiln_error_fetch(void) {
  return PyErr_GetRaisedException();
}

EMSCRIPTEN_KEEPALIVE const char *kiln_error_type_name(PyObject *exc) {
  return _PyType_Name(Py_TYPE(exc));
}

/* The traceback text of `exc`, as malloc'd UTF-8 the caller frees. */
EMSCRIPTEN_KEEPALIVE char *kiln_error_format(PyObject *exc) {
  PyObject *text = PyObject_CallOneArg(format_exception, exc);
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
