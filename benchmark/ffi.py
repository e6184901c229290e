"""Call overhead across the bridge, Kiln vs Pyodide, same Node, same run."""

from __future__ import annotations

import json
import statistics
import subprocess
from pathlib import Path

from kiln import toolchain

PROBE = Path(__file__).with_name("probe_ffi.mjs")
CALLS = 100_000


def probe(runtime: str, folder: Path) -> dict:
    proc = subprocess.run(
        [str(toolchain.node_binary()), str(PROBE), runtime, str(folder), str(CALLS)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{runtime} FFI probe failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def measure(runtimes: dict[str, Path], runs: int) -> list[tuple[str, float, float]]:
    samples: dict[str, list[dict]] = {name: [] for name in runtimes}
    for _ in range(runs):
        for name, folder in runtimes.items():
            samples[name].append(probe(name, folder))

    def median(name: str, key: str) -> float:
        return statistics.median(s[key] for s in samples[name])

    print(f"\nbridge calls ({CALLS:,} per run, median of {runs} fresh processes), ns per call:")
    rows = []
    for key, label in (("jsToPythonNs", "JS -> Python call (ns)"), ("pythonToJsNs", "Python -> JS call (ns)")):
        rows.append((label, median("kiln", key), median("pyodide", key)))
    return rows
