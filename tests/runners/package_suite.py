"""`kiln test-package NAME`: a package's own test suite, run inside WASM under Node.

What to run, the fewest tests each path must pass and its known platform
failures (each with its reason) live in tests/package_tests/<name>.toml.
Each path runs in a fresh process. The gate fails on any failure, on a
pytest exit status other than 0, and on a path passing fewer tests than its
minimum, so a suite that silently stops collecting cannot pass.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from concurrent.futures import ThreadPoolExecutor

from kiln import config, log, toolchain
from kiln.errors import KilnError

from . import node_harness

SUITES = config.TESTS_DIR / "package_tests"
RESULT_MARK = "KILN-PACKAGE-TESTS "
SITE_PACKAGES = config.WASM_SITE_PACKAGES


def load_suite(name: str) -> dict:
    """The suite named `name` (tests/package_tests/<name>.toml), or a toml file's path."""
    path = Path(name) if name.endswith(".toml") else SUITES / f"{name}.toml"
    if not path.exists():
        raise KilnError(f"no test suite for {name!r} (looked for {path})")
    suite = tomllib.loads(path.read_text())
    vacuous = [p for p, spec in suite.get("paths", {}).items() if not spec.get("min_passed", 0) >= 1]
    if vacuous or not suite.get("paths"):
        raise KilnError(f"{path}: every path needs a min_passed of at least 1; not so for {vacuous or 'any (no paths)'}")
    return suite


def _in_wasm(text: str) -> str:
    """Suite files say {site_packages} for the WASM site-packages folder (from config)."""
    return text.replace("{site_packages}", SITE_PACKAGES)


def run_path(suite: dict, path: str, node_major: str) -> dict:
    spec = suite["paths"][path]
    request = {
        "label": path,
        "packages": suite["packages"],
        "pytest_args": [_in_wasm(arg) for arg in suite.get("pytest_args", [])],
        "paths": [path if path.startswith("/") else f"{SITE_PACKAGES}/{path}"],
        "known": spec.get("known_failures", {}),
        "skips": spec.get("skips", {}),
        # Extra files put into the WASM file system first: {wasm path: host path}.
        # (host paths relative to tests/package_tests/)
        "setup_files": {_in_wasm(target): (SUITES / source).read_text() for target, source in suite.get("setup_files", {}).items()},
    }
    timeout = suite.get("timeout", 1800)
    result = node_harness.run(SUITES / "run_pytest.mjs", request, marker=RESULT_MARK, node_major=node_major, timeout=timeout)
    result = {"file": path, **result}
    if "crashed" in result:
        log.info(f"{path}: CRASHED")
    else:
        log.info(f"{path}: {result['passed']} passed, {result['failed']} failed, {result['errors']} errors "
                 f"in {result['seconds']:.0f} s")
        minimum = spec["min_passed"]
        if result["passed"] < minimum:
            result.setdefault("problems", []).append((path, f"only {result['passed']} tests passed, fewer than its minimum of {minimum}"))
        if result["exit_code"] != 0:
            result.setdefault("problems", []).append((path, f"pytest exited with status {result['exit_code']}"))
    return result


def module_of(suite: dict, path: str) -> str:
    """The module a test path belongs to, for the per-module counts: its
    `module` in the suite, else the package and its first subpackage
    ("scipy/linalg/tests/test_basic.py" -> "scipy.linalg")."""
    named = suite["paths"][path].get("module")
    if named:
        return named
    parts = [p for p in path.split("/")[:2] if not p.endswith(".py") and p != "tests"]
    return ".".join(parts)


COLUMNS = ("passed", "failed", "errors", "skipped", "xfailed", "xpassed")


def main(name: str, node_major: str = config.NODE_DEFAULT) -> int:
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
    groups: dict[str, list[dict]] = {}
    for r in results:
        groups.setdefault(module_of(suite, r["file"]), []).append(r)
    if len(groups) > 1:
        print(f"\n{'by module':<48}" + "".join(f"{c:>9}" for c in COLUMNS) + f"{'minimum':>9}")
        for module, members in sorted(groups.items()):
            counts = {c: sum(r.get(c, 0) for r in members) for c in COLUMNS}
            minimum = sum(suite["paths"][r["file"]]["min_passed"] for r in members)
            print(f"{module:<48}" + "".join(f"{counts[c]:>9}" for c in COLUMNS) + f"{minimum:>9}")
    totals = {c: sum(r.get(c, 0) for r in results) for c in COLUMNS}
    print(f"{'TOTAL':<48}" + "".join(f"{totals[c]:>9}" for c in COLUMNS))
    where = name if name.endswith(".toml") else f"tests/package_tests/{name}.toml"
    print(f"(xfailed includes the known Kiln platform failures listed with reasons in {where})")
    failed = [r for r in results if "crashed" in r or r["failed"] or r["errors"] or r.get("problems")]
    node_harness.print_failures(failed, "file")
    return 1 if failed else 0
