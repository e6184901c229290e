"""Emscripten's OpenGL, OpenAL and HTML5 functions for side modules. The core
links no C half of OpenGL/OpenAL (their GetProcAddress tables cost ~260 table
slots at every start): a side module calling those functions still loads and
runs, and one that looks GL functions up by name links -lGL itself."""

import base64
import json

from side_modules import build_side_module, write_into_fs

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


def test_side_modules_call_gl_al_and_html5_functions(node, tmp_path):
    calls = build_side_module(tmp_path, "calls", CALLS)
    lookup = build_side_module(tmp_path, "lookup", LOOKUP, "-lGL")
    values = node.report(f"""
        {write_into_fs(calls, lookup)}
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


JS_FUNCTION_ADDRESS = r"""
#include <emscripten/console.h>
void *out_address(void) { return (void *)&emscripten_out; }
/* The core's emscripten_outf calls emscripten_out through the address it took. */
void say(void) { emscripten_outf("through the slot: %s %d", "answer", 42); }
"""


def _js_function_address_body(library: bytes) -> str:
    """A JS function body: loads `library` by hand, returns what it printed
    through the core's slot and whether the addresses agree."""
    return f"""
        const printed = [];
        const log = console.log; // the core prints with console.log
        console.log = (...parts) => {{ printed.push(parts.join(" ")); log(...parts); }};
        try {{
          const kiln = await loadKiln();
          const bytes = Uint8Array.from(atob({json.dumps(base64.b64encode(library).decode())}), (c) => c.charCodeAt(0));
          kiln.FS.writeFile("/tmp/address.so", bytes);
          const same = kiln.runPython(`
import ctypes
core = ctypes.CDLL(None)
library = ctypes.CDLL("/tmp/address.so")
library.say()
library.out_address.restype = ctypes.c_void_p
by_name = ctypes.cast(core.emscripten_out, ctypes.c_void_p).value
[library.out_address() == by_name, by_name > 0]
`).toJs();
          return [printed.includes("through the slot: answer 42"), same];
        }} finally {{
          console.log = log;
        }}
    """


def test_js_functions_whose_address_the_core_takes(node, tmp_path):
    """The core takes the address of six JS functions (emscripten_out, ...);
    the loader gives them table slots without mapping the whole table first.
    Calls through those slots work, and the address is the same one whether
    it is taken by the core, by a side module or looked up by dlsym."""
    body = _js_function_address_body(build_side_module(tmp_path, "address", JS_FUNCTION_ADDRESS).read_bytes())
    assert node.report(f"report(await (async () => {{ {body} }})());") == [True, [True, True]]


def test_js_functions_whose_address_the_core_takes_in_chromium(chromium, tmp_path):
    body = _js_function_address_body(build_side_module(tmp_path, "address", JS_FUNCTION_ADDRESS).read_bytes())
    assert chromium.main(body) == [True, [True, True]]
    assert chromium.worker(body) == [True, [True, True]]
