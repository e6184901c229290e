"""Kiln's stand-in for pyodide-build's `_f2c_fixes` (its build variable
`_F2C_FIXES_WRAPPER` points here; pywasmcross imports it by that name).

pyodide-build rewrites SciPy's C sources so LAPACK subroutines return `int`,
the ABI of Pyodide's own OpenBLAS. Kiln's OpenBLAS makes every subroutine
`void`, as SciPy declares them, so the rewrite must not happen. And Kiln's
builds have no Fortran: a recipe that reaches a Fortran compiler fails here.
"""


def scipy_fixes(args: list[str]) -> None:
    """SciPy's sources are compiled as they are."""


def replay_f2c(args: list[str], dryrun: bool = False) -> list[str] | None:
    raise SystemExit(
        "kiln: a Fortran compile was requested (" + " ".join(args[:6]) + " ...); Kiln builds have no "
        "Fortran compiler: build the package without its Fortran parts (e.g. SciPy's -D_without-fortran=true)"
    )
