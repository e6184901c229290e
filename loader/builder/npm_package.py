"""The npm package `kiln-python`: dist/'s runtime files, the loader as ES
module and classic script, and TypeScript declarations, packed with `npm pack`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from kiln import config, log, shell, toolchain

NAME = "kiln-python"
TYPES = config.LOADER_DIR / "types" / "kiln.d.ts"
# Test-only archives stay out of the package (they are a third of dist/).
LEFT_OUT = ("python_tests.zip", "-tests-")


def _manifest() -> dict:
    return {
        "name": NAME,
        "version": config.KILN_VERSION,
        "description": "CPython 3.13 compiled to WebAssembly, for browsers and Node (Pyodide-compatible API)",
        "type": "module",
        "main": "./kiln.mjs",
        "types": "./kiln.d.ts",
        "exports": {
            ".": {"types": "./kiln.d.ts", "import": "./kiln.mjs", "default": "./kiln.mjs"},
            "./kiln.js": "./kiln.js",
            "./kiln.mjs": {"types": "./kiln.d.ts", "default": "./kiln.mjs"},
            "./package.json": "./package.json",
            "./*": "./*",
        },
        "engines": {"node": ">=20.16"},
        "license": "MIT AND PSF-2.0 AND BSD-3-Clause",
        "keywords": ["python", "webassembly", "wasm", "pyodide", "cpython"],
    }


def build() -> Path:
    """Assemble the package from dist/ and pack it; returns the tarball."""
    dist = config.DIST
    if not (dist / "kiln.mjs").exists():
        from . import dist as dist_stage

        dist_stage.build()
    folder = config.BUILD / "npm" / NAME
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    with log.step(f"assembling the npm package {NAME}"):
        for path in sorted(dist.iterdir()):
            if path.is_file() and not any(part in path.name for part in LEFT_OUT):
                shutil.copy2(path, folder / path.name)
        lock = json.loads((dist / config.LOCK_FILE).read_text())
        lock["packages"] = {k: v for k, v in lock["packages"].items() if not any(p in v["file_name"] for p in LEFT_OUT)}
        (folder / config.LOCK_FILE).write_text(json.dumps(lock, indent=1) + "\n")
        shutil.copy2(TYPES, folder / "kiln.d.ts")
        (folder / "package.json").write_text(json.dumps(_manifest(), indent=2) + "\n")
        (folder / "README.md").write_text(
            f"# {NAME}\n\nCPython {config.PYTHON_VERSION} in WebAssembly, with Pyodide's API.\n\n"
            "```js\nimport { loadKiln } from \"kiln-python\";\nconst kiln = await loadKiln();\n"
            "kiln.runPython(\"print('hello from Python')\");\n```\n\n"
            "In a page: `<script src=\"node_modules/kiln-python/kiln.js\"></script>` defines `loadKiln` and runs "
            "`<script type=\"text/python\">` tags.\n"
        )
        out = config.BUILD / "npm"
        shell.run(["npm", "pack", "--pack-destination", str(out), "--loglevel=error"], cwd=folder, env=toolchain.env(), capture=True)
    tarball = out / f"{NAME}-{config.KILN_VERSION}.tgz"
    log.info(f"  {tarball}: {tarball.stat().st_size / 1e6:.1f} MB")
    return tarball
