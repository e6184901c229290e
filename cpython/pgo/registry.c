/* Where the training core's profile counters are, for compiler-rt's profile
 * writer (built by cpython/builder/pgo.py in place of its
 * InstrProfilingPlatformOther.c).
 *
 * wasm objects have no section-bounds symbols, so clang makes every
 * instrumented file register its per-function records and its names at start
 * (the constructors run by __wasm_call_ctors); the writer then needs the
 * lowest and highest of each. Two things are wasm-specific:
 *  - a record's CounterPtr (its counters' address relative to the record) is
 *    off by the module's memory base: wasm-ld, linking position-independent
 *    code, adds the base to one end of the difference only. It is corrected
 *    once, here, before anything reads it; the build checks the written
 *    profile (pgo.py), so a wrong correction fails there.
 *  - side modules loaded while training register too, but their records lie
 *    in the heap, far from the core's, and a range spanning both would be
 *    garbage: only the core's records (below __heap_base) are kept. */
#include <stddef.h>
#include <stdint.h>

#include "InstrProfiling.h"
#include "InstrProfilingInternal.h"

#ifndef KILN_MEMORY_BASE
#error "KILN_MEMORY_BASE: the core's memory base (Emscripten's GLOBAL_BASE)"
#endif

extern char __heap_base;

/* Referenced by every instrumented object (side modules too) so the linker
 * pulls the runtime in; the profile is written by kiln_profile_write, not at exit. */
int __llvm_profile_runtime;

static const __llvm_profile_data *data_first, *data_last;
static char *counters_first, *counters_last;
static const char *names_first, *names_last;

static char *counters_of(const __llvm_profile_data *data) { return (char *)data + (intptr_t)data->CounterPtr; }

/* Exported: side modules' constructors call these too (and are turned away). */
#define KILN_EXPORTED __attribute__((visibility("default")))

KILN_EXPORTED void __llvm_profile_register_function(void *record) {
  __llvm_profile_data *data = record;
  if ((char *)data >= &__heap_base) {
    return; /* a side module's */
  }
  *(intptr_t *)&data->CounterPtr -= KILN_MEMORY_BASE;
  char *counters = counters_of(data);
  char *counters_end = counters + data->NumCounters * __llvm_profile_counter_entry_size();
  if (data_first == NULL) {
    data_first = data;
    data_last = data + 1;
    counters_first = counters;
    counters_last = counters_end;
    return;
  }
  if (data < data_first) data_first = data;
  if (data + 1 > data_last) data_last = data + 1;
  if (counters < counters_first) counters_first = counters;
  if (counters_end > counters_last) counters_last = counters_end;
}

KILN_EXPORTED void __llvm_profile_register_names_function(void *names, uint64_t size) {
  if ((char *)names >= &__heap_base) {
    return;
  }
  const char *end = (const char *)names + size;
  if (names_first == NULL || (const char *)names < names_first) names_first = names;
  if (names_last == NULL || end > names_last) names_last = end;
}

COMPILER_RT_VISIBILITY const __llvm_profile_data *__llvm_profile_begin_data(void) { return data_first; }
COMPILER_RT_VISIBILITY const __llvm_profile_data *__llvm_profile_end_data(void) { return data_last; }
COMPILER_RT_VISIBILITY char *__llvm_profile_begin_counters(void) { return counters_first; }
COMPILER_RT_VISIBILITY char *__llvm_profile_end_counters(void) { return counters_last; }
COMPILER_RT_VISIBILITY const char *__llvm_profile_begin_names(void) { return names_first; }
COMPILER_RT_VISIBILITY const char *__llvm_profile_end_names(void) { return names_last; }

/* Not produced by the flags Kiln trains with (no MC/DC bitmaps, value
 * profiling or virtual-table profiling): empty. */
COMPILER_RT_VISIBILITY char *__llvm_profile_begin_bitmap(void) { return NULL; }
COMPILER_RT_VISIBILITY char *__llvm_profile_end_bitmap(void) { return NULL; }
COMPILER_RT_VISIBILITY const VTableProfData *__llvm_profile_begin_vtables(void) { return NULL; }
COMPILER_RT_VISIBILITY const VTableProfData *__llvm_profile_end_vtables(void) { return NULL; }
COMPILER_RT_VISIBILITY const char *__llvm_profile_begin_vtabnames(void) { return NULL; }
COMPILER_RT_VISIBILITY const char *__llvm_profile_end_vtabnames(void) { return NULL; }
COMPILER_RT_VISIBILITY uint32_t *__llvm_profile_begin_orderfile(void) { return NULL; }
COMPILER_RT_VISIBILITY ValueProfNode *__llvm_profile_begin_vnodes(void) { return NULL; }
COMPILER_RT_VISIBILITY ValueProfNode *__llvm_profile_end_vnodes(void) { return NULL; }
COMPILER_RT_VISIBILITY ValueProfNode *CurrentVNode = NULL;
COMPILER_RT_VISIBILITY ValueProfNode *EndVNode = NULL;
COMPILER_RT_VISIBILITY int __llvm_write_binary_ids(ProfDataWriter *writer) { return 0; }

/* Called by the training script (cpython/pgo/train.py, through ctypes). */
KILN_EXPORTED int kiln_profile_write(const char *path) {
  __llvm_profile_set_filename(path);
  return __llvm_profile_write_file();
}
