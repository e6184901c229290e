"""kiln.packages: recipes (packages/<name>/meta.yaml) built into WASM libraries and wheels.

Two stages live here. `recipe` and `libraries` come before CPython: the recipe
format, and the C libraries the interpreter and packages link. `builder`,
`pyodide_env`, `wheels`, `wasm_signatures` and `lockfile` come after it:
Python packages need the WASM CPython's headers and ABI.
"""
