"""`kiln test-cpython`: CPython's own regression tests, run inside WASM under Node.

The curated modules live in tests/cpython_gate/gate.toml, each with the
fewest tests it must run and its known platform failures (each with its
reason). Those run as strict expected failures. The gate fails on any other
failure, on a known failure that passes, on a known-failure pattern that
matches nothing, and on a module running fewer tests than its minimum.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from concurrent.futures import ThreadPoolExecutor

from kiln import config, log, toolchain

from . import node_harness

GATE_DIR = config.TESTS_DIR / "cpython_gate"
RESULT_MARK = "KILN-GATE-RESULT "


def load_gate(path: Path = GATE_DIR / "gate.toml") -> tuple[dict[str, dict], int]:
    gate = tomllib.loads(path.read_text())
    modules = {name: {"tests": [f"test.{name}"], **spec} for name, spec in gate["modules"].items()}
    missing = [name for name, spec in modules.items() if not spec.get("min_run", 0) >= 1]
    if missing:
        raise SystemExit(f"{path}: every module needs a min_run of at least 1; not so for {missing}")
    return modules, gate.get("timeout", 900)


def run_module(module: str, spec: dict, node_major: str, timeout: int) -> dict:
    request = {
        "module": module,
        "names": spec["tests"],
        "package_without_init": spec.get("package_without_init"),
        "known": spec.get("known_failures", {}),
        "skips": spec.get("skips", {}),
        "event_loop": spec.get("event_loop", "asyncio"),
    }
    result = node_harness.run(GATE_DIR / "run_module.mjs", request, marker=RESULT_MARK, node_major=node_major, timeout=timeout)
    result = {"module": module, **result}
    if "crashed" not in result and result["run"] < spec["min_run"]:
        result["problems"].append((module, f"ran {result['run']} tests, fewer than its minimum of {spec['min_run']}"))
    return result


def _row(r: dict) -> str:
    if "crashed" in r:
        return f"{r['module']:<22} CRASHED: {r['crashed'].splitlines()[0]}"
    passed = r["run"] - r["failures"] - r["errors"] - r["skipped"] - r["expected_failures"] - r["unexpected_successes"]
    return (
        f"{r['module']:<22} {r['run']:>6} {passed:>6} {r['failures'] + r['errors']:>6} {r['skipped']:>6}"
        f" {r['expected_failures']:>6} {r['seconds']:>7.1f}"
    )


def _failed(r: dict) -> bool:
    return "crashed" in r or bool(r["problems"])


def main(selected: list[str], node_major: str = config.NODE_DEFAULT, gate: Path | None = None) -> int:
    toolchain.ensure()
    modules, timeout = load_gate(gate) if gate else load_gate()
    unknown = [m for m in selected if m not in modules]
    if unknown:
        raise SystemExit(f"not in tests/cpython_gate/gate.toml: {unknown}")
    names = selected or list(modules)
    log.info(f"running {len(names)} CPython test modules under Node {node_major}")
    with ThreadPoolExecutor(max_workers=config.JOBS) as pool:
        results = list(pool.map(lambda m: run_module(m, modules[m], node_major, timeout), names))
    print(f"\n{'module':<22} {'run':>6} {'pass':>6} {'fail':>6} {'skip':>6} {'xfail':>6} {'seconds':>7}")
    for r in results:
        print(_row(r))
    counts = ("run", "failures", "errors", "skipped", "expected_failures", "unexpected_successes")
    totals = {k: sum(r.get(k, 0) for r in results) for k in counts}
    passed = totals["run"] - sum(totals[k] for k in counts[1:])
    print(
        f"{'TOTAL':<22} {totals['run']:>6} {passed:>6} {totals['failures'] + totals['errors']:>6}"
        f" {totals['skipped']:>6} {totals['expected_failures']:>6}"
    )
    print("(xfail: known Kiln platform failures, listed with reasons in tests/cpython_gate/gate.toml, that still fail)")
    failed = [r for r in results if _failed(r)]
    node_harness.print_failures(failed, "module")
    return 1 if failed else 0
