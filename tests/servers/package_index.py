"""A real package index on 127.0.0.1 for the tests and the benchmark.

It serves the wheels listed in tests/package_index/wheels.toml (real PyPI
wheels, fetched and verified by sha256 into the download cache) and one wheel
built here, through every API micropip speaks:

    /index/simple/<project>/        PEP 691 JSON or PEP 503 HTML, by Accept header
    /index/html/<project>/          PEP 503 HTML only (#sha256= fragments)
    /index/pypi/<project>/json      the legacy JSON API
    /index/badhash/<project>/       PEP 691 JSON listing a wrong sha256
    /index/files/<file name>        the wheels
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import threading
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path

from kiln import config, sources

WHEELS_TOML = Path(__file__).parents[1] / "package_index" / "wheels.toml"
JSON_TYPE = "application/vnd.pypi.simple.v1+json"


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass
class IndexFile:
    project: str
    version: str
    path: Path
    sha256: str

    @property
    def filename(self) -> str:
        return self.path.name


def build_greeting_wheel(folder: Path) -> Path:
    """kiln-greeting 1.0: a pure-Python wheel built by the tests, needing six>=1.17."""
    dist_info = "kiln_greeting-1.0.dist-info"
    files = {
        "kiln_greeting.py": "import six\n\n\ndef greet(name):\n    return f'hello {name} (six {six.__version__})'\n",
        f"{dist_info}/METADATA": "Metadata-Version: 2.1\nName: kiln-greeting\nVersion: 1.0\nRequires-Dist: six>=1.17\n",
        f"{dist_info}/WHEEL": "Wheel-Version: 1.0\nGenerator: kiln-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        f"{dist_info}/top_level.txt": "kiln_greeting\n",
    }
    record = []
    wheel = folder / "kiln_greeting-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in files.items():
            data = text.encode()
            zf.writestr(zipfile.ZipInfo(name, (2020, 1, 1, 0, 0, 0)), data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            record.append(f"{name},sha256={digest},{len(data)}")
        record.append(f"{dist_info}/RECORD,,")
        zf.writestr(zipfile.ZipInfo(f"{dist_info}/RECORD", (2020, 1, 1, 0, 0, 0)), "\n".join(record) + "\n")
    return wheel


def build_unloadable_wheel(folder: Path) -> Path:
    """kiln-unloadable 1.0: a wheel built by the tests whose side module
    cannot load (it needs a symbol nothing defines)."""
    from side_modules import UNLOADABLE_SOURCE, build_side_module

    library = build_side_module(folder, "unloadable", UNLOADABLE_SOURCE).read_bytes()
    dist_info = "kiln_unloadable-1.0.dist-info"
    files = {
        "kiln_unloadable/__init__.py": b"",
        "kiln_unloadable/_ext.so": library,
        f"{dist_info}/METADATA": b"Metadata-Version: 2.1\nName: kiln-unloadable\nVersion: 1.0\n",
        f"{dist_info}/WHEEL": b"Wheel-Version: 1.0\nGenerator: kiln-tests\nRoot-Is-Purelib: false\nTag: py3-none-any\n",
    }
    wheel = folder / "kiln_unloadable-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(zipfile.ZipInfo(name, (2020, 1, 1, 0, 0, 0)), data)
        zf.writestr(zipfile.ZipInfo(f"{dist_info}/RECORD", (2020, 1, 1, 0, 0, 0)), "")
    return wheel


class PackageIndex:
    """The index's files and pages; `requests` logs every path asked for."""

    def __init__(self, work: Path):
        self.files: dict[str, list[IndexFile]] = {}
        self.requests: list[str] = []
        self._lock = threading.Lock()
        entries = tomllib.loads(WHEELS_TOML.read_text())["wheel"]
        paths = [sources.fetch(config.Download(e["url"], e["sha256"])) for e in entries]
        work.mkdir(parents=True, exist_ok=True)
        paths.append(build_greeting_wheel(work))
        paths.append(build_unloadable_wheel(work))
        for path in paths:
            project, version = path.name.split("-")[:2]
            entry = IndexFile(canonical(project), version, path, sources.sha256_of(path))
            self.files.setdefault(entry.project, []).append(entry)

    def wheel(self, filename: str) -> IndexFile | None:
        return next((f for files in self.files.values() for f in files if f.filename == filename), None)

    def log(self, path: str) -> None:
        with self._lock:
            self.requests.append(path)

    def wheel_downloads(self) -> list[str]:
        with self._lock:
            return [p.rsplit("/", 1)[-1] for p in self.requests if p.startswith("/index/files/")]

    # -- pages: (status, content type, body) --------------------------------

    def page(self, path: str, accept: str, base: str) -> tuple[int, str, bytes]:
        self.log(path)
        parts = [p for p in path.split("/") if p][1:]  # drop "index"
        if len(parts) == 2 and parts[0] == "files":
            found = self.wheel(parts[1])
            return (200, "application/octet-stream", found.path.read_bytes()) if found else _not_found()
        if parts == ["simple"]:
            return self._root(accept)
        if len(parts) == 2 and parts[0] in ("simple", "html", "badhash"):
            files = self.files.get(canonical(parts[1]))
            if files is None:
                return _not_found()
            if parts[0] == "badhash":
                return self._pep691(parts[1], files, base, wrong_hash=True)
            if parts[0] == "simple" and JSON_TYPE in accept:
                return self._pep691(parts[1], files, base)
            return self._pep503(files, base)
        if len(parts) == 3 and parts[0] == "pypi" and parts[2] == "json":
            files = self.files.get(canonical(parts[1]))
            return self._legacy_json(parts[1], files, base) if files else _not_found()
        return _not_found()

    def _root(self, accept: str) -> tuple[int, str, bytes]:
        names = sorted(self.files)
        if JSON_TYPE in accept:
            body = {"meta": {"api-version": "1.1"}, "projects": [{"name": n} for n in names]}
            return 200, JSON_TYPE, json.dumps(body).encode()
        links = "".join(f'<a href="{n}/">{n}</a>\n' for n in names)
        return 200, "text/html", f"<!DOCTYPE html><html><body>\n{links}</body></html>".encode()

    def _pep691(self, name: str, files: list[IndexFile], base: str, wrong_hash: bool = False):
        body = {
            "meta": {"api-version": "1.1"},
            "name": canonical(name),
            "versions": sorted({f.version for f in files}),
            "files": [
                {
                    "filename": f.filename,
                    "url": f"{base}/index/files/{f.filename}",
                    "hashes": {"sha256": "0" * 64 if wrong_hash else f.sha256},
                    "size": f.path.stat().st_size,
                }
                for f in files
            ],
        }
        return 200, JSON_TYPE, json.dumps(body).encode()

    def _pep503(self, files: list[IndexFile], base: str):
        links = "".join(
            f'<a href="{base}/index/files/{html.escape(f.filename)}#sha256={f.sha256}">{html.escape(f.filename)}</a><br/>\n'
            for f in files
        )
        return 200, "text/html", f"<!DOCTYPE html><html><body>\n{links}</body></html>".encode()

    def _legacy_json(self, name: str, files: list[IndexFile], base: str):
        releases: dict[str, list] = {}
        for f in files:
            releases.setdefault(f.version, []).append(
                {
                    "filename": f.filename,
                    "url": f"{base}/index/files/{f.filename}",
                    "digests": {"sha256": f.sha256},
                    "size": f.path.stat().st_size,
                    "packagetype": "bdist_wheel",
                    "yanked": False,
                }
            )
        latest = max(releases, key=lambda v: tuple(int(x) for x in re.findall(r"\d+", v)))
        body = {"info": {"name": files[0].project, "version": latest}, "releases": releases}
        return 200, "application/json", json.dumps(body).encode()


def _not_found() -> tuple[int, str, bytes]:
    return 404, "text/plain", b"not found\n"
