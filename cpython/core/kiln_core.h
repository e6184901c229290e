/* Shared declarations of Kiln's C core: the C half of the JS <-> Python bridge.
 * Each C file has a JS twin of the same name (linked with --pre-js); together
 * they implement one side of the protocol. */
#ifndef KILN_CORE_H
#define KILN_CORE_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <emscripten.h>

/* A C function whose body runs in the core's JS (EM_JS) and may throw: a JS
 * exception becomes the pending Python exception (setPythonErrorFromJs, in
 * error.js) and the C caller gets `failed` (0 for PyObject*, -1 for int).
 * One guard here instead of a try/catch in every JS function; try/catch is
 * free in V8's optimised code, so the hot path is unchanged. */
#define KILN_JS_GUARDED(ret, name, params, failed, ...) \
  EM_JS(ret, name, params, { try { __VA_ARGS__ } catch (error) { setPythonErrorFromJs(error); return failed; } })

/* Index of a JS value in the JS-side reference table (refs.js).
 * 0 is never a valid reference: functions return it to signal an error. */
typedef int JsRef;

/* What a PyObject* is, for the JS-side converter (convert.js). */
enum kiln_py_kind {
  KILN_NONE = 0,
  KILN_BOOL = 1,
  KILN_INT = 2,
  KILN_FLOAT = 3,
  KILN_STR = 4,
  KILN_JSPROXY = 5,
  KILN_OTHER = 6,
};

/* Capabilities of a JS value (jsproxy.js jsFlags); they pick the JsProxy type. */
enum kiln_js_flags {
  JS_CALLABLE = 1 << 0,
  JS_ARRAY = 1 << 1,          /* Array: integer indexing, includes */
  JS_LENGTH = 1 << 2,         /* a numeric length or size */
  JS_GET = 1 << 3,            /* Map-like: get() and has() */
  JS_SET = 1 << 4,            /* Map-like: set() and delete() */
  JS_ITERABLE = 1 << 5,
  JS_ITERATOR = 1 << 6,       /* has next() */
  JS_THENABLE = 1 << 7,
  JS_BUFFER = 1 << 8,         /* ArrayBuffer or a typed array / DataView */
  JS_ERROR = 1 << 9,
  JS_ASYNC_ITERABLE = 1 << 10,
  JS_ASYNC_ITERATOR = 1 << 11,
  JS_FLAG_COUNT = 12,
};

/* jsproxy.c */
int kiln_jsproxy_init(PyObject *module);
int JsProxy_Check(PyObject *obj);
JsRef JsProxy_ref(PyObject *obj);
/* A new JsProxy for `ref` (owned: the proxy drops it). `this_ref` (owned,
 * or 0) is the object a function was read from, used as `this` in calls. */
PyObject *JsProxy_new(JsRef ref, JsRef this_ref);

/* error.c */
int kiln_error_init(PyObject *module);
int kiln_error_use_runtime(PyObject *runtime);
extern PyObject *JsException;

/* module.c */
PyMODINIT_FUNC PyInit__kiln_core(void);

/* refs.js, via EM_JS in jsproxy.c */
void kiln_ref_drop(JsRef ref);
JsRef kiln_ref_dup(JsRef ref);

#endif
