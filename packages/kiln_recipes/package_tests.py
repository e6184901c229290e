"""`kiln test-package NAME`: a package's own test suite, run inside WASM under Node.

What to run and the known platform failures (each with its reason) live in
tests/package_tests/<name>.toml. Each test path runs in a fresh process.
"""

from __future__ import annotations

import tomllib
from concurrent.futures import ThreadPoolExecutor

from kiln import config, log, node_harness, toolchain
from kiln.errors import KilnError

SUITES = config.TESTS_DIR / "package_tests"
RESULT_MARK = "KILN-PACKAGE-TESTS "
SITE_PACKAGES = config.WASM_SITE_PACKAGES


def load_suite(name: str) -> dict:
    path = SUITES / f"{name}.toml"
    if not path.exists():
        raise KilnError(f"no test suite for {name!r} (looked for {path})")
    return tomllib.loads(path.read_text())


def run_path(suite: dict, path: str, node_major: str) -> dict:
    request = {
        "label": path,
        "packages": suite["packages"],
        "pytest_args": suite.get("pytest_args", []),
        "paths": [f"{SITE_PACKAGES}/{path}"],
        "known": suite.get("known_failures", {}),
    }
    timeout = suite.get("timeout", 1800)
    result = node_harness.run(SUITES / "run_pytest.mjs", request, marker=RESULT_MARK, node_major=node_major, timeout=timeout)
    return {"file": path, **result}


COLUMNS = ("passed", "failed", "errors", "skipped", "xfailed", "xpassed")


def main(name: str, node_major: str = "24") -> int:
    toolchain.ensure()
    suite = load_suite(name)
    log.info(f"running {len(suite['paths'])} {name} test paths under Node {node_major}")
    with ThreadPoolExecutor(max_workers=config.JOBS) as pool:
        results = list(pool.map(lambda p: run_path(suite, p, node_major), suite["paths"]))
    print(f"\n{'tests':<48}" + "".join(f"{c:>9}" for c in COLUMNS) + f"{'seconds':>9}")
    for r in results:
        if "crashed" in r:
            print(f"{r['file']:<48} CRASHED: {r['crashed'].splitlines()[0]}")
        else:
            print(f"{r['file']:<48}" + "".join(f"{r[c]:>9}" for c in COLUMNS) + f"{r['seconds']:>9.1f}")
    totals = {c: sum(r.get(c, 0) for r in results) for c in COLUMNS}
    print(f"{'TOTAL':<48}" + "".join(f"{totals[c]:>9}" for c in COLUMNS))
    print(f"(of the skips, {node_harness.platform_skips(results)} are known Kiln platform failures listed with reasons in tests/package_tests/{name}.toml)")
    failed = [r for r in results if "crashed" in r or r["failed"] or r["errors"]]
    node_harness.print_failures(failed, "file")
    return 1 if failed else 0
