"""The training run of Kiln's profile-guided build, inside the instrumented core:
CPython's own PGO task (`python -m test --pgo`, the tests its Makefile trains
`--enable-optimizations` builds with), then the counters written to argv[1].
Failing tests do not stop it: the profile is of the code they ran."""

import ctypes
import sys

out = sys.argv[1]
sys.argv = ["python -m test", "--pgo", "--quiet"]
try:
    from test.libregrtest.main import main

    main()
except SystemExit:
    pass
finally:
    # kiln_profile_write is in cpython/pgo/registry.c, linked into the training core only.
    status = ctypes.CDLL(None).kiln_profile_write(out.encode())
    print(f"profile written to {out}" if status == 0 else f"writing the profile failed ({status})", flush=True)
    sys.exit(0 if status == 0 else 1)
