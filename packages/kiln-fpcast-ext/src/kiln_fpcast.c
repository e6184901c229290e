/* Kiln test fixture: every function here is declared with fewer parameters
 * than the pointer type CPython calls it through. Native ABIs ignore the
 * surplus arguments; WebAssembly's call_indirect traps unless CPython's call
 * trampoline picks the real signature. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* METH_NOARGS is called as (self, NULL): this one takes only self. */
static PyObject *noargs_without_arg(PyObject *module) {
  return PyUnicode_FromString("noargs ok");
}

/* ...and this one takes nothing at all. */
static PyObject *noargs_without_params(void) {
  return PyLong_FromLong(0);
}

/* METH_VARARGS | METH_KEYWORDS is called as (self, args, kwargs). */
static PyObject *keywords_without_kwargs(PyObject *module, PyObject *args) {
  return PyLong_FromSsize_t(PyTuple_GET_SIZE(args));
}

/* Calls its one argument: Python code running inside a call that went
 * through the trampoline (where a JSPI suspension must be able to cross it). */
static PyObject *call_without_kwargs(PyObject *module, PyObject *args) {
  PyObject *callable;
  if (!PyArg_ParseTuple(args, "O", &callable)) {
    return NULL;
  }
  return PyObject_CallNoArgs(callable);
}

typedef struct {
  PyObject_HEAD
  long value;
} Box;

/* Getters are called as (self, closure), setters as (self, value, closure). */
static PyObject *box_get_value(Box *self) {
  return PyLong_FromLong(self->value);
}

static int box_set_value(Box *self, PyObject *value) {
  if (value == NULL) {
    PyErr_SetString(PyExc_AttributeError, "cannot delete value");
    return -1;
  }
  long v = PyLong_AsLong(value);
  if (v == -1 && PyErr_Occurred()) {
    return -1;
  }
  self->value = v;
  return 0;
}

static PyObject *box_double(Box *self) {
  self->value *= 2;
  Py_RETURN_NONE;
}

static PyGetSetDef box_getset[] = {
  {"value", (getter)box_get_value, (setter)box_set_value, "The boxed integer.", NULL},
  {NULL},
};

static PyMethodDef box_methods[] = {
  {"double", (PyCFunction)box_double, METH_NOARGS, "Double the value in place."},
  {NULL},
};

static PyTypeObject BoxType = {
  PyVarObject_HEAD_INIT(NULL, 0)
  .tp_name = "kiln_fpcast.Box",
  .tp_basicsize = sizeof(Box),
  .tp_flags = Py_TPFLAGS_DEFAULT,
  .tp_new = PyType_GenericNew,
  .tp_getset = box_getset,
  .tp_methods = box_methods,
};

static PyMethodDef methods[] = {
  {"noargs_without_arg", (PyCFunction)noargs_without_arg, METH_NOARGS, NULL},
  {"noargs_without_params", (PyCFunction)noargs_without_params, METH_NOARGS, NULL},
  {"keywords_without_kwargs", (PyCFunction)(void (*)(void))keywords_without_kwargs, METH_VARARGS | METH_KEYWORDS, NULL},
  {"call_without_kwargs", (PyCFunction)(void (*)(void))call_without_kwargs, METH_VARARGS | METH_KEYWORDS, NULL},
  {NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "kiln_fpcast", NULL, 0, methods};

PyMODINIT_FUNC PyInit_kiln_fpcast(void) {
  if (PyType_Ready(&BoxType) < 0) {
    return NULL;
  }
  PyObject *m = PyModule_Create(&module);
  if (m == NULL) {
    return NULL;
  }
  if (PyModule_AddObjectRef(m, "Box", (PyObject *)&BoxType) < 0) {
    Py_DECREF(m);
    return NULL;
  }
  return m;
}
