/* Scalar conversions between Python objects and JS values. The JS half
 * (bridge.js pyToJs / jsToPy) dispatches on kiln_py_kind() and calls the
 * accessors and constructors below. */
#include "kiln_core.h"
#include <string.h>

EMSCRIPTEN_KEEPALIVE int kiln_py_kind(PyObject *obj) {
  if (obj == Py_None) return KILN_NONE;
  if (PyBool_Check(obj)) return KILN_BOOL;
  if (PyLong_CheckExact(obj)) return KILN_INT;
  if (PyFloat_CheckExact(obj)) return KILN_FLOAT;
  if (PyUnicode_CheckExact(obj)) return KILN_STR;
  if (JsProxy_Check(obj)) return KILN_JSPROXY;
  return KILN_OTHER;
}

EMSCRIPTEN_KEEPALIVE double kiln_py_float_value(PyObject *obj) { return PyFloat_AS_DOUBLE(obj); }

/* An int that a JS number holds exactly (|v| <= 2**53) is written to *out
 * and 1 returned; 0 means the caller must go through BigInt. */
EMSCRIPTEN_KEEPALIVE int kiln_py_int_as_safe_double(PyObject *obj, double *out) {
  int overflow;
  long long value = PyLong_AsLongLongAndOverflow(obj, &overflow);
  if (overflow != 0 || value > 9007199254740992LL || value < -9007199254740992LL) {
    return 0;
  }
  *out = (double)value;
  return 1;
}

/* Hex digits of a big int (e.g. "-0x1f"), as a new str for the JS BigInt. */
EMSCRIPTEN_KEEPALIVE PyObject *kiln_py_int_to_hex(PyObject *obj) {
  return PyNumber_ToBase(obj, 16);
}

/* UTF-8 view of a str, valid while `obj` lives; its length goes to *size. */
EMSCRIPTEN_KEEPALIVE const char *kiln_py_str_utf8(PyObject *obj, Py_ssize_t *size) {
  const char *data = PyUnicode_AsUTF8AndSize(obj, size);
  if (data == NULL) {
    PyErr_Clear();  /* lone surrogates: the JS side falls back to UTF-16 */
  }
  return data;
}

/* UTF-16 copy of a str (for lone surrogates, which UTF-8 cannot carry). */
EMSCRIPTEN_KEEPALIVE PyObject *kiln_py_str_utf16(PyObject *obj) {
  return PyUnicode_AsEncodedString(obj, "utf-16-le", "surrogatepass");
}

EMSCRIPTEN_KEEPALIVE const char *kiln_py_bytes_data(PyObject *obj) { return PyBytes_AS_STRING(obj); }
EMSCRIPTEN_KEEPALIVE Py_ssize_t kiln_py_bytes_size(PyObject *obj) { return PyBytes_GET_SIZE(obj); }

/* Constructors used by jsToPy; each returns a new reference or NULL. */
EMSCRIPTEN_KEEPALIVE PyObject *kiln_py_none(void) { Py_RETURN_NONE; }
EMSCRIPTEN_KEEPALIVE PyObject *kiln_py_bool(int value) { return PyBool_FromLong(value); }
EMSCRIPTEN_KEEPALIVE PyObject *kiln_py_float(double value) { return PyFloat_FromDouble(value); }
EMSCRIPTEN_KEEPALIVE PyObject *kiln_py_int_from_double(double value) { return PyLong_FromDouble(value); }

EMSCRIPTEN_KEEPALIVE PyObject *kiln_py_int_from_hex(const char *hex) {
  return PyLong_FromString(hex, NULL, 16);
}

EMSCRIPTEN_KEEPALIVE PyObject *kiln_py_str_from_utf16(const char *data, Py_ssize_t nbytes) {
  int byteorder = -1; /* little endian */
  return PyUnicode_DecodeUTF16(data, nbytes, "surrogatepass", &byteorder);
}


EMSCRIPTEN_KEEPALIVE PyObject *kiln_py_str_from_utf8(const char *data, Py_ssize_t size) {
  return PyUnicode_DecodeUTF8(data, size, "strict");
}

/* Containers, for deep conversions (convert.js) and dir(). "steal" functions
 * take ownership of the items they are given, even on failure. */
EMSCRIPTEN_KEEPALIVE PyObject *kiln_py_list_new(void) { return PyList_New(0); }

EMSCRIPTEN_KEEPALIVE int kiln_py_list_append_steal(PyObject *list, PyObject *item) {
  int result = PyList_Append(list, item);
  Py_DECREF(item);
  return result;
}

EMSCRIPTEN_KEEPALIVE PyObject *kiln_py_dict_new(void) { return PyDict_New(); }

EMSCRIPTEN_KEEPALIVE int kiln_py_dict_set_steal(PyObject *dict, PyObject *key, PyObject *value) {
  int result = PyDict_SetItem(dict, key, value);
  Py_DECREF(key);
  Py_DECREF(value);
  return result;
}

EMSCRIPTEN_KEEPALIVE PyObject *kiln_py_set_new(void) { return PySet_New(NULL); }

EMSCRIPTEN_KEEPALIVE int kiln_py_set_add_steal(PyObject *set, PyObject *item) {
  int result = PySet_Add(set, item);
  Py_DECREF(item);
  return result;
}

EMSCRIPTEN_KEEPALIVE PyObject *kiln_py_tuple_new(Py_ssize_t size) { return PyTuple_New(size); }
EMSCRIPTEN_KEEPALIVE void kiln_py_tuple_set_steal(PyObject *tuple, Py_ssize_t i, PyObject *item) {
  PyTuple_SET_ITEM(tuple, i, item);
}
EMSCRIPTEN_KEEPALIVE Py_ssize_t kiln_py_tuple_size(PyObject *tuple) { return PyTuple_GET_SIZE(tuple); }
EMSCRIPTEN_KEEPALIVE PyObject *kiln_py_tuple_item(PyObject *tuple, Py_ssize_t i) { return PyTuple_GET_ITEM(tuple, i); }

enum { CONTAINER_NONE = 0, CONTAINER_SEQUENCE = 1, CONTAINER_DICT = 2, CONTAINER_SET = 3, CONTAINER_BYTES = 4 };

EMSCRIPTEN_KEEPALIVE int kiln_py_container_kind(PyObject *obj) {
  if (PyList_Check(obj) || PyTuple_Check(obj)) return CONTAINER_SEQUENCE;
  if (PyDict_Check(obj)) return CONTAINER_DICT;
  if (PyAnySet_Check(obj)) return CONTAINER_SET;
  if (PyBytes_Check(obj) || PyByteArray_Check(obj)) return CONTAINER_BYTES;
  return CONTAINER_NONE;
}

/* List or tuple items (borrowed). */
EMSCRIPTEN_KEEPALIVE Py_ssize_t kiln_py_seq_size(PyObject *seq) { return PySequence_Fast_GET_SIZE(seq); }
EMSCRIPTEN_KEEPALIVE PyObject *kiln_py_seq_item(PyObject *seq, Py_ssize_t i) { return PySequence_Fast_GET_ITEM(seq, i); }

/* PyDict_Next: borrowed key and value; 0 at the end. */
EMSCRIPTEN_KEEPALIVE int kiln_py_dict_next(PyObject *dict, Py_ssize_t *pos, PyObject **key, PyObject **value) {
  return PyDict_Next(dict, pos, key, value);
}

/* A copy of bytes or bytearray contents: pointer and size (valid while obj lives). */
EMSCRIPTEN_KEEPALIVE const char *kiln_py_byteslike_data(PyObject *obj) {
  return PyBytes_Check(obj) ? PyBytes_AS_STRING(obj) : PyByteArray_AS_STRING(obj);
}
EMSCRIPTEN_KEEPALIVE Py_ssize_t kiln_py_byteslike_size(PyObject *obj) {
  return PyBytes_Check(obj) ? PyBytes_GET_SIZE(obj) : PyByteArray_GET_SIZE(obj);
}

EMSCRIPTEN_KEEPALIVE PyObject *kiln_py_bytes_from(const char *data, Py_ssize_t size) {
  return PyBytes_FromStringAndSize(data, size);
}

/* memoryview over a copy of `size` bytes, cast to `format` if not bytes. */
EMSCRIPTEN_KEEPALIVE PyObject *kiln_py_memoryview_copy(const char *data, Py_ssize_t size, const char *format) {
  PyObject *copy = PyByteArray_FromStringAndSize(data, size);
  if (copy == NULL) {
    return NULL;
  }
  PyObject *view = PyMemoryView_FromObject(copy);
  Py_DECREF(copy);
  if (view == NULL || strcmp(format, "B") == 0) {
    return view;
  }
  PyObject *cast = PyObject_CallMethod(view, "cast", "s", format);
  Py_DECREF(view);
  return cast;
}
