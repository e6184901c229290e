"""Installing package archives: wheels and zips fetched and verified by the
loader (loader/src/packages/), and wheels micropip hands over through
`pyodide_js._api.install`.

Every archive is checked whole before anything is written: no member may
leave its target folder. An archive's side modules are loaded before its
files are written, so one that fails to load leaves nothing installed.
Inside an install transaction (kiln.install, and micropip.install through
Kiln's adapter) wheels are only staged, and written when the whole install
has succeeded, so a failed install leaves nothing.
"""

from __future__ import annotations

import contextvars
import io
import os
import posixpath
import sys
import sysconfig
import zipfile

from . import _imports

# Shared libraries (install_dir "dynlib") go where dlopen() looks for them
# (config.WASM_SHARED_LIB_DIR, which the JS unpacker uses).
DYNLIB_DIR = "/usr/lib"


class UnsafeArchive(ValueError):
    """An archive member would be written outside its target folder."""


def target_dir(install_dir: str) -> str:
    if install_dir == "site":
        return sysconfig.get_path("purelib")
    if install_dir == "dynlib":
        return DYNLIB_DIR
    if install_dir == "stdlib":
        return os.path.join(sys.prefix, "lib", f"python{sys.version_info.major}.{sys.version_info.minor}")
    if install_dir.startswith("/"):
        return install_dir  # micropip passes the site-packages path itself
    raise ValueError(f"unknown install_dir {install_dir!r}")


def check_members(archive: zipfile.ZipFile, file_name: str) -> list[str]:
    """The member names, refusing any that would be written outside the
    install folder or cannot be written as named: a file named '.' or '..',
    or a file another member needs as a folder (the rule of the loader's
    checkMemberNames, with the same messages)."""
    names = archive.namelist()

    def refuse(name: str, why: str) -> None:
        raise UnsafeArchive(f"{file_name}: refusing to install, member {name!r} {why}")

    files: dict[str, str] = {}  # normalised path -> member name
    paths = []
    for name in names:
        slashed = name.replace("\\", "/")
        path = posixpath.normpath(slashed)
        if slashed.startswith("/") or path == ".." or path.startswith("../") or ":" in name.split("/", 1)[0]:
            refuse(name, "would be written outside the install folder")
        is_folder = slashed.endswith("/")
        if not is_folder and (path == "." or slashed.rsplit("/", 1)[-1] in (".", "..")):
            refuse(name, "is not a file name")
        if not is_folder:
            files[path] = name
        paths.append((name, path, is_folder))
    for name, path, is_folder in paths:
        parts = path.split("/")
        for depth in range(1, len(parts) + is_folder):
            folder = "/".join(parts[:depth])
            if folder in files:
                refuse(files[folder], f"is a file, and member {name!r} needs it to be a folder")
    return names


def _dist_info_dir(names: list[str]) -> str | None:
    dirs = {name.split("/", 1)[0] for name in names if name.split("/", 1)[0].endswith(".dist-info")}
    return dirs.pop() if len(dirs) == 1 else None


RELAXED_SUFFIX = ".relaxed-simd.so"


def _is_relaxed_twin(name: str, names) -> bool:
    return name.endswith(RELAXED_SUFFIX) and name[: -len(RELAXED_SUFFIX)] + ".so" in names


def _variant(name: str, names, relaxed_simd: bool) -> str:
    """The member written under `name`: of a side module built twice, the
    variant the engine runs (relaxed_simd)."""
    relaxed = name[: -len(".so")] + RELAXED_SUFFIX if name.endswith(".so") else None
    return relaxed if relaxed_simd and relaxed in names else name


def _side_modules(archive: zipfile.ZipFile, target: str, relaxed_simd: bool) -> list[tuple[str, str, bytes]]:
    """(member name, path written to, contents) of each side module `archive` installs."""
    names = set(archive.namelist())
    return [
        (name, os.path.join(target, *name.split("/")), archive.read(_variant(name, names, relaxed_simd)))
        for name in archive.namelist()
        if name.endswith(".so") and not _is_relaxed_twin(name, names)
    ]


def _extract(archive: zipfile.ZipFile, target: str, relaxed_simd: bool) -> None:
    """Write every member, each in one write: MEMFS grows a file by copying
    it, so chunked writes of a multi-MB library copy it over and over.
    A side module built twice (`X.so` and `X.relaxed-simd.so`) is written
    once, as `X.so` (the name its dependents link against), from the variant
    the engine runs (relaxed_simd)."""
    names = set(archive.namelist())
    for info in archive.infolist():
        name = info.filename
        if _is_relaxed_twin(name, names):
            continue  # written under the plain name, or not at all
        path = os.path.join(target, *name.split("/"))
        if info.is_dir():
            os.makedirs(path, exist_ok=True)
            continue
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(archive.read(_variant(name, names, relaxed_simd)))


def _write_archive(data: bytes, file_name: str, install_dir: str, metadata: dict[str, str], relaxed_simd: bool = False) -> None:
    """Unpack `data`; write `metadata` files into its .dist-info."""
    target = target_dir(install_dir)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = check_members(archive, file_name)
        os.makedirs(target, exist_ok=True)
        _extract(archive, target, relaxed_simd)
    dist_info = _dist_info_dir(names)
    if dist_info is not None:
        for name, text in metadata.items():
            with open(os.path.join(target, dist_info, name), "w") as f:
                f.write(text)
    _imports.invalidate_caches()


def side_modules(data: bytes, file_name: str, install_dir: str, relaxed_simd: bool = False) -> list[tuple[str, str, bytes]]:
    """The side modules an archive installs: (member name, path, contents) each."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        check_members(archive, file_name)
        return _side_modules(archive, target_dir(install_dir), relaxed_simd)


def _for_js(modules: list[tuple[str, str, bytes]]):
    """Side modules as the loader takes them: [[path, Uint8Array]]."""
    from .ffi import to_js

    return to_js([(path, contents) for _, path, contents in modules])


async def _load_side_modules(modules: list[tuple[str, str, bytes]]) -> None:
    """Load side modules before their files are written (the module docstring)."""
    if modules:
        from . import _host

        await _host.packages.preloadSideModules(_for_js(modules))


def archive_side_modules(buffer, file_name: str, install_dir: str, relaxed_simd: bool = False):
    """side_modules() for the loader, where Python's zipfile unpacks."""
    return _for_js(side_modules(buffer.to_bytes(), file_name, install_dir, relaxed_simd))


def install_archive(buffer, file_name: str, install_dir: str, source: str, relaxed_simd: bool = False) -> None:
    """Install an archive the loader fetched and verified (a JS Uint8Array), its
    side modules already loaded; relaxed_simd: the engine runs relaxed SIMD
    (which variant of a side module to write)."""
    _write_archive(buffer.to_bytes(), file_name, install_dir, {"INSTALLER": "kiln\n", "PYODIDE_SOURCE": source}, relaxed_simd)


class Transaction:
    """Wheels staged by one install, written only when it succeeds."""

    def __init__(self) -> None:
        # (wheel, file name, install_dir, metadata, its side modules)
        self.staged: list[tuple[bytes, str, str, dict[str, str], list[tuple[str, str, bytes]]]] = []
        self.ended = False

    def stage(self, data: bytes, file_name: str, install_dir: str, metadata: dict[str, str]) -> None:
        if self.ended:
            raise RuntimeError(f"{file_name}: its install has already ended")
        modules = side_modules(data, file_name, install_dir)  # a bad zip fails now, before anything is written
        self.staged.append((data, file_name, install_dir, metadata, modules))

    async def load_cxx_runtime_if_needed(self) -> None:
        """Before anything is written (a failure installs nothing)."""
        for _, file_name, _, _, modules in self.staged:
            await load_cxx_runtime_if_needed(modules, file_name)

    async def load_side_modules(self) -> None:
        """Before anything is written (a failure installs nothing)."""
        await _load_side_modules([module for *_, modules in self.staged for module in modules])

    def commit(self) -> None:
        """Write every staged wheel (their side modules loaded)."""
        self.ended = True
        for data, file_name, install_dir, metadata, _ in self.staged:
            _write_archive(data, file_name, install_dir, metadata)

    def abort(self) -> list[str]:
        """Drop every staged wheel; the file names dropped."""
        self.ended = True
        return [file_name for _, file_name, *_ in self.staged]


current_transaction: contextvars.ContextVar[Transaction | None] = contextvars.ContextVar("kiln_install", default=None)


async def load_cxx_runtime_if_needed(modules: list[tuple[str, str, bytes]], file_name: str) -> None:
    """The C++ runtime is a package of its own (not in the core): the loader
    loads it if a side module (`side_modules()`) of this archive calls into it."""
    from . import _host
    from .ffi import to_js

    for name, _, contents in modules:
        await _host.packages.ensureCxxRuntime(to_js(contents), f"{file_name}: {name}")


async def install_wheel(buffer, file_name: str, install_dir: str, metadata=None) -> None:
    """micropip's `pyodide_js._api.install(buffer, filename, install_dir, metadata)`."""
    data = buffer.to_bytes() if hasattr(buffer, "to_bytes") else bytes(buffer)
    metadata = {str(k): str(v) for k, v in (metadata or {}).items()}
    metadata.setdefault("INSTALLER", "kiln\n")
    transaction = current_transaction.get()
    if transaction is not None:
        transaction.stage(data, file_name, install_dir, metadata)
        return
    modules = side_modules(data, file_name, install_dir)
    await load_cxx_runtime_if_needed(modules, file_name)
    await _load_side_modules(modules)
    _write_archive(data, file_name, install_dir, metadata)
