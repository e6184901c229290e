/* Interpreter start-up and code execution entry points called by the loader. */
#include "kiln_core.h"
#include <malloc.h>

/* The runtime's Python half (loader/py/kiln/_runtime.py), imported at boot. */
static PyObject *runtime_module;

/* Recursion through C (getattr hooks, repr, json, lru_cache) is bounded by
 * Py_C_RECURSION_LIMIT, 700 (cpython/patches/0003), fitted to V8's 984 KB
 * stack for a plain -O2 interpreter. The profile-guided build inlines more
 * and its frames are larger: on Node 20's V8 a __getattr__ recursion
 * overflowed the stack before reaching the limit (tests/test_runtime_node.py).
 * The interpreter's one thread state gets this lower budget instead, which
 * keeps the margin the plain build had (measured with stack spent in JS
 * frames before the recursion: the same 500-1000 frames). Lowering it here
 * leaves the ABI alone: the constant is in a public header. */
#define KILN_C_RECURSION_BUDGET 550

/* Start CPython. `home` is the prefix holding lib/python313.zip;
 * argv is a NULL-terminated array of UTF-8 strings. Returns 0 on success. */
EMSCRIPTEN_KEEPALIVE int kiln_init(const char *home, int argc, char **argv) {
  if (PyImport_AppendInittab("_kiln_core", PyInit__kiln_core) < 0) {
    return -1;
  }
  /* Pre-initialize from argv first, so options such as -X dev or -X utf8
   * (pre-configuration) are seen. UTF-8 mode by default: the platform is. */
  PyPreConfig preconfig;
  PyPreConfig_InitPythonConfig(&preconfig);
  preconfig.utf8_mode = 1;
  PyStatus status = Py_PreInitializeFromBytesArgs(&preconfig, argc, argv);
  if (PyStatus_Exception(status)) {
    fprintf(stderr, "kiln: Python failed to start: %s\n", status.err_msg ? status.err_msg : "");
    return -1;
  }
  PyConfig config;
  PyConfig_InitPythonConfig(&config);
  config.write_bytecode = 0;      /* the file system is in memory: no point */
  config.user_site_directory = 0;
  config.buffered_stdio = 0;      /* output reaches JS as soon as it is written */
  config.parse_argv = 1;  /* args are Python command-line options */
  config.install_signal_handlers = 1;
  status = PyConfig_SetBytesString(&config, &config.home, home);
  if (!PyStatus_Exception(status)) {
    status = PyConfig_SetBytesArgv(&config, argc, argv);
  }
  if (!PyStatus_Exception(status)) {
    status = Py_InitializeFromConfig(&config);
  }
  PyConfig_Clear(&config);
  if (PyStatus_Exception(status)) {
    fprintf(stderr, "kiln: Python failed to start: %s%s%s\n", status.func ? status.func : "",
            status.func ? ": " : "", status.err_msg ? status.err_msg : "");
    return -1;
  }
  PyThreadState_Get()->c_recursion_remaining -= Py_C_RECURSION_LIMIT - KILN_C_RECURSION_BUDGET;
  return 0;
}

/* Import the runtime's Python half. A memory snapshot
 * (loader/src/snapshot.mjs) is taken after it: a start from one finds it
 * imported, and this returns at once. The import references no JS object but
 * null and globalThis, whose references are the same on every host (refs.js). */
EMSCRIPTEN_KEEPALIVE int kiln_start_runtime(void) {
  if (runtime_module != NULL) {
    return 0;
  }
  runtime_module = PyImport_ImportModule("kiln._runtime");
  if (runtime_module == NULL || kiln_error_use_runtime(runtime_module) < 0) {
    PyErr_Print();
    return -1;
  }
  return 0;
}

/* Build time, before the memory snapshot is taken: run
 * kiln._runtime.prepare_snapshot, so that work every start from the snapshot
 * would repeat is in it already. */
EMSCRIPTEN_KEEPALIVE int kiln_prepare_snapshot(void) {
  PyObject *result = PyObject_CallMethod(runtime_module, "prepare_snapshot", NULL);
  if (result == NULL) {
    PyErr_Print();
    return -1;
  }
  Py_DECREF(result);
  return 0;
}

/* Run what the command line given to kiln_init asks for (-c, -m, a script,
 * or the REPL), as the `python` program does, then finalize Python. Returns
 * the exit status. Used by `kiln python` (loader/bin/kiln-python.mjs). */
EMSCRIPTEN_KEEPALIVE int kiln_run_main(void) { return Py_RunMain(); }

/* kiln._runtime (new reference): the JS side looks its functions up here. */
EMSCRIPTEN_KEEPALIVE PyObject *kiln_runtime_module(void) { return Py_NewRef(runtime_module); }

/* Flush sys.stdout and sys.stderr; called after each top-level run. */
EMSCRIPTEN_KEEPALIVE void kiln_flush_std_streams(void) {
  PyObject *exc = PyErr_GetRaisedException();
  const char *names[] = {"stdout", "stderr"};
  for (int i = 0; i < 2; i++) {
    PyObject *stream = PySys_GetObject(names[i]);
    if (stream != NULL && stream != Py_None) {
      PyObject *r = PyObject_CallMethod(stream, "flush", NULL);
      if (r == NULL) {
        PyErr_Clear();
      }
      Py_XDECREF(r);
    }
  }
  PyErr_SetRaisedException(exc);
}

/* CPython's own switch for reading Module.Py_EmscriptenSignalBuffer while
 * Python runs (Python/emscripten_signal.c); on while an interrupt buffer is set. */
extern int Py_EMSCRIPTEN_SIGNAL_HANDLING;
EMSCRIPTEN_KEEPALIVE void kiln_set_signal_handling(int on) { Py_EMSCRIPTEN_SIGNAL_HANDLING = on; }

EMSCRIPTEN_KEEPALIVE void kiln_decref(PyObject *obj) { Py_XDECREF(obj); }
EMSCRIPTEN_KEEPALIVE void kiln_incref(PyObject *obj) { Py_INCREF(obj); }

/* Bytes of the WASM heap in use by malloc (for leak checks). */
EMSCRIPTEN_KEEPALIVE int kiln_heap_used(void) { return (int)mallinfo().uordblks; }

/* A 32-bit hash (MurmurHash3's mixing) of `count` words: snapshot.js checks
 * with it that the pages a restore keeps are the ones the snapshot was made
 * on. In C because the loader runs it once per start, over 2 MB, before any
 * JIT has warmed up. Reads memory only: it runs before the restore. */
EMSCRIPTEN_KEEPALIVE uint32_t kiln_checksum_words(const uint32_t *words, size_t count) {
  uint32_t hash = 0x9747b28cu;
  for (size_t i = 0; i < count; i++) {
    uint32_t k = words[i] * 0xcc9e2d51u;
    k = (k << 15) | (k >> 17);
    hash ^= k * 0x1b873593u;
    hash = ((hash << 13) | (hash >> 19)) * 5 + 0xe6546b64u;
  }
  return hash ^ (uint32_t)count;
}

/* Zero the pages of `page_words` words in [start, end) that are not zero:
 * a restore must leave the pages its snapshot holds nothing for zero, and
 * most of them (the stack's, untouched in this process) are already. Reading
 * an untouched page costs the OS far less than writing it: zeroing all
 * 5 MB of them took ~4 ms of a start. */
EMSCRIPTEN_KEEPALIVE void kiln_clear_pages(uint64_t *start, uint64_t *end, size_t page_words) {
  for (uint64_t *page = start; page < end; page += page_words) {
    uint64_t any = 0;
    for (size_t i = 0; i < page_words; i++) any |= page[i];
    if (any) memset(page, 0, page_words * sizeof *page);
  }
}
