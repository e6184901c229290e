"""NumPy: load time in Kiln, and kernels in Kiln against native NumPy, same run."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

from kiln import cached, config, shell, toolchain

HERE = Path(__file__).parent


def numpy_version() -> str:
    lock = json.loads((config.DIST / config.LOCK_FILE).read_text())
    return lock["packages"]["numpy"]["version"]


def native_python() -> Path:
    """A native venv with the same NumPy version from PyPI, for comparison."""
    version = numpy_version()

    def install(venv: Path) -> None:
        shell.run([sys.executable, "-m", "venv", str(venv)])
        shell.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", f"numpy=={version}"])

    return cached.stage(config.BUILD / f"bench-native-numpy-{version}", install) / "bin" / "python"


def probe(kernels: bool = False, scipy: bool = False) -> dict:
    cmd = [str(toolchain.node_binary()), str(HERE / "probe_numpy.mjs"), str(config.DIST)]
    mode = ["--kernels"] if kernels else ["--scipy"] if scipy else []
    proc = subprocess.run(cmd + mode, capture_output=True, text=True, timeout=900)
    for line in proc.stdout.splitlines():
        if line.startswith("KILN-NUMPY "):
            return json.loads(line[len("KILN-NUMPY "):])
    raise RuntimeError(f"NumPy probe failed:\n{proc.stderr[-3000:]}")


def measure(runs: int) -> None:
    loads = [probe(kernels=False)["loadToFirstResultMs"] for _ in range(runs)]
    kernels_probe = probe(kernels=True)
    in_kiln, blas = kernels_probe["kernels"], kernels_probe["blas"]
    # Kiln's BLAS runs on one thread: so does native NumPy's OpenBLAS here.
    single_thread = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    native = json.loads(
        subprocess.run([str(native_python()), str(HERE / "numpy_kernels.py")], capture_output=True, text=True, check=True,
                       env=single_thread).stdout
    )
    print(f"\nNumPy {numpy_version()}: loadPackage('numpy') to first np.ones(3), ms (fresh processes):",
          ", ".join(f"{v:.0f}" for v in loads))
    print(f"  median: {statistics.median(loads):.0f} ms")
    print(f"BLAS in Kiln: {blas}; native NumPy {numpy_version()} from PyPI, one BLAS thread")
    print(f"{'kernel (best of 5)':<40} {'Kiln ms':>10} {'native ms':>10} {'Kiln/native':>12}")
    for name, seconds in in_kiln.items():
        print(f"{name:<40} {seconds * 1e3:>10.2f} {native[name] * 1e3:>10.2f} {seconds / native[name]:>12.2f}")
        if name.startswith("matmul 512x512"):
            print(f"{'':<40} {2 * 512**3 / seconds / 1e9:>9.1f}G {2 * 512**3 / native[name] / 1e9:>9.1f}G   (GFLOP/s)")
    lock = json.loads((config.DIST / config.LOCK_FILE).read_text())["packages"]
    if "scipy" in lock:
        loads = [probe(scipy=True)["loadToFirstResultMs"] for _ in range(runs)]
        print(f"SciPy {lock['scipy']['version']}: loadPackage('scipy') to the first scipy.linalg.solve, ms (fresh processes):",
              ", ".join(f"{v:.0f}" for v in loads), f"(median {statistics.median(loads):.0f} ms)")
    else:
        print("SciPy: not built (make scipy): its load time is not measured")
