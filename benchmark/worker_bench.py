"""Worker mode (loadKiln({worker: true})) against in-thread Kiln, under Node 24:
init time, round trip of a trivial runPython, and interrupt latency.

In-thread Python blocks its thread, so its interrupts come from a helper
worker_thread writing the interrupt buffer (Pyodide's setInterruptBuffer);
worker mode uses kiln.interrupt() from the calling thread.
"""

from __future__ import annotations

import json
import statistics
import subprocess

from kiln import config, toolchain

PROBE = config.BENCHMARK_DIR / "probe_worker.mjs"
SAMPLES = 20  # round trips and interrupts, in one process per mode
MODES = ("worker", "thread")


def probe(mode: str, samples: int) -> dict:
    proc = subprocess.run(
        [str(toolchain.node_binary()), str(PROBE), mode, str(config.DIST), str(samples)],
        capture_output=True,
        text=True,
        timeout=300,  # a lost interrupt would spin forever
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{mode} worker probe failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def measure(runs: int) -> None:
    init: dict[str, list[float]] = {mode: [] for mode in MODES}
    steady: dict[str, dict] = {}
    # Modes alternate run by run, so both see the same machine state; only the
    # first run of each also times round trips and interrupts.
    for run in range(runs):
        for mode in MODES:
            sample = probe(mode, SAMPLES if run == 0 else 0)
            init[mode].append(sample["initMs"])
            steady.setdefault(mode, sample)

    def median(mode: str, *keys: str) -> float:
        values = steady[mode]
        for key in keys:
            values = values[key]
        return statistics.median(values)

    rows = [(f"init to runPython('1+1') = 2 (ms, median of {runs} processes)", *(statistics.median(init[m]) for m in MODES))]
    rows.append(("runPython('1') round trip (us)", *(median(m, "roundTripMs") * 1000 for m in MODES)))
    for case, label in (("busy", "busy loop"), ("sleep", "time.sleep(10)")):
        rows.append((f"interrupt, {label}: to except block (ms)", *(median(m, "interrupts", case, "raisedMs") for m in MODES)))
        rows.append((f"interrupt, {label}: to JS rejection (ms)", *(median(m, "interrupts", case, "settledMs") for m in MODES)))

    print(f"\nworker mode vs in-thread ({toolchain.node_binary('24').parent.parent.name}); round trips and interrupts: median of {SAMPLES} in one process")
    print("  interrupt: from kiln.interrupt() (worker) / a helper thread writing the buffer (in-thread), to the clock")
    print("  read in Python's except block, and to the runPython promise rejecting / in-thread runPython throwing")
    print(f"{'metric':<58} {'worker':>10} {'in-thread':>10} {'worker/in-thread':>17}")
    for metric, worker, thread in rows:
        print(f"{metric:<58} {worker:>10.2f} {thread:>10.2f} {worker / thread:>17.2f}")


if __name__ == "__main__":
    import sys

    measure(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
