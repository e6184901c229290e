"""Wheels for dist/ with their modules byte-compiled.

A fresh interpreter has no __pycache__, so every module a package imports
would be compiled from source in WASM on each page load (`import numpy`: about
0.85 s of its 1.1 s). Each .py of a wheel gets an unchecked-hash pyc beside it
(`__pycache__/<name>.cpython-313.pyc`, the path CPython looks for), valid
whatever the installed file's mtime; the sources stay, for tracebacks and
inspect. RECORD lists the new files. Compiled by this host Python, which must
be the same minor version as the WASM one (same magic number), with
-X no_debug_ranges as the stdlib is (column tables only serve the ^^^ markers
in tracebacks of library frames).
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import marshal
import subprocess
import sys
import zipfile
from pathlib import Path

from kiln import cached, config

KEY_VERSION = "1"  # bump when what this module writes changes


def compiled_wheel(wheel: Path) -> Path:
    """`wheel` with pycs added, from the cache (keyed by the wheel's bytes)."""
    digest = hashlib.sha256(wheel.read_bytes())
    digest.update(Path(__file__).read_bytes())
    digest.update(KEY_VERSION.encode())
    out = config.CACHE / "builds" / f"pyc-{wheel.stem[:40]}-{digest.hexdigest()[:16]}"

    def build(folder: Path) -> None:
        subprocess.run(
            [sys.executable, "-X", "no_debug_ranges", "-m", "kiln.packages.bytecode", str(wheel), str(folder / wheel.name)],
            check=True,
        )

    return cached.stage(out, build) / wheel.name


def _pyc(source: bytes, filename: str) -> bytes | None:
    try:
        code = compile(source, filename, "exec", dont_inherit=True, optimize=0)
    except SyntaxError:
        return None  # e.g. a template or a py2-only file: importing it fails either way
    flags = 0b01  # hash-based, not checked against the source
    return importlib.util.MAGIC_NUMBER + flags.to_bytes(4, "little") + importlib.util.source_hash(source) + marshal.dumps(code)


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def _write(source: Path, out: Path) -> None:
    if sys.version_info[:2] != tuple(int(x) for x in config.PYTHON_MAJOR_MINOR.split(".")):
        raise RuntimeError(f"byte-compiling for Python {config.PYTHON_MAJOR_MINOR} needs the same host Python, not {sys.version}")
    tag = sys.implementation.cache_tag  # cpython-313
    tmp = out.with_suffix(".tmp")
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
        names = zin.namelist()
        records = [n for n in names if n.endswith(".dist-info/RECORD")]
        if len(records) != 1:
            raise ValueError(f"{source.name}: expected one .dist-info/RECORD, found {len(records)}")
        added = []
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == records[0]:
                continue
            zout.writestr(info, data, compresslevel=9)
            if not info.filename.endswith(".py") or "__pycache__" in info.filename:
                continue
            folder, _, base = info.filename.rpartition("/")
            pyc_name = f"{folder + '/' if folder else ''}__pycache__/{base[:-3]}.{tag}.pyc"
            if pyc_name in names:
                continue
            pyc = _pyc(data, f"{config.WASM_SITE_PACKAGES}/{info.filename}")
            if pyc is None:
                continue
            pyc_info = zipfile.ZipInfo(pyc_name, date_time=info.date_time)
            pyc_info.compress_type = zipfile.ZIP_DEFLATED
            zout.writestr(pyc_info, pyc, compresslevel=9)
            added.append(_record_line(pyc_name, pyc))
        record = zin.read(records[0]).decode()
        lines = record.splitlines()
        last = [line for line in lines if line.startswith(records[0] + ",")]
        kept = [line for line in lines if line and line not in last]
        text = "\n".join([*kept, *added, *(last or [f"{records[0]},,"])]) + "\n"
        record_info = zin.getinfo(records[0])
        zout.writestr(record_info, text.encode(), compresslevel=9)
    tmp.replace(out)


if __name__ == "__main__":
    _write(Path(sys.argv[1]), Path(sys.argv[2]))
