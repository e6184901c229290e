"""CPython's own regression tests as a gate (see tests/cpython_gate/gate.toml)."""

import subprocess
import sys


def test_cpython_regression_gate(capsys):
    proc = subprocess.run([sys.executable, "-m", "kiln", "test-cpython"], capture_output=True, text=True)
    with capsys.disabled():
        print("\n" + proc.stdout)
    assert proc.returncode == 0, proc.stdout[-5000:] + proc.stderr[-3000:]
    assert "TOTAL" in proc.stdout
