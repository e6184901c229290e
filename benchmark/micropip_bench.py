"""micropip.install("requests") in a fresh runtime, Kiln vs Pyodide, same Node, same run.

Both install from the tests' package index on 127.0.0.1 (tests/servers: real
PyPI wheels pinned by sha256), so the network is out of the figure. Kiln is
measured twice: with an empty package cache (a first visit) and with a warm
one (a reload: the wheels come from the cache, the index pages still from
the server).
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from kiln import config, sources, toolchain

import peer

sys.path.insert(0, str(config.ROOT / "tests"))
from servers.package_index import PackageIndex  # noqa: E402
from servers.server import TestServer  # noqa: E402

PROBE = Path(__file__).with_name("probe_micropip.mjs")
PROJECTS = ("requests", "urllib3", "idna", "certifi", "charset-normalizer")


def _peer_wheels(base: str) -> list[str]:
    """micropip and packaging for Pyodide: the very wheels Kiln ships, from dist/
    (the npm package lacks them), checked against Kiln's lock file."""
    lock = json.loads((config.DIST / config.LOCK_FILE).read_text())["packages"]
    urls = []
    for name in ("micropip", "packaging"):
        entry = lock[name]
        if sources.sha256_of(config.DIST / entry["file_name"]) != entry["sha256"]:
            raise RuntimeError(f"dist/{entry['file_name']} does not match the lock file's sha256")
        urls.append(f"{base}/dist/{entry['file_name']}")
    return urls


def _probe(args: list[str], index: PackageIndex, expected: dict[str, str]) -> dict:
    before = len(index.wheel_downloads())
    proc = subprocess.run([str(toolchain.node_binary()), str(PROBE), *args], capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        raise RuntimeError(f"{args[0]} micropip probe failed:\n{proc.stderr[-3000:]}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    # A broken install must not be timed as a fast one.
    if result["installed"] != expected:
        raise RuntimeError(f"{args[0]} installed {result['installed']}, expected {expected}")
    result["wheelDownloads"] = len(index.wheel_downloads()) - before
    return result


def measure(runs: int) -> None:
    with tempfile.TemporaryDirectory(prefix="kiln-micropip-bench-") as tmp:
        work = Path(tmp)
        index = PackageIndex(work / "index")
        expected = {name: index.files[name][0].version for name in PROJECTS}
        expected["requests-import"] = expected["requests"]
        (work / "www").mkdir()
        (work / "www" / "dist").symlink_to(config.DIST)
        server = TestServer(work / "www", index=index)
        try:
            index_url = f"{server.url}/index/simple"
            kiln = ["kiln", str(config.DIST), index_url]
            pyodide = ["pyodide", str(peer.pyodide_dir()), index_url, "-", *_peer_wheels(server.url)]
            warm = work / "warm-cache"
            _probe([*kiln, str(warm)], index, expected)  # fills the warm cache (untimed)
            samples: dict[str, list[dict]] = {"cold": [], "pyodide": [], "warm": []}
            for i in range(runs):  # interleaved, so drift on a shared machine hits all three alike
                cold = work / f"cold-cache-{i}"
                samples["cold"].append(_probe([*kiln, str(cold)], index, expected))
                shutil.rmtree(cold, ignore_errors=True)
                samples["pyodide"].append(_probe(pyodide, index, expected))
                samples["warm"].append(_probe([*kiln, str(warm)], index, expected))
        finally:
            server.close()

    def median(name: str, key: str) -> float:
        return statistics.median(s[key] for s in samples[name])

    peer_ms = median("pyodide", "installMs")
    print(f"\nmicropip.install('requests') (requests {expected['requests']} + 4 dependencies) from a local index,"
          f" fresh runtime, median of {runs} fresh processes:")
    print(f"{'':<40} {'ms':>10} {'Kiln/Pyodide':>13} {'wheels fetched':>15}")
    for name, label in (("cold", "Kiln (empty package cache)"), ("pyodide", f"Pyodide {peer.pyodide_version()}"),
                        ("warm", "Kiln, reload with cache")):
        ms = median(name, "installMs")
        ratio = f"{ms / peer_ms:.2f}" if name != "pyodide" else ""
        print(f"{label:<40} {ms:>10.1f} {ratio:>13} {median(name, 'wheelDownloads'):>15.0f}")


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    measure(parser.parse_args().runs)
