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


def probe(kernels: bool = False, scipy: bool = False, pyodide: Path | None = None) -> dict:
    cmd = [str(toolchain.node_binary()), str(HERE / "probe_numpy.mjs"), str(pyodide or config.DIST)]
    mode = ["--kernels"] if kernels else ["--scipy"] if scipy else ["--pyodide"] if pyodide else []
    proc = subprocess.run(cmd + mode, capture_output=True, text=True, timeout=900)
    for line in proc.stdout.splitlines():
        if line.startswith("KILN-NUMPY "):
            return json.loads(line[len("KILN-NUMPY "):])
    raise RuntimeError(f"NumPy probe failed:\n{proc.stderr[-3000:]}")


def pyodide_numpy_wheel(pyodide: Path) -> Path:
    """Pyodide's own NumPy wheel, as its lock file names it (its npm package ships none)."""
    lock = json.loads((pyodide / "pyodide-lock.json").read_text())
    return pyodide / lock["packages"]["numpy"]["file_name"]


def measure(runs: int, pyodide: Path) -> list[tuple[str, float, float]]:
    """Prints the NumPy figures; the load-time row for the summary when Pyodide's wheel is here."""
    peer_wheel = pyodide_numpy_wheel(pyodide)
    loads, peer_loads = [], []
    for _ in range(runs):  # alternated, as the other figures
        loads.append(probe()["loadToFirstResultMs"])
        if peer_wheel.exists():
            peer_loads.append(probe(pyodide=pyodide)["loadToFirstResultMs"])
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
    if peer_loads:
        print(f"  Pyodide's own NumPy ({peer_wheel.name}): {', '.join(f'{v:.0f}' for v in peer_loads)}, "
              f"median {statistics.median(peer_loads):.0f} ms, Kiln/Pyodide {statistics.median(loads) / statistics.median(peer_loads):.2f}")
    else:
        print(f"  Pyodide's own NumPy: {peer_wheel.name} is not in {pyodide} (Pyodide's npm package ships no packages): Kiln alone")
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
    if peer_loads:
        return [("loadPackage('numpy') to np.ones(3) (ms)", statistics.median(loads), statistics.median(peer_loads))]
    return []
