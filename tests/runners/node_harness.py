"""Running a Node harness script (a test runner inside WASM) on dist/: it gets
a JSON request and prints one JSON result line after a marker."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from kiln import config, toolchain


def run(script: Path, request: dict, *, marker: str, node_major: str, timeout: int) -> dict:
    """The harness's result, or {"crashed": how} if it timed out or printed none."""
    cmd = [str(toolchain.node_binary(node_major)), str(script), str(config.DIST), json.dumps(request)]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"crashed": f"timed out after {timeout}s"}
    for line in proc.stdout.splitlines():
        if line.startswith(marker):
            return json.loads(line[len(marker):])
    # Node echoes the offending source line: of the minified glue, that is huge.
    tail = "\n".join(line[:300] for line in (proc.stdout + proc.stderr).splitlines()[-30:])
    return {"crashed": f"exit code {proc.returncode}\n{tail}"}


def print_failures(failed: list[dict], label: str) -> None:
    """What went wrong in each failed result (`label` names its key: module or file)."""
    for r in failed:
        print(f"\n--- {r[label]} ---")
        if "crashed" in r:
            print(r["crashed"])
        for test_id, message in r.get("problems", []):
            print(f"  {test_id}: {message}")
