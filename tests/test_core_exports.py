"""The core's exports in the dynamic linker's tables. The core does not copy
its ~3,900 exports into them one by one at start (cpython/core/library_dylink.js):
the symbol table inherits them and the lazy GOT reads them where they are.
Side modules and dlsym must see what Emscripten's copies gave them."""

import re

from kiln import config
from side_modules import build_side_module, write_into_fs

# Loaded first: defines a data symbol the core exports too. The first exporter
# (the core) keeps it, as with Emscripten's copies.
DUPLICATE = r"""
const unsigned long Py_Version = 1;
"""

# Reaches the core's data and functions through its GOT imports.
READER = r"""
extern const unsigned long Py_Version;
extern char _Py_NoneStruct;
extern long PyLong_AsLong(void *);
unsigned long version(void) { return Py_Version; }
void *none_address(void) { return &_Py_NoneStruct; }
void *function_address(void) { return (void *)&PyLong_AsLong; }
"""


def test_side_modules_and_dlsym_see_the_core_exports(node, tmp_path):
    duplicate = build_side_module(tmp_path, "duplicate", DUPLICATE)
    reader = build_side_module(tmp_path, "reader", READER)
    values = node.report(f"""
        {write_into_fs(duplicate, reader)}
        report(kiln.runPython(`
import ctypes, sys
ctypes.CDLL("/tmp/duplicate.so", mode=ctypes.RTLD_GLOBAL)
reader = ctypes.CDLL("/tmp/reader.so")
reader.version.restype = reader.none_address.restype = reader.function_address.restype = ctypes.c_void_p
core = ctypes.CDLL(None)
address = lambda f: ctypes.cast(f, ctypes.c_void_p).value
def missing(name):
    try:
        getattr(core, name)
    except AttributeError as error:
        return str(error)
[reader.version() == sys.hexversion, reader.none_address() == id(None),
 reader.function_address() == address(core.PyLong_AsLong) > 0,
 core.strlen(b"kiln"), address(core.emscripten_out) > 0,
 [missing(name) for name in ("no_such_symbol", "toString", "hasOwnProperty", "constructor")]]
`).toJs());
    """)
    same_version, same_none, same_function, strlen, js_function, missing = values
    assert same_version, "a side module sees the core's Py_Version, not a later module's duplicate"
    assert same_none and same_function and strlen == 4 and js_function
    for name, error in zip(("no_such_symbol", "toString", "hasOwnProperty", "constructor"), missing, strict=True):
        assert f'unknown symbol "{name}"' in error


def test_the_glue_puts_no_stubs_in_the_symbol_table():
    """An export the table inherits could not replace a stub (Emscripten's
    placeholder for an undefined import of the main module), as its copy did."""
    glue = (config.DIST / config.CORE_JS).read_text()
    assert not re.search(r"\.stub\s*=|\bstub\s*:\s*(!0|true)", glue)
    assert "Object.setPrototypeOf(wasmImports" in glue, "the core's exports are inherited by the symbol table"
