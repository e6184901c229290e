/* Shared declarations of Kiln's C core: the C half of the JS <-> Python bridge.
 * The JS half lives in bridge.js (linked with --pre-js), so both sides of
 * each protocol sit next to each other in this folder. */
#ifndef KILN_CORE_H
#define KILN_CORE_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <emscripten.h>

/* Index of a JS value in the JS-side reference table (bridge.js `refs`).
 * 0 is never a valid reference: functions return it to signal an error. */
typedef int JsRef;

/* What kind of Python value a PyObject* is, for the JS-side converter. */
enum kiln_py_kind {
  KILN_NONE = 0,
  KILN_BOOL = 1,
  KILN_INT = 2,
  KILN_FLOAT = 3,
  KILN_STR = 4,
  KILN_OTHER = 5,
};

/* error.c */
int kiln_error_init(void);

/* _kiln_core module (module.c) */
PyMODINIT_FUNC PyInit__kiln_core(void);

#endif
