"""Installing package archives fetched by the loader (loader/src/packages.mjs)."""

from __future__ import annotations

import importlib
import os
import sys
import sysconfig
import zipfile

# Shared libraries (install_dir "dynlib") go where dlopen() looks for them.
DYNLIB_DIR = "/usr/lib"


def _target(install_dir: str) -> str:
    if install_dir == "site":
        return sysconfig.get_path("purelib")
    if install_dir == "dynlib":
        return DYNLIB_DIR
    if install_dir == "stdlib":
        return os.path.join(sys.prefix, "lib", f"python{sys.version_info.major}.{sys.version_info.minor}")
    raise ValueError(f"unknown install_dir {install_dir!r} in the lock file")


def install_archive(path: str, install_dir: str) -> list[str]:
    """Unpack a wheel or zip; return the paths of the side modules (.so) it holds."""
    target = _target(install_dir)
    os.makedirs(target, exist_ok=True)
    with zipfile.ZipFile(path) as archive:
        archive.extractall(target)
        names = archive.namelist()
    for name in names:
        if name.endswith(".dist-info/RECORD"):
            with open(os.path.join(target, name.replace("RECORD", "INSTALLER")), "w") as marker:
                marker.write("kiln\n")
    os.remove(path)
    importlib.invalidate_caches()
    return [os.path.join(target, name) for name in names if name.endswith(".so")]
