"""NumPy's own test suite inside WASM (see tests/package_tests/numpy.toml)."""

import subprocess
import sys


def test_numpy_test_suite(capsys):
    proc = subprocess.run([sys.executable, "-m", "kiln", "test-package", "numpy"], capture_output=True, text=True)
    with capsys.disabled():
        print("\n" + proc.stdout)
    assert proc.returncode == 0, proc.stdout[-5000:] + proc.stderr[-3000:]
    assert "TOTAL" in proc.stdout
