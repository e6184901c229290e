"""Core download size and cold init time, Kiln (started normally and from its
memory snapshot) vs Pyodide, in one run."""

from __future__ import annotations

import gzip
import json
import statistics
import subprocess
from pathlib import Path

from kiln import toolchain

PROBE = Path(__file__).with_name("probe_init.mjs")


def probe(runtime: str, folder: Path) -> dict:
    proc = subprocess.run(
        [str(toolchain.node_binary()), str(PROBE), runtime, str(folder)], capture_output=True, text=True, timeout=300
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{runtime} failed to start:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def gzip_size(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=9))


def measure(runtimes: dict[str, Path], runs: int) -> dict[str, dict]:
    """Alternate the runtimes run by run, so both see the same machine state."""
    results = {name: {"init_ms": [], "files": None} for name in runtimes}
    for _ in range(runs):
        for name, folder in runtimes.items():
            sample = probe(name, folder)
            results[name]["init_ms"].append(sample["initMs"])
            results[name]["files"] = sample["files"]
    for name, folder in runtimes.items():
        files = results[name]["files"]
        results[name]["raw_bytes"] = {f: (folder / f).stat().st_size for f in files}
        results[name]["gzip_bytes"] = {f: gzip_size(folder / f) for f in files}
        results[name]["init_median_ms"] = statistics.median(results[name]["init_ms"])
    return results


def report(results: dict[str, dict], peer_label: str) -> list[tuple[str, float, float]]:
    kiln, snapshot, peer = results["kiln"], results["kiln-snapshot"], results["pyodide"]
    for name, r in results.items():
        label = {"kiln": "Kiln", "kiln-snapshot": "Kiln, loadKiln({snapshot: true})"}.get(name, peer_label)
        print(f"\n{label}: files a first load reads (raw / gzip -9)")
        for f in r["files"]:
            print(f"  {f:<28} {r['raw_bytes'][f] / 1e6:8.3f} MB {r['gzip_bytes'][f] / 1e6:8.3f} MB")
        print(f"  {'total':<28} {sum(r['raw_bytes'].values()) / 1e6:8.3f} MB {sum(r['gzip_bytes'].values()) / 1e6:8.3f} MB")
        print(f"  cold init (ms, each a fresh process): {', '.join(f'{v:.0f}' for v in r['init_ms'])}")
    def total_mb(r: dict, key: str) -> float:
        return sum(r[key].values()) / 1e6

    return [
        ("core download, gzip -9 (MB)", total_mb(kiln, "gzip_bytes"), total_mb(peer, "gzip_bytes")),
        ("core download, uncompressed (MB)", total_mb(kiln, "raw_bytes"), total_mb(peer, "raw_bytes")),
        ("cold init, median (ms)", kiln["init_median_ms"], peer["init_median_ms"]),
        ("cold init from snapshot, median (ms)", snapshot["init_median_ms"], peer["init_median_ms"]),
        ("download with snapshot, gzip -9 (MB)", total_mb(snapshot, "gzip_bytes"), total_mb(peer, "gzip_bytes")),
    ]
