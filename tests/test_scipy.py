"""SciPy in Kiln: real computations across its modules, checked against
native SciPy 1.18.1 (same version, from PyPI) computing the same thing.

SciPy is built on request (`make scipy`: about half an hour on 2 cores), so
these tests run when its wheel is in dist/ and are skipped otherwise, with a
banner at the end of the run saying so (conftest.py)."""

import json
import math
import subprocess
import sys

import pytest

from kiln import config

LOCK = json.loads((config.DIST / config.LOCK_FILE).read_text())
SKIP_REASON = "SciPy tests skipped: wheel not built (run make scipy)"
pytestmark = pytest.mark.skipif("scipy" not in LOCK["packages"], reason=SKIP_REASON)

# Each entry exercises a different part of SciPy's compiled code: LAPACK
# through f2py and Cython, ?gees's callback, HiGHS (C++), QUADPACK, LSODA,
# the special-function ufuncs, SuperLU, ARPACK, ducc0 FFT, ndimage, signal,
# the KD-tree. The random data is PCG64's, identical on every platform.
CHECKS = """
import json
import numpy as np
from scipy import fft, integrate, interpolate, linalg, ndimage, optimize, signal, sparse, special, stats
from scipy.sparse.linalg import eigsh, spsolve
from scipy.spatial import KDTree

rng = np.random.default_rng(7)
a = rng.random((6, 6)) + 6 * np.eye(6)
b = rng.random(6)
sym = a + a.T
lap = sparse.diags([-1.0, 2.0, -1.0], [-1, 0, 1], shape=(50, 50), format="csc")
x = np.linspace(0, 10, 11)
tree = KDTree(rng.random((100, 3)))
distances, indices = tree.query([[0.5, 0.5, 0.5]], k=3)
out = {
    "linalg.solve": linalg.solve(a, b).tolist(),
    "linalg.eigvalsh": linalg.eigvalsh(sym).tolist(),
    "linalg.svdvals": linalg.svdvals(a).tolist(),
    "linalg.det": float(linalg.det(a)),
    "linalg.schur": sorted(np.diag(linalg.schur(sym)[0]).tolist()),
    "optimize.minimize": optimize.minimize(optimize.rosen, [1.3, 0.7, 0.8, 1.9, 1.2], method="BFGS",
                                           jac=optimize.rosen_der, options={"gtol": 1e-10}).x.tolist(),
    "optimize.brentq": optimize.brentq(lambda v: np.cos(v) - v, 0, 1),
    "optimize.linprog": float(optimize.linprog([-1, -2], A_ub=[[1, 1], [3, 1]], b_ub=[4, 6]).fun),
    "integrate.quad": integrate.quad(lambda v: np.exp(-v * v), -np.inf, np.inf)[0],
    "integrate.solve_ivp": integrate.solve_ivp(lambda t, y: -0.5 * y, (0, 10), [2.0], rtol=1e-10, atol=1e-12,
                                               t_eval=[1, 5, 10]).y[0].tolist(),
    "integrate.odeint": integrate.odeint(lambda y, t: -y, 1.0, [0, 1, 2], rtol=1e-10, atol=1e-12).ravel().tolist(),
    "special": [float(special.gamma(4.5)), float(special.jv(2, 3.7)), float(special.erf(0.3)), float(special.ellipk(0.4))],
    "stats": [float(stats.norm.cdf(1.3)), float(stats.t.ppf(0.975, 12)),
              float(stats.ttest_ind([1, 2, 3, 4, 5.5], [2, 3, 4.5, 6, 7]).pvalue)],
    "sparse.spsolve": spsolve(lap, np.ones(50))[:5].tolist(),
    "sparse.eigsh": sorted(eigsh(lap, k=3, which="LM", return_eigenvectors=False, tol=1e-12).tolist()),
    "interpolate.CubicSpline": interpolate.CubicSpline(x, np.sin(x))([0.5, 2.5, 7.25]).tolist(),
    "ndimage.gaussian_filter": ndimage.gaussian_filter(np.arange(25.0).reshape(5, 5), sigma=1).ravel()[:6].tolist(),
    "fft.fft": np.abs(fft.fft(np.arange(8.0))).tolist(),
    "signal.lfilter": signal.lfilter([0.2, 0.2], [1.0, -0.5], np.ones(6)).tolist(),
    "spatial.KDTree": [distances.ravel().tolist(), indices.ravel().tolist()],
}
json.dumps(out)
"""

SINGULAR = """
import numpy as np
from scipy import linalg
try:
    linalg.solve(np.zeros((3, 3)), np.ones(3))
    outcome = "no error"
except linalg.LinAlgError as error:
    outcome = f"LinAlgError: {error}"
[outcome, linalg.solve(np.eye(2), np.array([1.0, 2.0])).tolist()]
"""


@pytest.fixture(scope="module")
def native_results(native_python):
    code = CHECKS.rsplit("json.dumps(out)", 1)[0] + "print(json.dumps(out))"
    proc = subprocess.run([str(native_python), "-c", code], capture_output=True, text=True, check=True)
    return json.loads(proc.stdout)


@pytest.fixture(scope="module")
def native_singular(native_python):
    code = SINGULAR.rstrip().rsplit("\n", 1)
    code = code[0] + "\nimport json\nprint(json.dumps(" + code[1] + "))"
    proc = subprocess.run([str(native_python), "-c", code], capture_output=True, text=True, check=True)
    return json.loads(proc.stdout)


def _assert_close(kiln: dict, native: dict) -> None:
    assert kiln.keys() == native.keys()
    for name in native:
        got, want = _flatten(kiln[name]), _flatten(native[name])
        assert len(got) == len(want), name
        for g, w in zip(got, want):
            assert math.isclose(g, w, rel_tol=1e-7, abs_tol=1e-10), f"{name}: Kiln {kiln[name]} != native {native[name]}"


def _flatten(value) -> list[float]:
    if isinstance(value, list):
        return [v for item in value for v in _flatten(item)]
    return [float(value)]


def test_scipy_computes_what_native_scipy_computes(node, native_results, native_singular):
    values = node.report(f"""
        const kiln = await loadKiln();
        const loaded = await kiln.loadPackage("scipy");
        const results = JSON.parse(kiln.runPython(`{CHECKS}`));
        const singular = kiln.runPython(`{SINGULAR}`).toJs();
        report([loaded.map((p) => p.name).sort(), results, singular, kiln.runPython("2 + 2")]);
    """, timeout=600)
    loaded, results, singular, after = values
    assert loaded == ["libcxx", "libopenblas", "numpy", "scipy"]
    _assert_close(results, native_results)
    assert singular == native_singular and singular[0].startswith("LinAlgError: ")
    assert after == 4


def test_scipy_in_chromium(chromium, native_results, native_singular):
    values = chromium.main(f"""
        const {{ loadKiln }} = await import("/dist/kiln.mjs");
        const kiln = await loadKiln();
        await kiln.loadPackage("scipy");
        return [JSON.parse(kiln.runPython(`{CHECKS}`)), kiln.runPython(`{SINGULAR}`).toJs()];
    """, timeout=600_000)
    results, singular = values
    _assert_close(results, native_results)
    assert singular == native_singular


def test_numpy_and_scipy_share_one_openblas(node24):
    values = node24.report("""
        const kiln = await loadKiln();
        await kiln.loadPackage("scipy");
        report(kiln.runPython(`
import numpy as np, scipy
blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]["name"]
sblas = scipy.show_config(mode="dicts")["Build Dependencies"]["blas"]["name"]
[blas, sblas]`).toJs());
    """)
    assert values == ["openblas", "openblas"]


def test_scipy_test_suite(capsys):
    """SciPy's own tests inside WASM (tests/package_tests/scipy.toml): per-file
    and per-module counts, strict known failures, minimums per file."""
    proc = subprocess.run([sys.executable, "-m", "kiln", "test-package", "scipy"], capture_output=True, text=True)
    with capsys.disabled():
        print("\n" + proc.stdout)
    assert proc.returncode == 0, proc.stdout[-5000:] + proc.stderr[-3000:]
    assert "by module" in proc.stdout and "scipy.sparse.linalg" in proc.stdout
