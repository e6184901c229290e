"""The call trampoline's cost per call (cpython/core/trampoline.wat).

Side-module C functions are called through the trampoline, which checks the
callee's real type (ref.test) so that a function pointer cast to another
signature does not trap. Measured as ns per call through it minus ns per
direct call_indirect, both driven from WebAssembly, under Node 24.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path

from kiln import config, shell, toolchain

HERE = Path(__file__).parent / "trampoline"
TRAMPOLINE_WAT = config.ROOT / "cpython/core/trampoline.wat"


def measure() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        wasm = {}
        for name, wat in (("driver", HERE / "driver.wat"), ("trampoline", TRAMPOLINE_WAT)):
            wasm[name] = Path(tmp) / f"{name}.wasm"
            shell.run(
                ["wasm-as", "--enable-gc", "--enable-reference-types", str(wat), "-o", str(wasm[name])],
                env=toolchain.env(),
                capture=True,
            )
        out = subprocess.run(
            [str(toolchain.node_binary()), str(HERE / "probe.mjs"), str(wasm["driver"]), str(wasm["trampoline"])],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    figures = json.loads(out)
    cost = figures["trampolinedNs"] - figures["directNs"]
    print(
        f"\ncall trampoline (side-module C calls): {figures['trampolinedNs']:.2f} ns/call through it, "
        f"{figures['directNs']:.2f} ns direct: {cost:+.2f} ns per call"
    )
