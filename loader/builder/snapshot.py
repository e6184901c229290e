"""dist/kiln-snapshot.bin: the memory of a started interpreter, made by running
the loader's makeSnapshot in Node on the dist/ just assembled
(loader/src/snapshot.mjs describes the file and how it is checked at load)."""

from __future__ import annotations

from pathlib import Path

from kiln import config, log, shell, toolchain

_SCRIPT = """
import { writeFileSync } from "node:fs";
const [loader, indexURL, out] = process.argv.slice(1);
const { makeSnapshot } = await import(loader);
writeFileSync(out, await makeSnapshot({ indexURL }));
"""


def write(dist: Path) -> Path:
    out = dist / config.SNAPSHOT
    with log.step(f"making the memory snapshot ({config.SNAPSHOT})"):
        shell.run(
            [str(toolchain.node_binary()), "--input-type=module", "-e", _SCRIPT,
             (dist / "kiln.mjs").as_uri(), dist.as_uri() + "/", str(out)],
            env=toolchain.env(),
        )
    return out
