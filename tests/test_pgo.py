"""Profile-guided optimisation of the interpreter (cpython/builder/pgo.py).

The profile runtime is checked on a small program linked as the core is (a
position-independent main module at Emscripten's memory base), with a side
module loaded while it runs: the written profile must hold the main module's
exact counts and nothing of the side module's. Then the interpreter's build is
checked to be compiled with the training profile."""

import re
import subprocess

from kiln import config, toolchain
from kiln.cpython import build as cpython_build
from kiln.cpython import pgo

MAIN_C = r"""
#include <dlfcn.h>
#include <stdio.h>
int kiln_profile_write(const char *path);
int branchy(int x) { return x > 2 ? x * 2 : x + 1; }
int main(void) {
  int sum = 0;
  for (int i = 0; i < 100; i++) sum += branchy(i);
  void *side = dlopen("/work/side.so", RTLD_NOW);
  if (!side) { printf("dlopen: %s\n", dlerror()); return 2; }
  int (*in_side)(int) = (int (*)(int))dlsym(side, "in_side");
  for (int i = 0; i < 50; i++) sum += in_side(i);
  printf("sum %d\n", sum);
  return kiln_profile_write("/work/out.profraw") != 0;
}
"""
SIDE_C = "int in_side(int x) { return x % 3 ? x : -x; }\n"
# NODEFS: the program reads the side module from, and writes the profile to, the test's folder.
PRE_JS = "Module.preRun = [() => { FS.mkdir('/work'); FS.mount(NODEFS, { root: process.env.WORK }, '/work'); }];\n"


def _emcc(*args, cwd):
    subprocess.run(["emcc", *args], cwd=cwd, env=toolchain.env(), check=True, capture_output=True)


def _profile_text(profraw):
    return subprocess.run(
        [str(config.LLVM_BIN / "llvm-profdata"), "show", "--all-functions", "--counts", str(profraw)],
        capture_output=True, text=True, check=True,
    ).stdout


def test_the_profile_runtime_counts_the_main_module_and_leaves_side_modules_out(tmp_path):
    (tmp_path / "main.c").write_text(MAIN_C)
    (tmp_path / "side.c").write_text(SIDE_C)
    (tmp_path / "pre.js").write_text(PRE_JS)
    flags = [*config.CFLAGS.split(), pgo.INSTRUMENT_FLAGS]
    _emcc(*flags, *config.SIDE_MODULE_LDFLAGS.split(), "side.c", "-o", "side.so", cwd=tmp_path)
    _emcc(*flags, "-c", "main.c", "-o", "main.o", cwd=tmp_path)
    _emcc(*config.MODULE_LDFLAGS.split(), "-sMAIN_MODULE=1", "-lnodefs.js", "--pre-js", "pre.js",
          "main.o", str(pgo.runtime()), "-o", "main.js", cwd=tmp_path)

    run = subprocess.run([str(toolchain.node_binary()), "main.js"], cwd=tmp_path, env={"WORK": str(tmp_path)},
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "sum " in run.stdout

    shown = _profile_text(tmp_path / "out.profraw")
    functions = dict(re.findall(r"^  (\S+):\n((?:    .*\n)+)", shown, re.MULTILINE))
    assert set(functions) == {"main", "branchy"}, shown  # nothing of the side module
    # branchy: entered 100 times, its `x > 2` branch taken 97 times.
    assert "Function count: 100\n" in functions["branchy"] and "Block counts: [97]" in functions["branchy"], shown
    assert "Function count: 1\n" in functions["main"], shown


def test_the_interpreter_is_compiled_with_the_training_profile():
    profile = pgo.profile()  # cached by the build; checked there (eval-loop entries)
    build = cpython_build.wasm_build()
    assert pgo.use_flags(profile) in cpython_build.make_variable(build, "PY_CFLAGS_NODIST").split()
    assert pgo.use_flags(profile) in cpython_build.interpreter_flags().split()
    entries = re.search(r"Function count: (\d+)", subprocess.run(
        [str(config.LLVM_BIN / "llvm-profdata"), "show", "--counts", "--function=_PyEval_EvalFrameDefault", str(profile)],
        capture_output=True, text=True, check=True).stdout)
    assert entries and int(entries.group(1)) >= pgo.MIN_EVAL_LOOP_ENTRIES
