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
    a = rng.random((256, 256))
    b = rng.random((256, 256))
    values = rng.random(1_000_000)
    x, y = rng.random(1_000_000), rng.random(1_000_000)
    return {
        "matmul 256x256": best_of(lambda: a @ b),
        "sort 1e6": best_of(lambda: np.sort(values)),
        "elementwise 1e6 (x*y + sin(x))": best_of(lambda: x * y + np.sin(x)),
    }


if __name__ == "__main__":
    print(json.dumps(kernels()))
