"""Profile-guided optimisation of the interpreter: CPython's own objects.

As CPython's `--enable-optimizations` does natively: an instrumented build runs
a training task, and the real build is compiled with the counters it wrote.
  runtime()  compiler-rt's profile writer for wasm (from the LLVM sources of the
             clang that compiles CPython), with cpython/pgo/registry.c in place
             of its generic platform file
  profile()  an instrumented CPython, linked into a core with that runtime, run on
             CPython's PGO task in Node (cpython/pgo/train.py); the merged
             counters, kiln.profdata, plus configure's cache for the real build
build.wasm_build() compiles with `use_flags(profile())`. Side modules are not
trained and recipes are not rebuilt: the profile changes no ABI.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from functools import cache
from pathlib import Path

from kiln import cached, config, log, shell, sources, toolchain
from kiln.errors import KilnError

from . import build as cpython_build
from . import core_fixed_base, core_link

PGO_DIR = config.CPYTHON_DIR / "pgo"
INSTRUMENT_FLAGS = "-fprofile-instr-generate"
# The core's memory base, which registry.c corrects the counters' offsets by.
# Emscripten's glue always loads the core there (core_fixed_base relies on it
# too); the training core's glue is checked against it.
MEMORY_BASE = 1024
# compiler-rt's profile writer, minus the platform file registry.c replaces
# (and InstrProfilingRuntime.cpp: the profile is written on request, not at exit).
RUNTIME_SOURCES = [
    "InstrProfiling.c", "InstrProfilingBuffer.c", "InstrProfilingFile.c", "InstrProfilingInternal.c",
    "InstrProfilingMerge.c", "InstrProfilingMergeFile.c", "InstrProfilingNameVar.c", "InstrProfilingUtil.c",
    "InstrProfilingValue.c", "InstrProfilingVersionVar.c", "InstrProfilingWriter.c",
]
# A trained profile has run the eval loop millions of times; fewer means the
# training did not run or the counters were not found.
MIN_EVAL_LOOP_ENTRIES = 100_000


def _hash(*parts: str | bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode() if isinstance(part, str) else part)
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def use_flags(profile: Path) -> str:
    return f"-fprofile-instr-use={profile}"


# --- the profile runtime --------------------------------------------------

@cache
def runtime_key() -> str:
    return _hash(config.LLVM_SOURCE.sha256, (PGO_DIR / "registry.c").read_bytes(), config.CFLAGS, str(MEMORY_BASE), *RUNTIME_SOURCES)


def runtime() -> Path:
    """libkilnprof.a: the profile writer linked into the training core."""
    home = cached.stage(config.BUILD_CACHE / f"pgo-runtime-{runtime_key()}", _build_runtime)
    return home / "libkilnprof.a"


def _build_runtime(home: Path) -> None:
    tarball = sources.fetch(config.LLVM_SOURCE)
    src = home / "src"
    src.mkdir()
    with log.step(f"unpacking compiler-rt's profile runtime from {tarball.name}"):
        # Only its two folders: the whole tree is over 1 GB.
        shell.run(["tar", "-xJf", str(tarball), "-C", str(src), "--strip-components=1", "--wildcards",
                   "*/compiler-rt/lib/profile/*", "*/compiler-rt/include/profile/*"])
    profile_src = src / "compiler-rt" / "lib" / "profile"
    flags = [*config.CFLAGS.split(), f"-I{src / 'compiler-rt' / 'include'}", f"-I{profile_src}", "-DCOMPILER_RT_HAS_UNAME=1"]
    objects = []
    with log.step("compiling the profile runtime"):
        for source in [*(profile_src / name for name in RUNTIME_SOURCES), PGO_DIR / "registry.c"]:
            obj = home / (source.stem + ".o")
            defines = [f"-DKILN_MEMORY_BASE={MEMORY_BASE}", "-Wall", "-Werror"] if source.parent == PGO_DIR else []
            shell.run(["emcc", "-c", *flags, *defines, str(source), "-o", str(obj)], env=toolchain.env())
            objects.append(obj)
        shell.run(["emar", "rcs", str(home / "libkilnprof.a"), *map(str, objects)], env=toolchain.env())
    shutil.rmtree(src)


# --- training -------------------------------------------------------------

def instrumented_flags() -> str:
    return f"{config.INTERPRETER_SPEED_FLAGS} {INSTRUMENT_FLAGS}"


@cache
def profile_key() -> str:
    return _hash(
        cpython_build.tree_key(instrumented_flags()),
        runtime_key(),
        cpython_build.stdlib_key(),
        *(path.read_bytes() for path in sorted(PGO_DIR.glob("train.*"))),
    )


def profile() -> Path:
    """kiln.profdata: the counters of the training run, merged."""
    home = cached.stage(config.BUILD_CACHE / f"pgo-profile-{profile_key()}", _train)
    return home / "kiln.profdata"


def configure_cache(profile_path: Path) -> Path:
    """configure's answers from the instrumented build: the same configure
    arguments and compiler, only CFLAGS_NODIST differs, which it does not test."""
    return profile_path.parent / "config.cache"


def _train(home: Path) -> None:
    # The instrumented tree is only needed until its counters are written.
    tree = home / "instrumented"
    tree.mkdir()
    build = cpython_build.build_tree(tree, instrumented_flags())
    core = home / "core"
    core.mkdir()
    core_link.link_core(build, core, extra_inputs=[runtime()])
    base = core_fixed_base.glue_bases((core / config.CORE_JS).read_text())["__memory_base"]
    if base != MEMORY_BASE:
        raise KilnError(f"the training core's memory base is {base}, but the profile runtime corrects offsets by {MEMORY_BASE} (pgo.MEMORY_BASE)")
    out = home / "raw"
    out.mkdir()
    with log.step("training: CPython's PGO tests in the instrumented interpreter (about 2 minutes)"):
        shell.run(
            [str(toolchain.node_binary()), str(PGO_DIR / "train.mjs"), str(core / config.CORE_JS), str(core / config.CORE_WASM),
             str(cpython_build.patched_lib()), str(cpython_build.shared_module_dir(build)), str(PGO_DIR), str(out)],
            env=toolchain.env(),
            log_file=home / "training.log",
        )
    profdata = home / "kiln.profdata"
    shell.run([str(config.LLVM_BIN / "llvm-profdata"), "merge", "-o", str(profdata), str(out / "kiln.profraw")])
    _check_profile(profdata)
    shutil.copy(build / "config.cache", configure_cache(profdata))
    shutil.rmtree(tree)
    shutil.rmtree(core)
    shutil.rmtree(out)


def _check_profile(profdata: Path) -> None:
    shown = shell.run(
        [str(config.LLVM_BIN / "llvm-profdata"), "show", "--counts", "--function=_PyEval_EvalFrameDefault", str(profdata)],
        capture=True,
    )
    found = re.search(r"Function count: (\d+)", shown)
    entries = int(found.group(1)) if found else 0
    if entries < MIN_EVAL_LOOP_ENTRIES:
        raise KilnError(
            f"the training profile {profdata} counts {entries} entries into the eval loop "
            f"(expected over {MIN_EVAL_LOOP_ENTRIES}): the training did not run, or its counters were misread"
        )
    log.info(f"training profile: the eval loop entered {entries:,} times")
