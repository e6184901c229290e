"""Pure-Python speed: Kiln vs Pyodide vs native CPython, one long-lived process each.

Every runtime runs the same workloads/ through the same harness.py, timed inside
Python with time.perf_counter(), so startup and bridge overhead are not counted.
After one warm-up call per workload, rounds are interleaved (each round times
every workload once in every runtime), so a noisy neighbour slows all three
alike, and the best time of each workload in each runtime counts. Kiln is
CPython 3.13, Pyodide brings its own CPython, native is the CPython running
this script.

Standalone: build/venv/bin/python benchmark/pure_python/suite.py --repeats 3 [--only nbody,float]
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # benchmark/, for peer when run standalone

from kiln import config, toolchain  # noqa: E402

import peer  # noqa: E402

RUNTIMES = ("kiln", "pyodide", "native")


def workload_names() -> list[str]:
    return sorted(p.stem for p in (HERE / "workloads").glob("*.py") if p.stem != "__init__")


def commands() -> dict[str, list[str]]:
    node, runner = str(toolchain.node_binary()), str(HERE / "runner.mjs")
    return {
        "kiln": [node, runner, "kiln", str(config.DIST)],
        "pyodide": [node, runner, "pyodide", str(peer.pyodide_dir())],
        "native": [sys.executable, str(HERE / "native_runner.py")],
    }


class Worker:
    """One runtime process speaking the JSON-lines protocol of harness.py."""

    def __init__(self, runtime: str, argv: list[str]):
        self.runtime = runtime
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.python = self._reply()["python"]

    def _reply(self) -> dict:
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"{self.runtime} worker exited with code {self.proc.wait()} (its stderr is above)")
        return json.loads(line)

    def time(self, workload: str) -> float:
        self.proc.stdin.write(json.dumps({"workload": workload}) + "\n")
        self.proc.stdin.flush()
        reply = self._reply()
        if "error" in reply:
            raise RuntimeError(f"{workload} failed in {self.runtime}:\n{reply['error']}")
        return reply["seconds"]

    def close(self) -> None:
        self.proc.kill()  # stateless: nothing to flush, and a hung worker must not block us
        self.proc.wait()


def measure(repeats: int, only: list[str] | None = None) -> list[tuple[str, float, float]]:
    """Print the table; return summary rows (metric, Kiln, Pyodide) for run.py."""
    names = only or workload_names()
    workers: dict[str, Worker] = {}
    try:
        for runtime, argv in commands().items():
            workers[runtime] = Worker(runtime, argv)  # one at a time: start-ups do not compete
        versions = ", ".join(f"{runtime} {w.python}" for runtime, w in workers.items())
        print(f"\npure Python ({versions}): {len(names)} workloads, best of {repeats} interleaved rounds")
        for name in names:  # warm-up: imports, module setup, first-call caches
            for worker in workers.values():
                worker.time(name)
        best = {(name, runtime): math.inf for name in names for runtime in RUNTIMES}
        for _ in range(repeats):
            for name in names:
                for runtime, worker in workers.items():
                    best[name, runtime] = min(best[name, runtime], worker.time(name))
    finally:
        for worker in workers.values():
            worker.close()
    return report(names, best)


def report(names: list[str], best: dict[tuple[str, str], float]) -> list[tuple[str, float, float]]:
    def geomean(runtime: str, over: str | None = None) -> float:
        """Over the workloads: of the runtime's seconds, or of its ratio to runtime `over`."""
        return statistics.geometric_mean(best[n, runtime] / (best[n, over] if over else 1) for n in names)

    row = "{:<18} {:>9} {:>10} {:>9} {:>13} {:>12}".format
    print(row("workload", "Kiln s", "Pyodide s", "native s", "Kiln/Pyodide", "Kiln/native"))
    for name in names:
        kiln, pyodide, native = (best[name, runtime] for runtime in RUNTIMES)
        print(row(name, f"{kiln:.4f}", f"{pyodide:.4f}", f"{native:.4f}", f"{kiln / pyodide:.2f}", f"{kiln / native:.2f}"))
    print(row("geometric mean", "", "", "", f"{geomean('kiln', 'pyodide'):.2f}", f"{geomean('kiln', 'native'):.2f}"))
    # Kiln/Pyodide of these rows is the geometric mean of the per-workload ratios.
    return [
        ("pure Python, geomean time (ms)", geomean("kiln") * 1000, geomean("pyodide") * 1000),
        ("pure Python, geomean time / native", geomean("kiln", "native"), geomean("pyodide", "native")),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=5, help="interleaved timed rounds (default 5)")
    parser.add_argument("--only", help="comma-separated workloads (default: all of workloads/)")
    args = parser.parse_args()
    only = args.only.split(",") if args.only else None
    unknown = set(only or ()) - set(workload_names())
    if unknown:
        parser.error(f"unknown workloads: {', '.join(sorted(unknown))}; known: {', '.join(workload_names())}")
    measure(args.repeats, only)


if __name__ == "__main__":
    main()
