/* Scalar conversions between Python objects and JS values. The JS half
 * (bridge.js pyToJs / jsToPy) dispatches on kiln_py_kind() and calls the
 * accessors and constructors below. */
#include "kiln_core.h"

EMSCRIPTEN_KEEPALIVE int kiln_py_kind(PyObject *obj) {
  if (obj == Py_None) return KILN_NONE;
  if (PyBool_Check(obj)) return KILN_BOOL;
  if (PyLong_CheckExact(obj)) return KILN_INT;
  if (PyFloat_CheckExact(obj)) return KILN_FLOAT;
  if (PyUnicode_CheckExact(obj)) return KILN_STR;
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

EMSCRIPTEN_KEEPALIVE PyObject *kiln_py_repr(PyObject *obj) { return PyObject_Repr(obj); }

EMSCRIPTEN_KEEPALIVE PyObject *kiln_py_str_from_utf8(const char *data, Py_ssize_t size) {
  return PyUnicode_DecodeUTF8(data, size, "strict");
}

EMSCRIPTEN_KEEPALIVE PyObject *kiln_py_type_name(PyObject *obj) {
  return PyType_GetName(Py_TYPE(obj));
}
