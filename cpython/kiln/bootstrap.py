"""Make the host tools' venv (build/venv) from any Python >= 3.11.

The host tools need the target's Python, 3.13: pyodide-build and the stdlib
byte-compile must match the interpreter they build for. This finds one
(`--python`, `python3.13` on PATH, pyenv) or, when the machine has none (stock
Debian 12 has 3.11, Ubuntu 24.04 3.12), builds CPython 3.13.5 natively from
the same verified tarball the WASM build uses, once, into the cache. Then it
creates the venv and installs Kiln into it.

It runs before anything is installed, so it uses the standard library only:
`PYTHONPATH=cpython python3 -m kiln.bootstrap build/venv` (the Makefile does).
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

from . import cached, config, log, shell, sources
from .errors import KilnError

MINIMUM_BOOTSTRAP = (3, 11)

# Modules the host tools cannot do without, and the Debian package whose
# headers CPython's configure needs to build each.
REQUIRED_MODULES = {
    "ssl": "libssl-dev",  # pip and every download are https
    "zlib": "zlib1g-dev",  # wheels, zips
    "lzma": "liblzma-dev",  # .tar.xz sources (CPython's own tarball)
    "bz2": "libbz2-dev",
    "ctypes": "libffi-dev",
    "sqlite3": "libsqlite3-dev",  # pip's and pytest's caches
}


def _is_target_python(python: str) -> bool:
    try:
        out = subprocess.run(
            [python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True, text=True, timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return out.returncode == 0 and out.stdout.strip() == config.PYTHON_MAJOR_MINOR


def find_python() -> str | None:
    """A Python 3.13 already on this machine, or None."""
    version = config.PYTHON_MAJOR_MINOR
    candidates = [f"python{version}", *sorted(glob.glob(os.path.expanduser(f"~/.pyenv/versions/{version}*/bin/python{version}")))]
    for candidate in candidates:
        path = shutil.which(candidate) or (candidate if os.path.exists(candidate) else None)
        if path and _is_target_python(path):
            return path
    return None


def _missing_modules(python: Path) -> list[str]:
    probe = (
        "import importlib, sys\n"
        "for name in sys.argv[1:]:\n"
        "    try: importlib.import_module(name)\n"
        "    except ImportError: print(name)\n"
    )
    out = subprocess.run([str(python), "-c", probe, *REQUIRED_MODULES], capture_output=True, text=True, check=True)
    return out.stdout.split()


def build_python() -> Path:
    """CPython 3.13.5 built natively with pip, once per cache: its python3."""
    key = hashlib.sha256(f"{config.CPYTHON_TARBALL.sha256} host-python 1".encode()).hexdigest()[:16]
    home = cached.stage(config.BUILD_CACHE / f"host-python-{key}", _build_host_python)
    return home / "install" / "bin" / f"python{config.PYTHON_MAJOR_MINOR}"


def _build_host_python(home: Path) -> None:
    tarball = sources.fetch(config.CPYTHON_TARBALL)
    with log.step(f"building Python {config.PYTHON_VERSION} for the host tools (no Python {config.PYTHON_MAJOR_MINOR} on this machine; once, about 4 min)"):
        src = sources.extract(tarball, home / "src")
        build = home / "build"
        build.mkdir()
        log_file = home / "build.log"
        shell.run([str(src / "configure"), f"--prefix={home / 'install'}", "--with-ensurepip=install", "--disable-test-modules"],
                  cwd=build, log_file=log_file)
        shell.run(["make", f"-j{config.JOBS}"], cwd=build, log_file=log_file)
        missing = _missing_modules(build / "python")
        if missing:
            packages = " ".join(REQUIRED_MODULES[m] for m in missing)
            raise KilnError(
                f"the Python built for the host tools lacks {', '.join(missing)}: their C headers were not found. "
                f"Install them (apt install {packages}) and run make again. Build log: {log_file}"
            )
        shell.run(["make", "install"], cwd=build, log_file=log_file)
    shutil.rmtree(home / "src")
    shutil.rmtree(build)


def make_venv(venv: Path, python: str | Path) -> None:
    """A venv of `python` with Kiln (editable) and its test requirements."""
    with log.step(f"creating {venv} with {python}"):
        if venv.exists():
            shutil.rmtree(venv)
        shell.run([str(python), "-m", "venv", str(venv)])
        shell.run([str(venv / "bin" / "pip"), "install", "-q", "-e", f"{config.ROOT}[test]"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m kiln.bootstrap", description=__doc__.split("\n\n")[0])
    parser.add_argument("venv", type=Path, help="where to create the venv (build/venv)")
    parser.add_argument("--python", help=f"a Python {config.PYTHON_MAJOR_MINOR} to use instead of finding or building one")
    parser.add_argument("--build", action="store_true", help=f"build Python {config.PYTHON_VERSION} even if one is installed")
    args = parser.parse_args(argv)
    try:
        if sys.version_info[:2] < MINIMUM_BOOTSTRAP:
            raise KilnError(f"the bootstrap needs Python {'.'.join(map(str, MINIMUM_BOOTSTRAP))} or newer; this is {sys.version.split()[0]}")
        if args.python and not _is_target_python(args.python):
            raise KilnError(f"--python {args.python} is not a working Python {config.PYTHON_MAJOR_MINOR}")
        python = args.python or (None if args.build else find_python()) or build_python()
        log.info(f"host tools run on {python}")
        make_venv(args.venv, python)
    except KilnError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
