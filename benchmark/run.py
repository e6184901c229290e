"""`make bench`: Kiln against Pyodide, measured in the same run under the same Node 24.

Prints figures and Kiln/Pyodide ratios (below 1 means Kiln is smaller/faster).
Nothing here asserts a target: the numbers are for people to read.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from kiln import config, toolchain  # noqa: E402

import browser_start  # noqa: E402
import ffi  # noqa: E402
import http_bench  # noqa: E402
import micropip_bench  # noqa: E402
import numpy_bench  # noqa: E402
import peer  # noqa: E402
import startup  # noqa: E402
import trampoline_bench  # noqa: E402
import worker_bench  # noqa: E402
from pure_python import suite as pure_python  # noqa: E402


def print_summary(rows: list[tuple[str, float, float]], peer_label: str) -> None:
    print(f"\n{'metric':<40} {'Kiln':>12} {peer_label:>16} {'Kiln/Pyodide':>13}")
    for metric, kiln_value, peer_value in rows:
        print(f"{metric:<40} {kiln_value:>12.3f} {peer_value:>16.3f} {kiln_value / peer_value:>13.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5, help="fresh processes per runtime for timings (default 5)")
    args = parser.parse_args()
    toolchain.ensure()
    pyodide = peer.pyodide_dir()
    peer_label = f"Pyodide {peer.pyodide_version()}"
    node_version = toolchain.node_binary().parent.parent.name
    print(f"Kiln {config.KILN_VERSION} vs {peer_label}, both under {node_version}, {args.runs} runs each")
    runtimes = {"kiln": config.DIST, "pyodide": pyodide}
    # Kiln twice: started normally, and from its memory snapshot.
    start_runtimes = {"kiln": config.DIST, "kiln-snapshot": config.DIST, "pyodide": pyodide}
    results = startup.measure(start_runtimes, args.runs)
    rows = startup.report(results, peer_label)
    rows += browser_start.report(browser_start.measure(start_runtimes, args.runs), peer_label)
    rows += ffi.measure(runtimes, min(args.runs, 3))
    rows += pure_python.measure(args.runs)
    print_summary(rows, peer_label)
    micropip_bench.measure(min(args.runs, 3))
    http_bench.measure(min(args.runs, 3))
    worker_bench.measure(min(args.runs, 3))
    trampoline_bench.measure()
    numpy_rows = numpy_bench.measure(min(args.runs, 3), pyodide)
    if numpy_rows:
        print_summary(numpy_rows, peer_label)


if __name__ == "__main__":
    main()
