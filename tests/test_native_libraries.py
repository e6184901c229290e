"""Emscripten's OpenGL, OpenAL and HTML5 functions for side modules. The core
links no C half of OpenGL/OpenAL (their GetProcAddress tables cost ~260 table
slots at every start): a side module calling those functions still loads and
runs, and one that looks GL functions up by name links -lGL itself."""

import json
import os
import subprocess

from kiln import config, toolchain

CALLS = r"""
#include <AL/alc.h>
#include <GL/gl.h>
#include <emscripten/html5.h>
int al_error(void) { return alcGetError(0); }
/* Takes a JS function's address: the loader gives it a table slot. */
void *gl_clear_address(void) { return (void *)&glClear; }
int html5_probe(void) { double w, h; return emscripten_get_element_css_size("#nothing", &w, &h); }
"""

LOOKUP = r"""
#include <emscripten/html5_webgl.h>
void *lookup(const char *name) { return emscripten_webgl_get_proc_address(name); }
"""


def _side_module(tmp_path, name, source, *libs):
    (tmp_path / f"{name}.c").write_text(source)
    subprocess.run(
        ["emcc", *config.CFLAGS.split(), *config.SIDE_MODULE_LDFLAGS.split(), f"{name}.c", *libs, "-o", f"{name}.so"],
        cwd=tmp_path, env={**os.environ, **toolchain.env()}, check=True,
    )
    return tmp_path / f"{name}.so"


def test_side_modules_call_gl_al_and_html5_functions(node, tmp_path):
    calls = _side_module(tmp_path, "calls", CALLS)
    lookup = _side_module(tmp_path, "lookup", LOOKUP, "-lGL")
    values = node.report(f"""
        const {{ readFileSync }} = await import("node:fs");
        const kiln = await loadKiln();
        kiln.FS.writeFile("/tmp/calls.so", readFileSync({json.dumps(str(calls))}));
        kiln.FS.writeFile("/tmp/lookup.so", readFileSync({json.dumps(str(lookup))}));
        report(kiln.runPython(`
import ctypes
calls = ctypes.CDLL("/tmp/calls.so")
lookup = ctypes.CDLL("/tmp/lookup.so")
lookup.lookup.restype = ctypes.c_void_p
[calls.al_error(), calls.gl_clear_address() != 0, calls.html5_probe(),
 lookup.lookup(b"glClear") is not None, lookup.lookup(b"glNoSuchFunction")]
`).toJs());
    """)
    # ALC_NO_ERROR; a table slot; EMSCRIPTEN_RESULT_UNKNOWN_TARGET (no such element in Node);
    # libGL's table finds glClear and not a made-up name.
    assert values == [0, True, -4, True, None]
