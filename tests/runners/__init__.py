"""kiln.testing: the runners behind `kiln test-cpython` and `kiln test-package`,
next to the gate files they read (tests/cpython_gate, tests/package_tests)."""
