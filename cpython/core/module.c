/* The `_kiln_core` builtin module: what the C core offers Python code. */
#include "kiln_core.h"

static struct PyModuleDef kiln_core_module = {
  PyModuleDef_HEAD_INIT,
  .m_name = "_kiln_core",
  .m_doc = "C core of the Kiln runtime.",
  .m_size = 0,
};

PyMODINIT_FUNC PyInit__kiln_core(void) {
  return PyModuleDef_Init(&kiln_core_module);
}
