"""`kiln test-cpython`: CPython's own regression tests, run inside WASM under Node.

The curated module list and the known platform failures (each with its
reason) live in tests/cpython_gate/gate.toml. A failure not listed there
fails the gate.
"""

from __future__ import annotations

import tomllib
from concurrent.futures import ThreadPoolExecutor

from . import config, log, node_harness, toolchain

GATE_DIR = config.TESTS_DIR / "cpython_gate"
RESULT_MARK = "KILN-GATE-RESULT "


def load_gate() -> tuple[dict[str, dict], dict[str, str], int]:
    gate = tomllib.loads((GATE_DIR / "gate.toml").read_text())
    modules = {name: {"tests": [f"test.{name}"], **spec} for name, spec in gate["modules"].items()}
    return modules, gate.get("known_failures", {}), gate.get("timeout", 900)


def run_module(module: str, spec: dict, known: dict[str, str], node_major: str, timeout: int) -> dict:
    request = {
        "module": module,
        "names": spec["tests"],
        "package_without_init": spec.get("package_without_init"),
        "known": known,
    }
    result = node_harness.run(GATE_DIR / "run_module.mjs", request, marker=RESULT_MARK, node_major=node_major, timeout=timeout)
    return {"module": module, **result}


def _row(r: dict) -> str:
    if "crashed" in r:
        return f"{r['module']:<22} CRASHED: {r['crashed'].splitlines()[0]}"
    passed = r["run"] - r["failures"] - r["errors"] - r["skipped"] - r["expected_failures"] - r["unexpected_successes"]
    return (
        f"{r['module']:<22} {r['run']:>6} {passed:>6} {r['failures'] + r['errors']:>6} {r['skipped']:>6}"
        f" {r['expected_failures']:>6} {r['seconds']:>7.1f}"
    )


def _failed(r: dict) -> bool:
    return "crashed" in r or r["failures"] or r["errors"] or r["unexpected_successes"]


def main(selected: list[str], node_major: str = "24") -> int:
    toolchain.ensure()
    modules, known, timeout = load_gate()
    unknown = [m for m in selected if m not in modules]
    if unknown:
        raise SystemExit(f"not in tests/cpython_gate/gate.toml: {unknown}")
    names = selected or list(modules)
    log.info(f"running {len(names)} CPython test modules under Node {node_major}")
    with ThreadPoolExecutor(max_workers=config.JOBS) as pool:
        results = list(pool.map(lambda m: run_module(m, modules[m], known, node_major, timeout), names))
    print(f"\n{'module':<22} {'run':>6} {'pass':>6} {'fail':>6} {'skip':>6} {'xfail':>6} {'seconds':>7}")
    for r in results:
        print(_row(r))
    totals = {k: sum(r.get(k, 0) for r in results) for k in ("run", "failures", "errors", "skipped", "expected_failures")}
    passed = totals["run"] - totals["failures"] - totals["errors"] - totals["skipped"] - totals["expected_failures"]
    print(
        f"{'TOTAL':<22} {totals['run']:>6} {passed:>6} {totals['failures'] + totals['errors']:>6}"
        f" {totals['skipped']:>6} {totals['expected_failures']:>6}"
    )
    print(f"(of the skips, {node_harness.platform_skips(results)} are known Kiln platform failures listed with reasons in tests/cpython_gate/gate.toml)")
    failed = [r for r in results if _failed(r)]
    node_harness.print_failures(failed, "module")
    return 1 if failed else 0
