"""The test gates cannot pass vacuously: a suite that collects nothing, runs
fewer tests than its minimum, or lists a known failure that no longer fails
(or matches nothing) fails the gate."""

import subprocess
import sys


def kiln(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kiln", *args], capture_output=True, text=True, timeout=900)


def test_package_gate_fails_on_a_mistyped_path_and_on_too_few_tests(tmp_path):
    suite = tmp_path / "suite.toml"
    suite.write_text('''
packages = ["pluggy", "pytest"]
[paths."pluggy/no_such_tests"]
min_passed = 1
''')
    proc = kiln("test-package", str(suite))
    assert proc.returncode == 1
    assert "pytest exited with status 4" in proc.stdout or "pytest exited with status 5" in proc.stdout
    assert "fewer than its minimum of 1" in proc.stdout


def _sample_suite(tmp_path, known_failures):
    (tmp_path / "test_sample.py").write_text("def test_passes():\n    assert True\n")
    suite = tmp_path / "suite.toml"
    suite.write_text(f'''
packages = ["pytest"]
pytest_args = ["--rootdir=/tmp"]
setup_files = {{ "/tmp/kiln_gate_sample/test_sample.py" = "{tmp_path / 'test_sample.py'}" }}
[paths."/tmp/kiln_gate_sample/test_sample.py"]
min_passed = 1
known_failures = {{ {known_failures} }}
''')
    return suite


def test_package_gate_fails_when_a_known_failure_passes(tmp_path):
    proc = kiln("test-package", str(_sample_suite(tmp_path, '"*::test_passes" = "pretends to fail"')))
    assert proc.returncode == 1, proc.stdout
    assert "XPASS(strict)" in proc.stdout and "test_sample.py::test_passes" in proc.stdout
    assert "matches no collected test" not in proc.stdout


def test_package_gate_fails_when_a_known_failure_matches_nothing(tmp_path):
    proc = kiln("test-package", str(_sample_suite(tmp_path, '"*::test_missing" = "matches nothing"')))
    assert proc.returncode == 1, proc.stdout
    assert "known-failure or skip pattern matches no collected test" in proc.stdout and "*::test_missing" in proc.stdout


def test_gates_refuse_a_module_without_a_minimum(tmp_path):
    gate = tmp_path / "gate.toml"
    gate.write_text("[modules.test_fractions]\nmin_run = 0\n")
    proc = kiln("test-cpython", "--gate", str(gate))
    assert proc.returncode != 0 and "needs a min_run of at least 1" in proc.stderr + proc.stdout
    suite = tmp_path / "suite.toml"
    suite.write_text('packages = ["pytest"]\n[paths."pluggy"]\nmin_passed = 0\n')
    proc = kiln("test-package", str(suite))
    assert proc.returncode != 0 and "needs a min_passed of at least 1" in proc.stderr + proc.stdout


def test_cpython_gate_fails_on_too_few_tests_and_stale_known_failures(tmp_path):
    gate = tmp_path / "gate.toml"
    gate.write_text('''
[modules.test_fractions]
min_run = 100000
known_failures = { "test.test_fractions.FractionTest.testInit" = "pretends to fail", "test.test_fractions.Nothing.*" = "matches nothing" }
''')
    proc = kiln("test-cpython", "--gate", str(gate))
    assert proc.returncode == 1
    assert "fewer than its minimum of 100000" in proc.stdout
    assert "known failure now passes" in proc.stdout
    assert "pattern matches no test in this module" in proc.stdout
