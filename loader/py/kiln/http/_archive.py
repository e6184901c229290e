"""Unpacking downloaded archives (with no path escaping the target folder)."""

from __future__ import annotations

import os
import shutil
import tempfile

_TAR_SUFFIXES = (".tar.gz", ".tar.bz2", ".tar.xz", ".tgz", ".tbz2", ".txz", ".tar")
_TAR_FORMATS = ("tar", "gztar", "bztar", "xztar")


def unpack_bytes(data: bytes, file_name: str, extract_dir: str | None, format: str | None) -> None:
    """shutil.unpack_archive on `data`; the format comes from `file_name` unless given."""
    suffix = next((s for s in (*_TAR_SUFFIXES, ".zip", ".whl") if file_name.endswith(s)), os.path.splitext(file_name)[1])
    if format is None and suffix == ".whl":
        format = "zip"
    is_tar = format in _TAR_FORMATS or (format is None and suffix in _TAR_SUFFIXES)
    fd, path = tempfile.mkstemp(suffix=suffix)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        # Tar members are filtered like `tar --no-absolute-names`; zip members
        # leaving the folder are skipped by shutil itself.
        extra = {"filter": "data"} if is_tar else {}
        shutil.unpack_archive(path, extract_dir or os.getcwd(), format, **extra)
    finally:
        os.remove(path)
