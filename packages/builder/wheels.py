"""Wheel post-processing: platform tag, test split, importable names."""

from __future__ import annotations

import base64
import hashlib
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

from packaging.utils import parse_wheel_filename

from kiln import config

# Test code stays out of the runtime wheel (it is a large share of NumPy's):
# it ships as <name>-tests, loaded only to run the package's own tests.
TEST_PATH = re.compile(r"(^|/)(tests?|testing/tests)/|(^|/)(test_[^/]*|conftest)\.py$")


def retag(wheel: Path) -> Path:
    """Re-tag a platform wheel for Kiln's platform (pyodide-build tags its own)."""
    name, version, build, tags = parse_wheel_filename(wheel.name)
    if all(tag.platform == "any" for tag in tags) or all(tag.platform == config.PLATFORM_TAG for tag in tags):
        return wheel
    subprocess.run(
        [sys.executable, "-m", "wheel", "tags", "--platform-tag", config.PLATFORM_TAG, "--remove", str(wheel)],
        check=True,
        capture_output=True,
    )
    retagged = [p for p in wheel.parent.glob("*.whl") if config.PLATFORM_TAG in p.name]
    if len(retagged) != 1:
        raise RuntimeError(f"retagging {wheel.name} gave {retagged}")
    return retagged[0]


def split_tests(wheel: Path, tests_zip: Path) -> bool:
    """Move test files out of `wheel` into `tests_zip`; False if it has none."""
    with zipfile.ZipFile(wheel) as zf:
        infos = zf.infolist()
        tests = [i for i in infos if TEST_PATH.search(i.filename) and ".dist-info/" not in i.filename]
        if not tests:
            return False
        kept = [i for i in infos if i not in tests]
        with tempfile.TemporaryDirectory() as tmp:
            rebuilt = Path(tmp) / wheel.name
            _copy_entries(zf, kept, rebuilt)
            _copy_entries(zf, tests, tests_zip)
            _rewrite_record(rebuilt)
            shutil.move(rebuilt, wheel)
    return True


def _copy_entries(source: zipfile.ZipFile, infos: list[zipfile.ZipInfo], out: Path) -> None:
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for info in infos:
            zf.writestr(info, source.read(info))


def _rewrite_record(wheel: Path) -> None:
    """Drop RECORD lines of files no longer in the wheel."""
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        record = next(n for n in names if n.endswith(".dist-info/RECORD"))
        lines = [line for line in zf.read(record).decode().splitlines() if line.split(",", 1)[0] in names]
        entries = [(i, zf.read(i)) for i in zf.infolist() if i.filename != record]
    with zipfile.ZipFile(wheel, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for info, data in entries:
            zf.writestr(info, data)
        zf.writestr(record, "\n".join(lines) + "\n")


def top_level_names(wheel: Path) -> list[str]:
    """Importable top-level names: packages and modules at the wheel's root."""
    names: set[str] = set()
    with zipfile.ZipFile(wheel) as zf:
        for name in zf.namelist():
            first = PurePosixPath(name).parts[0]
            if first.endswith((".dist-info", ".data")) or first.startswith("_") and first.endswith(".pth"):
                continue
            if "/" in name:
                if first.isidentifier():
                    names.add(first)
            elif name.endswith(".py"):
                names.add(name[:-3])
            elif name.endswith(".so"):
                names.add(name.split(".", 1)[0])
    return sorted(names)


def make_wheel(tree: Path, name: str, version: str, tag: str, out_dir: Path) -> Path:
    """A wheel of the files under `tree`, with the dist-info a wheel needs."""
    distribution = re.sub(r"[-_.]+", "_", name)
    dist_info = f"{distribution}-{version}.dist-info"
    metadata = {
        f"{dist_info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        f"{dist_info}/WHEEL": f"Wheel-Version: 1.0\nGenerator: kiln\nRoot-Is-Purelib: false\nTag: {tag}\n",
    }
    wheel = out_dir / f"{distribution}-{version}-{tag}.whl"
    record = []
    with zipfile.ZipFile(wheel, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        entries = [(p.relative_to(tree).as_posix(), p.read_bytes()) for p in sorted(tree.rglob("*")) if p.is_file()]
        entries += [(path, text.encode()) for path, text in metadata.items()]
        for path, data in entries:
            zf.writestr(_entry(path), data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            record.append(f"{path},sha256={digest},{len(data)}")
        record.append(f"{dist_info}/RECORD,,")
        zf.writestr(_entry(f"{dist_info}/RECORD"), "\n".join(record) + "\n")
    return wheel


def _entry(path: str) -> zipfile.ZipInfo:
    """A deflated entry with a fixed timestamp, so rebuilt wheels are byte-identical.
    (A ZipInfo passed to writestr keeps its own compress_type: ZIP_STORED unless set.)"""
    info = zipfile.ZipInfo(path, date_time=(2020, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info
