/* JsProxy: a JS value seen from Python (JS half: jsproxy.js).
 *
 * A JsProxy owns one slot of the JS reference table. Its Python type depends
 * on what the JS value can do (jsFlags): a function gets __call__, an Array
 * indexing, a Map-like get/set, a thenable __await__... Each combination of
 * capabilities gets its own heap type, built once, deriving from the C base
 * `JsProxy` and from the Python mixin classes kiln.ffi registered for those
 * capabilities (JsArray, JsPromise, ...), so isinstance() checks work.
 */
#include "kiln_core.h"

typedef struct {
  PyObject_HEAD
  vectorcallfunc vectorcall;
  JsRef ref;
  JsRef this_ref; /* `this` for a function read off an object, or 0 */
} JsProxyObject;

#define JSPROXY(obj) ((JsProxyObject *)(obj))

static PyTypeObject *JsProxy_Base;
static PyObject *type_cache; /* flags -> type */
static PyObject *mixins;     /* flag bit -> mixin class (set by kiln.ffi) */

/* JS operations; each returns NULL / -1 with a Python exception on failure. */
EM_JS(int, js_flags, (JsRef ref), { return jsFlags(getRef(ref)); });
EM_JS(void, kiln_ref_drop, (JsRef ref), { dropRef(ref); });
EM_JS(JsRef, kiln_ref_dup, (JsRef ref), { return newRef(getRef(ref)); });
KILN_JS_GUARDED(PyObject *, js_getattr, (JsRef ref, PyObject *name), 0, return jsproxyGetAttr(ref, name););
KILN_JS_GUARDED(int, js_setattr, (JsRef ref, PyObject *name, PyObject *value), -1, return jsproxySetAttr(ref, name, value););
EM_JS(PyObject *, js_call,
      (JsRef ref, JsRef this_ref, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames, int construct),
      { return jsproxyCall(ref, this_ref, args, nargs, kwnames, construct); });
KILN_JS_GUARDED(PyObject *, js_repr, (JsRef ref), 0, return jsproxyRepr(ref););
EM_JS(int, js_strict_equal, (JsRef a, JsRef b), { return getRef(a) === getRef(b) ? 1 : 0; });
EM_JS(int, js_truthy, (JsRef ref), { return jsproxyTruthy(ref); });
KILN_JS_GUARDED(Py_ssize_t, js_length, (JsRef ref), -1, return jsproxyLength(ref););
KILN_JS_GUARDED(PyObject *, js_getitem, (JsRef ref, PyObject *key), 0, return jsproxyGetItem(ref, key););
KILN_JS_GUARDED(int, js_setitem, (JsRef ref, PyObject *key, PyObject *value), -1, return jsproxySetItem(ref, key, value););
KILN_JS_GUARDED(int, js_contains, (JsRef ref, PyObject *key), -1, return jsproxyContains(ref, key););
KILN_JS_GUARDED(PyObject *, js_iter, (JsRef ref), 0, return jsproxyIter(ref););
KILN_JS_GUARDED(PyObject *, js_next, (JsRef ref), 0, return jsproxyNext(ref););
KILN_JS_GUARDED(PyObject *, js_dir, (JsRef ref), 0, return jsproxyDir(ref););
EM_JS(int, js_identity, (JsRef ref), { return jsIdentity(getRef(ref)); });
EM_JS(PyObject *, js_typeof, (JsRef ref), { return checkedStr(typeof getRef(ref)); });

int JsProxy_Check(PyObject *obj) {
  return JsProxy_Base != NULL && PyObject_TypeCheck(obj, JsProxy_Base);
}

JsRef JsProxy_ref(PyObject *obj) { return JSPROXY(obj)->ref; }

EMSCRIPTEN_KEEPALIVE JsRef kiln_jsproxy_ref(PyObject *obj) { return JSPROXY(obj)->ref; }

/* ---- slots ---------------------------------------------------------- */

static void JsProxy_dealloc(PyObject *self) {
  PyTypeObject *type = Py_TYPE(self);
  kiln_ref_drop(JSPROXY(self)->ref);
  if (JSPROXY(self)->this_ref) {
    kiln_ref_drop(JSPROXY(self)->this_ref);
  }
  type->tp_free(self);
  Py_DECREF(type);
}

static PyObject *JsProxy_repr(PyObject *self) { return js_repr(JSPROXY(self)->ref); }

static PyObject *JsProxy_getattro(PyObject *self, PyObject *name) {
  /* Python-side attributes (methods such as to_py) come first. */
  PyObject *result = PyObject_GenericGetAttr(self, name);
  if (result != NULL || !PyErr_ExceptionMatches(PyExc_AttributeError)) {
    return result;
  }
  PyErr_Clear();
  return js_getattr(JSPROXY(self)->ref, name);
}

static int JsProxy_setattro(PyObject *self, PyObject *name, PyObject *value) {
  return js_setattr(JSPROXY(self)->ref, name, value);
}

static PyObject *JsProxy_richcompare(PyObject *self, PyObject *other, int op) {
  if ((op != Py_EQ && op != Py_NE) || !JsProxy_Check(other)) {
    Py_RETURN_NOTIMPLEMENTED;
  }
  int equal = js_strict_equal(JSPROXY(self)->ref, JSPROXY(other)->ref);
  return PyBool_FromLong(op == Py_EQ ? equal : !equal);
}

static Py_hash_t JsProxy_hash(PyObject *self) {
  /* Consistent with ==: equal (===) values share an identity number. */
  return (Py_hash_t)js_identity(JSPROXY(self)->ref);
}

static int JsProxy_bool(PyObject *self) { return js_truthy(JSPROXY(self)->ref); }

static PyObject *JsProxy_vectorcall(PyObject *self, PyObject *const *args, size_t nargsf, PyObject *kwnames) {
  return js_call(JSPROXY(self)->ref, JSPROXY(self)->this_ref, args, PyVectorcall_NARGS(nargsf), kwnames, 0);
}

static Py_ssize_t JsProxy_length(PyObject *self) { return js_length(JSPROXY(self)->ref); }

static PyObject *JsProxy_subscript(PyObject *self, PyObject *key) { return js_getitem(JSPROXY(self)->ref, key); }

static int JsProxy_ass_subscript(PyObject *self, PyObject *key, PyObject *value) {
  return js_setitem(JSPROXY(self)->ref, key, value);
}

static int JsProxy_contains(PyObject *self, PyObject *key) { return js_contains(JSPROXY(self)->ref, key); }

static PyObject *JsProxy_iter(PyObject *self) { return js_iter(JSPROXY(self)->ref); }

static PyObject *JsProxy_iternext(PyObject *self) {
  /* NULL without an exception set means exhausted. */
  return js_next(JSPROXY(self)->ref);
}

/* ---- methods of every JsProxy ------------------------------------------ */

static PyObject *JsProxy_new_object(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames) {
  return js_call(JSPROXY(self)->ref, 0, args, nargs, kwnames, 1);
}

static PyObject *JsProxy_dir(PyObject *self, PyObject *unused) {
  PyObject *js_names = js_dir(JSPROXY(self)->ref);
  if (js_names == NULL) {
    return NULL;
  }
  PyObject *py_names = PyObject_Dir((PyObject *)Py_TYPE(self));
  if (py_names == NULL || PyList_SetSlice(js_names, PY_SSIZE_T_MAX, PY_SSIZE_T_MAX, py_names) < 0) {
    Py_XDECREF(py_names);
    Py_DECREF(js_names);
    return NULL;
  }
  Py_DECREF(py_names);
  if (PyList_Sort(js_names) < 0) {
    Py_DECREF(js_names);
    return NULL;
  }
  return js_names;
}

static PyObject *JsProxy_get_js_id(PyObject *self, void *closure) {
  return PyLong_FromLong(js_identity(JSPROXY(self)->ref));
}

static PyMethodDef JsProxy_methods[] = {
  {"new", (PyCFunction)(void (*)(void))JsProxy_new_object, METH_FASTCALL | METH_KEYWORDS,
   "Construct: the equivalent of JS `new value(...args)`."},
  {"__dir__", JsProxy_dir, METH_NOARGS, NULL},
  {NULL},
};

static PyGetSetDef JsProxy_getset[] = {
  {"js_id", JsProxy_get_js_id, NULL, "A number identifying the JS value (equal for === values).", NULL},
  {NULL},
};

static PyType_Slot base_slots[] = {
  {Py_tp_dealloc, JsProxy_dealloc},
  {Py_tp_repr, JsProxy_repr},
  {Py_tp_getattro, JsProxy_getattro},
  {Py_tp_setattro, JsProxy_setattro},
  {Py_tp_richcompare, JsProxy_richcompare},
  {Py_tp_hash, JsProxy_hash},
  {Py_nb_bool, JsProxy_bool},
  {Py_tp_methods, JsProxy_methods},
  {Py_tp_getset, JsProxy_getset},
  {Py_tp_doc, "A JS value seen from Python."},
  {0, NULL},
};

static PyType_Spec base_spec = {
  .name = "kiln.ffi.JsProxy",
  .basicsize = sizeof(JsProxyObject),
  .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_DISALLOW_INSTANTIATION,
  .slots = base_slots,
};

/* ---- one type per combination of capabilities ----------------------- */

static PyMemberDef vectorcall_members[] = {
  {"__vectorcalloffset__", Py_T_PYSSIZET, offsetof(JsProxyObject, vectorcall), Py_READONLY},
  {NULL},
};

static const char *type_name_for(int flags) {
  if (flags & JS_ARRAY) return "kiln.ffi.JsArray";
  if (flags & JS_BUFFER) return "kiln.ffi.JsBuffer";
  if (flags & JS_SET) return "kiln.ffi.JsMutableMap";
  if (flags & JS_GET) return "kiln.ffi.JsMap";
  if (flags & JS_THENABLE) return "kiln.ffi.JsPromise";
  if (flags & JS_CALLABLE) return "kiln.ffi.JsCallable";
  if (flags & JS_ASYNC_ITERATOR) return "kiln.ffi.JsAsyncIterator";
  if (flags & JS_ITERATOR) return "kiln.ffi.JsIterator";
  if (flags & JS_ASYNC_ITERABLE) return "kiln.ffi.JsAsyncIterable";
  if (flags & JS_ITERABLE) return "kiln.ffi.JsIterable";
  if (flags & JS_ERROR) return "kiln.ffi.JsError";
  return "kiln.ffi.JsProxy";
}

static PyObject *make_type(int flags) {
  PyType_Slot slots[24];
  int n = 0;
  /* The base behaviour again: slots are inherited from the first base in the
   * MRO that has them, and the Python mixins (which come first) would
   * otherwise supply object's generic ones. */
  for (PyType_Slot *slot = base_slots; slot->slot != 0; slot++) {
    if (slot->slot != Py_tp_methods && slot->slot != Py_tp_getset && slot->slot != Py_tp_doc) {
      slots[n++] = *slot;
    }
  }
  unsigned long tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_DISALLOW_INSTANTIATION;
  if (flags & JS_CALLABLE) {
    slots[n++] = (PyType_Slot){Py_tp_call, PyVectorcall_Call};
    slots[n++] = (PyType_Slot){Py_tp_members, vectorcall_members};
    tp_flags |= Py_TPFLAGS_HAVE_VECTORCALL;
  }
  if (flags & JS_LENGTH) {
    slots[n++] = (PyType_Slot){Py_mp_length, JsProxy_length};
  }
  if (flags & (JS_ARRAY | JS_GET)) {
    slots[n++] = (PyType_Slot){Py_mp_subscript, JsProxy_subscript};
    slots[n++] = (PyType_Slot){Py_sq_contains, JsProxy_contains};
  }
  if (flags & (JS_ARRAY | JS_SET)) {
    slots[n++] = (PyType_Slot){Py_mp_ass_subscript, JsProxy_ass_subscript};
  }
  if (flags & (JS_ITERABLE | JS_ITERATOR)) {
    slots[n++] = (PyType_Slot){Py_tp_iter, JsProxy_iter};
  }
  if (flags & JS_ITERATOR) {
    slots[n++] = (PyType_Slot){Py_tp_iternext, JsProxy_iternext};
  }
  slots[n] = (PyType_Slot){0, NULL};

  PyObject *bases = PyList_New(0);
  if (bases == NULL) {
    return NULL;
  }
  /* Key 0: the mixin every JsProxy gets; then one per capability. */
  for (int bit = -1; bit < JS_FLAG_COUNT; bit++) {
    int flag = bit < 0 ? 0 : 1 << bit;
    if ((bit >= 0 && !(flags & flag)) || mixins == NULL) {
      continue;
    }
    PyObject *key = PyLong_FromLong(flag);
    PyObject *mixin = key ? PyDict_GetItemWithError(mixins, key) : NULL;
    Py_XDECREF(key);
    if (mixin != NULL && PyList_Append(bases, mixin) < 0) {
      Py_DECREF(bases);
      return NULL;
    }
    if (PyErr_Occurred()) {
      Py_DECREF(bases);
      return NULL;
    }
  }
  if (PyList_Append(bases, (PyObject *)JsProxy_Base) < 0) {
    Py_DECREF(bases);
    return NULL;
  }
  PyObject *base_tuple = PyList_AsTuple(bases);
  Py_DECREF(bases);
  if (base_tuple == NULL) {
    return NULL;
  }
  PyType_Spec spec = {
    .name = type_name_for(flags),
    .basicsize = sizeof(JsProxyObject),
    .flags = tp_flags,
    .slots = slots,
  };
  PyObject *type = PyType_FromSpecWithBases(&spec, base_tuple);
  Py_DECREF(base_tuple);
  return type;
}

static PyTypeObject *type_for(int flags) {
  PyObject *key = PyLong_FromLong(flags);
  if (key == NULL) {
    return NULL;
  }
  PyObject *type = PyDict_GetItemWithError(type_cache, key);
  if (type == NULL && !PyErr_Occurred()) {
    type = make_type(flags);
    if (type != NULL && PyDict_SetItem(type_cache, key, type) < 0) {
      Py_CLEAR(type);
    }
    Py_XDECREF(type); /* the cache holds it */
  }
  Py_DECREF(key);
  return (PyTypeObject *)type;
}

PyObject *JsProxy_new(JsRef ref, JsRef this_ref) {
  PyTypeObject *type = type_for(js_flags(ref));
  if (type == NULL) {
    kiln_ref_drop(ref);
    if (this_ref) kiln_ref_drop(this_ref);
    return NULL;
  }
  JsProxyObject *self = PyObject_New(JsProxyObject, type);
  if (self == NULL) {
    kiln_ref_drop(ref);
    if (this_ref) kiln_ref_drop(this_ref);
    return NULL;
  }
  self->vectorcall = JsProxy_vectorcall;
  self->ref = ref;
  self->this_ref = this_ref;
  return (PyObject *)self;
}

/* Called by jsToPy (convert.js); takes ownership of both references. */
EMSCRIPTEN_KEEPALIVE PyObject *kiln_jsproxy_new(JsRef ref, JsRef this_ref) { return JsProxy_new(ref, this_ref); }

/* The capability flags of a JsProxy's value (for kiln.ffi). */
static PyObject *jsproxy_flags(PyObject *module, PyObject *proxy) {
  if (!JsProxy_Check(proxy)) {
    PyErr_SetString(PyExc_TypeError, "expected a JsProxy");
    return NULL;
  }
  return PyLong_FromLong(js_flags(JSPROXY(proxy)->ref));
}

static PyObject *jsproxy_typeof(PyObject *module, PyObject *proxy) {
  if (!JsProxy_Check(proxy)) {
    PyErr_SetString(PyExc_TypeError, "expected a JsProxy");
    return NULL;
  }
  return js_typeof(JSPROXY(proxy)->ref);
}

/* kiln.ffi hands over its mixin classes, keyed by capability flag. */
static PyObject *register_jsproxy_mixins(PyObject *module, PyObject *mapping) {
  if (!PyDict_Check(mapping)) {
    PyErr_SetString(PyExc_TypeError, "expected a dict {flag: class}");
    return NULL;
  }
  Py_XSETREF(mixins, Py_NewRef(mapping));
  PyDict_Clear(type_cache);
  Py_RETURN_NONE;
}

/* Hand `this` over: a copy of `function` calling with the given `this`. */
/* A bound JS function (Function.prototype.bind): it keeps its `this` when it
 * goes back to JS too (e.g. passed to setTimeout). 0 with an error set if
 * `fn` is not a function. */
EM_JS(JsRef, js_bind_ref, (JsRef fn, JsRef self), {
  try {
    return newRef(Function.prototype.bind.call(getRef(fn), getRef(self)));
  } catch (error) {
    setPythonErrorFromJs(error);
    return 0;
  }
});

static PyObject *jsproxy_bind(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
  if (nargs != 2 || !JsProxy_Check(args[0]) || !JsProxy_Check(args[1])) {
    PyErr_SetString(PyExc_TypeError, "bind(function: JsProxy, this: JsProxy)");
    return NULL;
  }
  JsRef bound = js_bind_ref(JSPROXY(args[0])->ref, JSPROXY(args[1])->ref);
  if (bound == 0) {
    return NULL;
  }
  return JsProxy_new(bound, kiln_ref_dup(JSPROXY(args[1])->ref));
}

static PyMethodDef jsproxy_module_methods[] = {
  {"jsproxy_flags", jsproxy_flags, METH_O, "Capability flags of a JsProxy's value."},
  {"js_typeof", jsproxy_typeof, METH_O, "JS `typeof` of a JsProxy's value."},
  {"register_jsproxy_mixins", register_jsproxy_mixins, METH_O, "Set the mixin class for each capability flag."},
  {"jsproxy_bind", (PyCFunction)(void (*)(void))jsproxy_bind, METH_FASTCALL, "A function proxy with a fixed `this`."},
  {NULL},
};

int kiln_jsproxy_init(PyObject *module) {
  JsProxy_Base = (PyTypeObject *)PyType_FromSpec(&base_spec);
  if (JsProxy_Base == NULL) {
    return -1;
  }
  type_cache = PyDict_New();
  if (type_cache == NULL || PyModule_AddObjectRef(module, "JsProxy", (PyObject *)JsProxy_Base) < 0 ||
      PyModule_AddFunctions(module, jsproxy_module_methods) < 0) {
    return -1;
  }
#define ADD_FLAG(name) \
  if (PyModule_AddIntConstant(module, #name, name) < 0) return -1;
  ADD_FLAG(JS_CALLABLE) ADD_FLAG(JS_ARRAY) ADD_FLAG(JS_LENGTH) ADD_FLAG(JS_GET) ADD_FLAG(JS_SET)
  ADD_FLAG(JS_ITERABLE) ADD_FLAG(JS_ITERATOR) ADD_FLAG(JS_THENABLE) ADD_FLAG(JS_BUFFER)
  ADD_FLAG(JS_ERROR) ADD_FLAG(JS_ASYNC_ITERABLE) ADD_FLAG(JS_ASYNC_ITERATOR)
#undef ADD_FLAG
  return 0;
}
