"""Fetching source files from the registries, verified by sha256, cached by hash."""

from __future__ import annotations

import hashlib
import shutil
import tarfile
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

from . import cached, config, log
from .config import Download
from .errors import KilnError


class ChecksumMismatch(KilnError):
    def __init__(self, file_name: str, expected: str, actual: str, url: str):
        self.file_name, self.expected, self.actual = file_name, expected, actual
        super().__init__(
            f"sha256 mismatch for {file_name}\n"
            f"  from:     {url}\n"
            f"  expected: {expected}\n"
            f"  actual:   {actual}\n"
            "The file was not used. Fix the sha256 in its recipe/config if the new file is trusted."
        )


class DownloadFailed(KilnError):
    pass


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def cached_path(download: Download) -> Path:
    return config.DOWNLOADS / download.sha256 / download.file_name


def fetch(download: Download, *, attempts: int = 3) -> Path:
    """Return the verified local copy of `download`, fetching it if needed."""
    folder = cached_path(download).parent
    try:
        cached.stage(folder, lambda out: _download(download, out / download.file_name, attempts))
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)  # no trace of an unverified file
        raise
    return folder / download.file_name


def _download(download: Download, target: Path, attempts: int) -> None:
    for attempt in range(1, attempts + 1):
        try:
            _stream_to(download.url, target, download.file_name)
            break
        except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
            if isinstance(error, urllib.error.HTTPError) and error.code == 404:
                raise DownloadFailed(f"404 Not Found: {download.url}") from None
            if attempt == attempts:
                raise DownloadFailed(f"could not download {download.url}: {error}") from None
            log.info(f"retrying {download.file_name} after: {error}")
            time.sleep(2 * attempt)
    actual = sha256_of(target)
    if actual != download.sha256:
        target.unlink()
        raise ChecksumMismatch(download.file_name, download.sha256, actual, download.url)


def _stream_to(url: str, path: Path, label: str) -> None:
    with urllib.request.urlopen(url, timeout=60) as response, open(path, "wb") as out:
        length = response.headers.get("Content-Length")
        progress = log.Progress(f"downloading {label}", int(length) if length else None)
        while chunk := response.read(1 << 20):
            out.write(chunk)
            progress.advance(len(chunk))


def extract(archive: Path, dest: Path, *, strip_components: int = 1) -> Path:
    """Unpack a tarball or zip into a fresh `dest`, dropping leading path parts."""
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    if zipfile.is_zipfile(archive):
        with zipfile.ZipFile(archive) as zf:
            for info in zf.infolist():
                parts = Path(info.filename).parts[strip_components:]
                if not parts:
                    continue
                out = dest.joinpath(*parts)
                if info.is_dir():
                    out.mkdir(parents=True, exist_ok=True)
                else:
                    out.parent.mkdir(parents=True, exist_ok=True)
                    out.write_bytes(zf.read(info))
        return dest
    with tarfile.open(archive) as tf:
        members = []
        for member in tf.getmembers():
            parts = Path(member.name).parts[strip_components:]
            if not parts:
                continue
            member.name = str(Path(*parts))
            if member.islnk():
                member.linkname = str(Path(*Path(member.linkname).parts[strip_components:]))
            members.append(member)
        tf.extractall(dest, members=members, filter="fully_trusted")
    return dest
