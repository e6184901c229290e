"""NumPy kernels timed identically inside Kiln and in native CPython.

Run as a script natively; inside Kiln its source is run by probe_numpy.mjs.
Prints one JSON line: seconds per kernel (best of the repeats).
"""

import json
import time

import numpy as np

REPEATS = 5


def best_of(fn) -> float:
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def kernels() -> dict[str, float]:
    rng = np.random.default_rng(0)
    a, b = rng.random((512, 512)), rng.random((512, 512))
    a32, b32 = a.astype(np.float32), b.astype(np.float32)
    m = rng.random((500, 500)) + 500 * np.eye(500)
    rhs = rng.random(500)
    s = rng.random((300, 300))
    sym = s + s.T
    values = rng.random(1_000_000)
    x, y = rng.random(1_000_000), rng.random(1_000_000)
    return {
        "matmul 512x512 float64": best_of(lambda: a @ b),
        "matmul 512x512 float32": best_of(lambda: a32 @ b32),
        "linalg.solve 500x500": best_of(lambda: np.linalg.solve(m, rhs)),
        "linalg.eigh 300x300": best_of(lambda: np.linalg.eigh(sym)),
        "sort 1e6": best_of(lambda: np.sort(values)),
        "elementwise 1e6 (x*y + sin(x))": best_of(lambda: x * y + np.sin(x)),
    }


if __name__ == "__main__":
    print(json.dumps(kernels()))
