"""kiln.cpython: CPython cross-compiled for wasm32-emscripten, next to its
patches (cpython/patches), its module setup (cpython/Setup.local) and Kiln's
C/JS core (cpython/core).

`build` configures and compiles the interpreter, `core_link` links the core
module the loader starts, `stdlib` packs the standard library zips.
"""
