/* Operations a PyProxy performs on its Python object (JS half: pyproxy.js).
 * Each returns a new reference (or NULL / -1 with the Python error set). */
#include "kiln_core.h"

enum kiln_py_flags {
  PY_CALLABLE = 1 << 0,
  PY_LENGTH = 1 << 1,
  PY_GETITEM = 1 << 2,
  PY_SETITEM = 1 << 3,
  PY_CONTAINS = 1 << 4,
  PY_ITERABLE = 1 << 5,
  PY_ITERATOR = 1 << 6,
  PY_AWAITABLE = 1 << 7,
  PY_BUFFER = 1 << 8,
  PY_ASYNC_ITERABLE = 1 << 9,
  PY_ASYNC_ITERATOR = 1 << 10,
  PY_GENERATOR = 1 << 11,
  PY_ASYNC_GENERATOR = 1 << 12,
  PY_DICT = 1 << 13,
  PY_SEQUENCE = 1 << 14,
  PY_MUTABLE_SEQUENCE = 1 << 15,
};

/* What the object can do, read off its type's slots: picks the JS methods. */
EMSCRIPTEN_KEEPALIVE int kiln_pyproxy_flags(PyObject *obj) {
  PyTypeObject *type = Py_TYPE(obj);
  PySequenceMethods *seq = type->tp_as_sequence;
  PyMappingMethods *map = type->tp_as_mapping;
  PyAsyncMethods *as_async = type->tp_as_async;
  int flags = 0;
  if (PyCallable_Check(obj)) flags |= PY_CALLABLE;
  if ((seq && seq->sq_length) || (map && map->mp_length)) flags |= PY_LENGTH;
  if ((map && map->mp_subscript) || (seq && seq->sq_item)) flags |= PY_GETITEM;
  if ((map && map->mp_ass_subscript) || (seq && seq->sq_ass_item)) flags |= PY_SETITEM;
  if (seq && seq->sq_contains) flags |= PY_CONTAINS;
  if (type->tp_iter) flags |= PY_ITERABLE;
  if (PyIter_Check(obj)) flags |= PY_ITERATOR;
  if (as_async && as_async->am_await) flags |= PY_AWAITABLE;
  if (as_async && as_async->am_aiter) flags |= PY_ASYNC_ITERABLE;
  if (as_async && as_async->am_anext) flags |= PY_ASYNC_ITERATOR;
  if (type->tp_as_buffer && type->tp_as_buffer->bf_getbuffer) flags |= PY_BUFFER;
  if (PyGen_Check(obj)) flags |= PY_GENERATOR;
  if (PyAsyncGen_CheckExact(obj)) flags |= PY_ASYNC_GENERATOR;
  if (PyDict_Check(obj)) flags |= PY_DICT;
  if (PySequence_Check(obj) && !PyUnicode_Check(obj) && !PyBytes_Check(obj)) flags |= PY_SEQUENCE;
  if (PyList_Check(obj)) flags |= PY_MUTABLE_SEQUENCE;
  return flags;
}

EMSCRIPTEN_KEEPALIVE PyObject *kiln_pyproxy_getattr(PyObject *obj, PyObject *name) { return PyObject_GetAttr(obj, name); }

EMSCRIPTEN_KEEPALIVE int kiln_pyproxy_setattr(PyObject *obj, PyObject *name, PyObject *value) {
  return PyObject_SetAttr(obj, name, value);
}

EMSCRIPTEN_KEEPALIVE int kiln_pyproxy_hasattr(PyObject *obj, PyObject *name) {
  return PyObject_HasAttrWithError(obj, name);
}

EMSCRIPTEN_KEEPALIVE PyObject *kiln_pyproxy_getitem(PyObject *obj, PyObject *key) { return PyObject_GetItem(obj, key); }

EMSCRIPTEN_KEEPALIVE int kiln_pyproxy_setitem(PyObject *obj, PyObject *key, PyObject *value) {
  return value ? PyObject_SetItem(obj, key, value) : PyObject_DelItem(obj, key);
}

EMSCRIPTEN_KEEPALIVE int kiln_pyproxy_contains(PyObject *obj, PyObject *key) { return PySequence_Contains(obj, key); }

EMSCRIPTEN_KEEPALIVE Py_ssize_t kiln_pyproxy_length(PyObject *obj) { return PyObject_Size(obj); }

/* A call from JS into Python sits on JS frames (the JS caller's, the proxy's
 * traps) that CPython's C recursion count does not see, and each costs
 * several of its units of the engine's stack. Uncharged, Python -> JS ->
 * Python recursion exhausted the stack just as the limit tripped, with no
 * room left to raise the RecursionError (a fatal error instead). */
#define JS_CALL_RECURSION_COST 3

EMSCRIPTEN_KEEPALIVE PyObject *kiln_pyproxy_call(PyObject *obj, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames) {
  PyThreadState *tstate = PyThreadState_Get();
  if (tstate->c_recursion_remaining < JS_CALL_RECURSION_COST) {
    PyErr_SetString(PyExc_RecursionError, "maximum recursion depth exceeded while calling a Python object from JS");
    return NULL;
  }
  tstate->c_recursion_remaining -= JS_CALL_RECURSION_COST;
  PyObject *result = PyObject_Vectorcall(obj, args, nargs, kwnames);
  tstate->c_recursion_remaining += JS_CALL_RECURSION_COST;
  return result;
}

EMSCRIPTEN_KEEPALIVE PyObject *kiln_pyproxy_iter(PyObject *obj) { return PyObject_GetIter(obj); }

/* The next item, or NULL: exhausted if no error is set. */
EMSCRIPTEN_KEEPALIVE PyObject *kiln_pyproxy_next(PyObject *iterator) { return PyIter_Next(iterator); }

/* Send `value` into a generator: 1 = yielded, 0 = returned, -1 = raised.
 * The yielded or returned value goes to *result. */
EMSCRIPTEN_KEEPALIVE int kiln_pyproxy_send(PyObject *generator, PyObject *value, PyObject **result) {
  switch (PyIter_Send(generator, value, result)) {
    case PYGEN_NEXT:
      return 1;
    case PYGEN_RETURN:
      return 0;
    default:
      return -1;
  }
}

/* Raise `exc` inside a generator at its paused yield: what generator.throw(exc) returns. */
EMSCRIPTEN_KEEPALIVE PyObject *kiln_pyproxy_throw(PyObject *generator, PyObject *exc) {
  return PyObject_CallMethod(generator, "throw", "O", exc);
}

EMSCRIPTEN_KEEPALIVE PyObject *kiln_pyproxy_dir(PyObject *obj) { return PyObject_Dir(obj); }

/* 1 if the pending error is a KeyError (then cleared), else 0. */
EMSCRIPTEN_KEEPALIVE int kiln_error_clear_key_error(void) {
  if (PyErr_ExceptionMatches(PyExc_KeyError)) {
    PyErr_Clear();
    return 1;
  }
  return 0;
}

/* 1 if the pending error is an IndexError (then cleared), else 0. */
EMSCRIPTEN_KEEPALIVE int kiln_error_clear_index_error(void) {
  if (PyErr_ExceptionMatches(PyExc_IndexError)) {
    PyErr_Clear();
    return 1;
  }
  return 0;
}

/* 1 if the pending error is an AttributeError (then cleared), else 0. */
EMSCRIPTEN_KEEPALIVE int kiln_error_clear_attribute_error(void) {
  if (PyErr_ExceptionMatches(PyExc_AttributeError)) {
    PyErr_Clear();
    return 1;
  }
  return 0;
}

/* "module.Name", or just "Name" for builtins and __main__. */
EMSCRIPTEN_KEEPALIVE PyObject *kiln_py_type_name(PyObject *obj) {
  PyTypeObject *type = Py_TYPE(obj);
  PyObject *module = PyType_GetModuleName(type);
  if (module == NULL) {
    PyErr_Clear();
    return PyType_GetQualName(type);
  }
  PyObject *result;
  if (PyUnicode_Check(module) &&
      (PyUnicode_EqualToUTF8(module, "builtins") || PyUnicode_EqualToUTF8(module, "__main__"))) {
    result = PyType_GetQualName(type);
  } else {
    result = PyUnicode_FromFormat("%U.%s", module, _PyType_Name(type));
  }
  Py_DECREF(module);
  return result;
}

EMSCRIPTEN_KEEPALIVE PyObject *kiln_py_repr(PyObject *obj) { return PyObject_Repr(obj); }
EMSCRIPTEN_KEEPALIVE PyObject *kiln_py_str(PyObject *obj) { return PyObject_Str(obj); }

/* ---- buffers: zero-copy views of Python memory ------------------------ */

/* Acquire a buffer; `info` (10 ints) receives buf, len, itemsize, readonly,
 * ndim, format, shape, strides, c_contiguous, f_contiguous. Returns the
 * Py_buffer to release, or NULL. */
EMSCRIPTEN_KEEPALIVE Py_buffer *kiln_pyproxy_get_buffer(PyObject *obj, int *info) {
  Py_buffer *view = PyMem_Malloc(sizeof(Py_buffer));
  if (view == NULL) {
    PyErr_NoMemory();
    return NULL;
  }
  if (PyObject_GetBuffer(obj, view, PyBUF_RECORDS_RO) < 0) {
    PyMem_Free(view);
    return NULL;
  }
  info[0] = (int)(intptr_t)view->buf;
  info[1] = (int)view->len;
  info[2] = (int)view->itemsize;
  info[3] = view->readonly;
  info[4] = view->ndim;
  info[5] = (int)(intptr_t)(view->format ? view->format : "B");
  info[6] = (int)(intptr_t)view->shape;
  info[7] = (int)(intptr_t)view->strides;
  info[8] = PyBuffer_IsContiguous(view, 'C');
  info[9] = PyBuffer_IsContiguous(view, 'F');
  return view;
}

EMSCRIPTEN_KEEPALIVE void kiln_pyproxy_release_buffer(Py_buffer *view) {
  PyBuffer_Release(view);
  PyMem_Free(view);
}
