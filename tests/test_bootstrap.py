"""`make` on a machine without Python 3.13: the bootstrap (cpython/kiln/bootstrap.py)
runs on an older Python, builds CPython 3.13.5 natively from the verified
tarball (cached), and makes a venv whose `kiln` CLI works."""

import os
import shutil
import subprocess

import pytest

from kiln import config


def _older_python() -> str | None:
    for name in ("python3.11", "python3.12", "/usr/bin/python3.11", "/usr/bin/python3.12"):
        path = shutil.which(name)
        if path:
            return path
    return None


def test_bootstrap_from_an_older_python_builds_313_and_a_working_kiln(tmp_path, capsys):
    older = _older_python()
    if older is None:
        with capsys.disabled():
            print("\n*** bootstrap test SKIPPED: no python3.11 or python3.12 on this machine ***")
        pytest.skip("no Python 3.11/3.12 to bootstrap from")
    env = {**os.environ, "PYTHONPATH": str(config.CPYTHON_DIR)}
    venv = tmp_path / "venv"
    # --build: use the Python it builds even though this machine has a 3.13
    proc = subprocess.run([older, "-m", "kiln.bootstrap", str(venv), "--build"], env=env, capture_output=True, text=True,
                          timeout=3000)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    version = subprocess.run([venv / "bin" / "python", "-c", "import sys, ssl, lzma, pyodide_build; print(sys.version.split()[0])"],
                             capture_output=True, text=True)
    assert version.stdout.strip() == config.PYTHON_VERSION, version.stderr
    assert f"host tools run on {config.BUILD_CACHE}" in proc.stdout + proc.stderr
    cli = subprocess.run([venv / "bin" / "kiln", "--help"], capture_output=True, text=True)
    assert cli.returncode == 0 and "build-recipes" in cli.stdout


def test_bootstrap_refuses_a_python_that_is_not_313(tmp_path):
    older = _older_python() or shutil.which("python3")
    env = {**os.environ, "PYTHONPATH": str(config.CPYTHON_DIR)}
    proc = subprocess.run([older, "-m", "kiln.bootstrap", str(tmp_path / "venv"), "--python", older], env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert f"--python {older} is not a working Python {config.PYTHON_MAJOR_MINOR}" in proc.stderr
    assert not (tmp_path / "venv").exists()
