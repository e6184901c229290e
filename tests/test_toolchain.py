"""The toolchain's emcc launcher: compile-only calls skip emcc's Python start-up
and run clang directly, and must produce exactly the objects emcc does."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from kiln import toolchain

C_SOURCE = r"""
#include <setjmp.h>
#include <stdio.h>
#include <math.h>
static jmp_buf env;
__attribute__((noinline)) static void jump(int v) { longjmp(env, v); }
double kernel(const double *x, int n) {
    double s = 0;
    for (int i = 0; i < n; i++) s += sqrt(x[i]) * x[i];
    return s;
}
int main(int argc, char **argv) {
    if (setjmp(env) == 0) jump(argc);
    printf("%g\n", kernel((const double[]){1, 4, 9}, 3));
    return 0;
}
"""

CXX_SOURCE = r"""
#include <stdexcept>
#include <string>
int f(int x) { if (x < 0) throw std::runtime_error("negative: " + std::to_string(x)); return x * 2; }
int main() { try { return f(-1); } catch (const std::exception &) { return 0; } }
"""

# The flag sets Kiln's builds use, and a few that change what emcc adds.
FLAG_SETS = [
    "-O2 -fPIC -fwasm-exceptions -sSUPPORT_LONGJMP=wasm",
    "-O2 -fPIC -fwasm-exceptions -sSUPPORT_LONGJMP=wasm -sSIDE_MODULE=1 -sWASM_BIGINT",
    "-O3 -msimd128 -mrelaxed-simd -fPIC",
    "-Oz -g -fvisibility=hidden -DNDEBUG -Wall",
    "-O0 -s SIDE_MODULE=1 -std=c11",
]


@pytest.fixture(scope="module")
def em_env(tmp_path_factory):
    toolchain.ensure()
    trace = tmp_path_factory.mktemp("trace") / "emcc-trace.txt"
    return {**os.environ, **toolchain.env(), "KILN_EMCC_TRACE": str(trace)}, trace


def _emcc_itself(tool: str) -> list[str]:
    return ["python3", "-E", str(toolchain.EMSCRIPTEN_ROOT / f"{tool}.py")]


@pytest.mark.parametrize("flags", FLAG_SETS)
@pytest.mark.parametrize("tool,source", [("emcc", ("k.c", C_SOURCE)), ("em++", ("k.cpp", CXX_SOURCE))])
def test_fast_compile_makes_the_objects_emcc_makes(em_env, tmp_path, tool, source, flags):
    env, trace = em_env
    if tool == "em++":
        flags = flags.replace("-std=c11", "-std=c++17")
    name, text = source
    (tmp_path / name).write_text(text)
    args = [*flags.split(), "-c", name]
    subprocess.run([*_emcc_itself(tool), *args, "-o", "reference.o"], cwd=tmp_path, env=env, check=True)
    trace.write_text("")
    subprocess.run([tool, *args, "-o", "fast.o"], cwd=tmp_path, env=env, check=True)
    # (the first call of a flag set also asks emcc itself for its flags)
    assert trace.read_text().splitlines()[-1].startswith(f"fast {tool} "), trace.read_text()
    assert (tmp_path / "fast.o").read_bytes() == (tmp_path / "reference.o").read_bytes()


def test_links_and_assembly_go_to_emcc_itself(em_env, tmp_path: Path):
    env, trace = em_env
    # (emcc --cflags, asked once per flag set, compiles its hello_world.c through emcc)
    (tmp_path / "k.c").write_text(C_SOURCE)
    (tmp_path / "a.s").write_text(".text\n")
    trace.write_text("")
    subprocess.run(["emcc", "-O1", "k.c", "-o", "k.js"], cwd=tmp_path, env=env, check=True)
    subprocess.run(["emcc", "-c", "a.s", "-o", "a.o"], cwd=tmp_path, env=env, check=True)
    subprocess.run(["emcc", "-c", "k.c", "-o", "k.o", "--embed-file", "a.s"], cwd=tmp_path, env=env, check=False)
    calls = [line.split(" ")[0] for line in trace.read_text().splitlines() if "hello_world.c" not in line]
    assert calls == ["slow", "slow", "slow"], trace.read_text()
    out = subprocess.run([str(toolchain.node_binary()), "k.js"], cwd=tmp_path, capture_output=True, text=True)
    assert out.stdout.strip() == "36"


def test_compile_errors_reach_the_caller(em_env, tmp_path: Path):
    env, _ = em_env
    (tmp_path / "bad.c").write_text("int f(void) { return undeclared_function(); }\n")
    # C89 allows implicit declarations: only emcc's own
    # -Werror=implicit-function-declaration (among the flags clang gets) refuses it.
    result = subprocess.run(["emcc", "-std=gnu89", "-c", "bad.c"], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert result.returncode != 0
    assert "-Werror,-Wimplicit-function-declaration" in result.stderr, result.stderr
