"""Runs a package's own pytest suite inside the WASM interpreter and prints counts.

Called by run_pytest.mjs. Known platform failures run as strict expected
failures: one that starts passing fails the gate (take it out of the suite's
toml), and a pattern that matches no collected test is an error too.
"""

import fnmatch
import json
import sys
import time

import pytest


class Gate:
    def __init__(self, known: dict[str, str], skips: dict[str, str]):
        self.known = known
        self.skips = skips
        self.matched = {pattern: 0 for pattern in [*known, *skips]}
        self.counts = {"passed": 0, "failed": 0, "errors": 0, "skipped": 0, "xfailed": 0, "xpassed": 0}
        self.problems: list[tuple[str, str]] = []
        self.skip_reasons: dict[str, int] = {}

    def pytest_collection_modifyitems(self, items):
        for item in items:
            # Tests that would take the runtime down (not merely fail) do not run.
            skip = next((p for p in self.skips if fnmatch.fnmatchcase(item.nodeid, p)), None)
            if skip is not None:
                item.add_marker(pytest.mark.skip(reason=f"kiln platform: {self.skips[skip]}"))
                self.matched[skip] += 1
                continue
            for pattern, reason in self.known.items():
                if fnmatch.fnmatchcase(item.nodeid, pattern):
                    item.add_marker(pytest.mark.xfail(reason=f"kiln platform: {reason}", strict=True))
                    self.matched[pattern] += 1
                    break

    def pytest_runtest_logreport(self, report):
        if report.skipped:
            if hasattr(report, "wasxfail"):
                self.counts["xfailed"] += 1
            elif report.when in ("setup", "call"):
                self.counts["skipped"] += 1
                reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
                self.skip_reasons[reason] = self.skip_reasons.get(reason, 0) + 1
        elif report.failed:
            self.counts["failed" if report.when == "call" else "errors"] += 1
            message = getattr(report.longrepr, "reprcrash", None)
            self.problems.append((report.nodeid, message.message.splitlines()[0] if message else str(report.longrepr)[:200]))
        elif report.when == "call":
            self.counts["xpassed" if hasattr(report, "wasxfail") else "passed"] += 1

    def pytest_collectreport(self, report):
        if report.failed:
            self.counts["errors"] += 1
            self.problems.append((report.nodeid, str(report.longrepr)[-300:]))


def main(request: dict) -> dict:
    gate = Gate(request["known"], request.get("skips", {}))  # this path's known failures and crashers
    started = time.monotonic()
    args = ["-q", "-p", "no:cacheprovider", "-p", "no:faulthandler", *request["pytest_args"], *request["paths"]]
    exit_code = pytest.main(args, plugins=[gate])
    gate.problems += [(pattern, "known-failure or skip pattern matches no collected test") for pattern, n in gate.matched.items() if n == 0]
    return {
        "file": request["label"],
        **gate.counts,
        "exit_code": int(exit_code),
        "seconds": round(time.monotonic() - started, 1),
        "problems": gate.problems[:200],
        "skip_reasons": gate.skip_reasons,
    }


if __name__ == "__main__":
    print("KILN-PACKAGE-TESTS " + json.dumps(main(json.loads(sys.argv[1]))))
