"""Runs one CPython test module inside the WASM interpreter and prints its counts.

Called by run_module.mjs. Known platform failures run as *strict* expected
failures: one that starts passing is reported (the bug was fixed: take it out
of gate.toml), and a known-failure pattern that matches no test is an error.
"""

import fnmatch
import io
import json
import sys
import time
import unittest


def _iter_tests(suite):
    for item in suite:
        if isinstance(item, unittest.TestSuite):
            yield from _iter_tests(item)
        else:
            yield item


def _expected_failure(bound_method):
    """The test method as an expected failure (the marker cannot be set on a bound method)."""
    def known_failure():
        return bound_method()
    return unittest.expectedFailure(known_failure)


def _skip_listed(suite, skips: dict[str, str]) -> dict[str, list[str]]:
    """Replace the tests listed under `skips` (timing-dependent ones) by skips; the ids each pattern matched."""
    matched: dict[str, list[str]] = {pattern: [] for pattern in skips}
    for test in _iter_tests(suite):
        for pattern, reason in skips.items():
            if fnmatch.fnmatchcase(test.id(), pattern):
                setattr(test, test._testMethodName, unittest.skip(f"Kiln gate: {reason}")(lambda: None))
                matched[pattern].append(test.id())
                break
    return matched


def _expect_known_failures(suite, known: dict[str, str]) -> dict[str, list[str]]:
    """Mark the tests listed as known platform failures as expected failures;
    the ids each pattern matched."""
    matched: dict[str, list[str]] = {pattern: [] for pattern in known}
    for test in _iter_tests(suite):
        test_id = test.id()
        for pattern in known:
            if fnmatch.fnmatchcase(test_id, pattern):
                setattr(test, test._testMethodName, _expected_failure(getattr(test, test._testMethodName)))
                matched[pattern].append(test_id)
                break
    return matched


def _register_package_without_init(name: str) -> None:
    """Make a test package importable without running its __init__ (used for
    test_asyncio, whose __init__ skips everything when sockets are missing,
    although many of its modules need none)."""
    import importlib.util

    spec = importlib.util.find_spec(name)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    parent, _, child = name.rpartition(".")
    setattr(sys.modules[parent], child, module)


class _ModuleSkipped(unittest.TestCase):
    """Stands for a test module that skips itself as a whole on import."""

    reason = ""

    def runTest(self):
        raise unittest.SkipTest(self.reason)


def _load(names: list[str]):
    loader = unittest.TestLoader()
    suite = unittest.TestSuite()
    for name in names:
        try:
            suite.addTests(loader.loadTestsFromName(name))
        except unittest.SkipTest as skip:
            case = type(name, (_ModuleSkipped,), {"reason": f"{name}: {skip}"})()
            suite.addTest(case)
    return suite


def _use_event_loop(kind: str) -> None:
    """"asyncio": CPython's own loops, which CPython's tests expect. "webloop":
    Kiln's WebLoop, the loop users get; asyncio.run() and
    IsolatedAsyncioTestCase then block on it through JSPI (the runner calls
    this harness in a suspendable context)."""
    import asyncio

    if kind == "webloop":
        from kiln.webloop import WebLoopPolicy

        asyncio.set_event_loop_policy(WebLoopPolicy())
    elif kind == "asyncio":
        asyncio.set_event_loop_policy(asyncio.DefaultEventLoopPolicy())
    else:
        raise ValueError(f"unknown event_loop {kind!r} (asyncio or webloop)")


def main(module: str, names: list[str], known: dict[str, str], package_without_init: str | None,
         event_loop: str = "asyncio", skips: dict[str, str] | None = None) -> dict:
    """`known` holds the known failures of this module only (the runner picks them)."""
    from test import support
    from test.libregrtest.utils import setup_unraisable_hook

    support.verbose = False
    setup_unraisable_hook()
    _use_event_loop(event_loop)
    started = time.monotonic()
    if package_without_init:
        _register_package_without_init(package_without_init)
    suite = _load(names)
    matched = _expect_known_failures(suite, known)
    matched.update(_skip_listed(suite, skips or {}))
    stream = io.StringIO()
    runner = unittest.TextTestRunner(stream=stream, verbosity=0)
    result = runner.run(suite)
    problems = [(t.id(), text.strip().splitlines()[-1]) for t, text in result.failures + result.errors]
    problems += [(t.id(), "known failure now passes: take it out of tests/cpython_gate/gate.toml")
                 for t in result.unexpectedSuccesses]
    problems += [(pattern, "known-failure or skip pattern matches no test in this module")
                 for pattern, ids in matched.items() if not ids]
    skip_reasons = {}
    for _, reason in result.skipped:
        skip_reasons[reason] = skip_reasons.get(reason, 0) + 1
    return {
        "module": module,
        "run": result.testsRun,
        "failures": len(result.failures),
        "errors": len(result.errors),
        "skipped": len(result.skipped),
        "expected_failures": len(result.expectedFailures),
        "known_patterns_unmatched": sum(1 for ids in matched.values() if not ids),
        "unexpected_successes": len(result.unexpectedSuccesses),
        "seconds": round(time.monotonic() - started, 1),
        "problems": problems,
        "skip_reasons": skip_reasons,
        "details": stream.getvalue()[-20000:] if problems else "",
    }


def run(request_json: str) -> None:
    """Entry point for run_module.mjs: runs the request and prints the result line."""
    request = json.loads(request_json)
    result = main(request["module"], request["names"], request["known"], request.get("package_without_init"),
                  request.get("event_loop") or "asyncio", request.get("skips"))
    print("KILN-GATE-RESULT " + json.dumps(result))
