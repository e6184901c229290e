"""`kiln python`: Kiln's WASM interpreter as a command, like CPython's python.sh."""

import subprocess
import sys


def kiln_python(*args: str, cwd, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kiln", "python", *args], cwd=cwd, input=stdin,
                          capture_output=True, text=True, timeout=600)


def test_command_exit_status_and_argv(tmp_path):
    proc = kiln_python("-c", "import sys; print(sys.platform, sys.argv[1:]); sys.exit(3)", "a", "b", cwd=tmp_path)
    assert proc.stdout == "emscripten ['a', 'b']\n"
    assert proc.returncode == 3


def test_script_reads_its_folder_and_stdin(tmp_path):
    (tmp_path / "data.txt").write_text("from the host\n")
    (tmp_path / "greet.py").write_text(
        "name = input('name? ')\n"
        "print(open('data.txt').read().strip(), '-', name)\n"
        "open('out.txt', 'w').write(name.upper())\n"
    )
    proc = kiln_python("greet.py", cwd=tmp_path, stdin="kiln\n")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "name? from the host - kiln\n"
    assert (tmp_path / "out.txt").read_text() == "KILN"


def test_module_and_uncaught_exception(tmp_path):
    proc = kiln_python("-m", "json.tool", cwd=tmp_path, stdin='{"b": [1, 2]}')
    assert proc.returncode == 0 and proc.stdout == '{\n    "b": [\n        1,\n        2\n    ]\n}\n'
    proc = kiln_python("-c", "1/0", cwd=tmp_path)
    assert proc.returncode == 1 and proc.stderr.strip().endswith("ZeroDivisionError: division by zero")


def test_cpython_tests_run_with_dash_m_test(tmp_path):
    proc = kiln_python("-m", "test", "test_bool", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "Result: SUCCESS" in proc.stdout
