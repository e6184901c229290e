"""pytest plugin for SciPy's tests inside Kiln (installed as kiln_scipy_wasm
and loaded with -p): what SciPy's own CI does for its WebAssembly runs."""

import threading

# Tests call threading.get_native_id() directly; Emscripten has no native
# thread ids (the recipe patches SciPy's own use of it).
if not hasattr(threading, "get_native_id"):
    threading.get_native_id = threading.get_ident
