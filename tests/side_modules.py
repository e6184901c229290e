"""Side modules compiled for a test: C source to a .so the core can dlopen."""

import json
import os
import subprocess
from pathlib import Path

from kiln import config, toolchain

# A side module that cannot load: it needs a symbol nothing defines.
UNDEFINED_SYMBOL = "kiln_nobody_defines_this"
UNLOADABLE_SOURCE = f"""
extern int {UNDEFINED_SYMBOL};
int *address(void) {{ return &{UNDEFINED_SYMBOL}; }}
"""


def build_side_module(folder: Path, name: str, source: str, *libs: str) -> Path:
    """Compile `source` (C) as the side module `folder/name.so`, linked with `libs`."""
    (folder / f"{name}.c").write_text(source)
    subprocess.run(
        ["emcc", *config.CFLAGS.split(), *config.SIDE_MODULE_LDFLAGS.split(), f"{name}.c", *libs, "-o", f"{name}.so"],
        cwd=folder, env={**os.environ, **toolchain.env()}, check=True,
    )
    return folder / f"{name}.so"


def write_into_fs(*libraries: Path) -> str:
    """JS for a Node test body: `kiln` started, each library written to /tmp/<its name> in its file system."""
    writes = "".join(f"kiln.FS.writeFile({json.dumps('/tmp/' + lib.name)}, readFileSync({json.dumps(str(lib))}));\n" for lib in libraries)
    return f'const {{ readFileSync }} = await import("node:fs");\nconst kiln = await loadKiln();\n{writes}'
