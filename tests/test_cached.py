"""kiln.cached.stage: the one way every build output is cached."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from kiln import cached


def test_a_complete_stage_is_not_built_again(tmp_path):
    calls = []
    out = tmp_path / "thing-1234"

    def build(folder):
        calls.append(folder)
        (folder / "result").write_text("made")

    assert cached.stage(out, build) == out
    assert cached.stage(out, build) == out
    assert len(calls) == 1 and (out / "result").read_text() == "made"
    cached.stage(out, build, force=True)
    assert len(calls) == 2


def test_a_build_that_fails_half_way_is_redone_from_scratch(tmp_path):
    out = tmp_path / "thing-1234"

    def failing(folder):
        (folder / "half").write_text("partial")
        raise RuntimeError("compiler crashed")

    with pytest.raises(RuntimeError, match="compiler crashed"):
        cached.stage(out, failing)
    assert (out / "half").exists() and not cached.is_complete(out)

    cached.stage(out, lambda folder: (folder / "whole").write_text("ok"))
    assert sorted(p.name for p in out.iterdir()) == [cached.MARKER, "whole"]


def test_concurrent_processes_build_a_stage_once(tmp_path):
    """Two kiln processes asking for the same stage: one builds, the other
    waits for it and takes the result."""
    out = tmp_path / "shared-stage"
    script = textwrap.dedent(f"""
        import os, sys, time
        from pathlib import Path
        from kiln import cached
        def build(folder):
            with open({str(tmp_path / "builds.log")!r}, "a") as log:
                log.write(f"{{os.getpid()}}\\n")
            time.sleep(1.0)
            (folder / "value").write_text(str(os.getpid()))
        print(cached.stage(Path({str(out)!r}), build).joinpath("value").read_text())
    """)
    procs = [subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True) for _ in range(2)]
    results = [p.communicate(timeout=60)[0].strip() for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert len((tmp_path / "builds.log").read_text().split()) == 1
    assert results[0] == results[1] == (out / "value").read_text()
