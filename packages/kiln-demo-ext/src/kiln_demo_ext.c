/* Kiln test fixture: calls into libkilndemo.so, a separate side module. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "kiln_demo.h"

static PyObject *scale(PyObject *module, PyObject *arg) {
  long value = PyLong_AsLong(arg);
  if (value == -1 && PyErr_Occurred()) {
    return NULL;
  }
  return PyLong_FromLong(kiln_demo_scale((int)value));
}

static PyObject *library_name(PyObject *module, PyObject *unused) {
  return PyUnicode_FromString(kiln_demo_name());
}

static PyMethodDef methods[] = {
  {"scale", scale, METH_O, "Multiply by the library's factor."},
  {"library_name", library_name, METH_NOARGS, "Name reported by the shared library."},
  {NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "kiln_demo_ext", NULL, 0, methods};

PyMODINIT_FUNC PyInit_kiln_demo_ext(void) { return PyModule_Create(&module); }
