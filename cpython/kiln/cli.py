"""The `kiln` command line: one subcommand per build step."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import config, log


def _toolchain(args) -> None:
    from . import toolchain

    toolchain.ensure()


def _fetch(args) -> None:
    from kiln.packages import recipe

    from . import sources

    for name in args.names:
        print(sources.fetch(recipe.load(name).source_download()))


def _build_recipes(args) -> None:
    from kiln.packages import builder

    builder.build(args.names, build_all=args.all, force=args.force)


def _cpython(args) -> None:
    from kiln.cpython import core_link

    print(core_link.core_dir())


def _dist(args) -> None:
    from kiln.dist import assemble

    assemble.build()


def _npm_package(args) -> None:
    from kiln.dist import npm_package

    print(npm_package.build())


def _python(args) -> None:
    import subprocess

    from . import config, toolchain

    script = config.DIST / "kiln-python.mjs"
    if not script.exists():
        raise SystemExit(f"{script} is missing: run `make dist` first")
    node = toolchain.node_binary(args.node)
    sys.exit(subprocess.run([str(node), str(script), *args.python_args]).returncode)


def _demo(args) -> None:
    import subprocess

    from . import toolchain

    sys.exit(subprocess.run([str(toolchain.node_binary(config.NODE_DEFAULT)), str(config.ROOT / "loader" / "demo.mjs")]).returncode)


def _test_cpython(args) -> None:
    from kiln.testing import cpython_suite

    sys.exit(cpython_suite.main(args.modules, node_major=args.node, gate=args.gate))


def _test_package(args) -> None:
    from kiln.testing import package_suite

    sys.exit(package_suite.main(args.name, node_major=args.node))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kiln", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    sub.add_parser("toolchain", help="assemble Emscripten, LLVM, binaryen, Node and Chromium").set_defaults(run=_toolchain)

    p = sub.add_parser("fetch", help="download and verify recipe sources")
    p.add_argument("names", nargs="+")
    p.set_defaults(run=_fetch)

    p = sub.add_parser("build-recipes", help="build recipes from packages/*/meta.yaml")
    p.add_argument("names", nargs="*")
    p.add_argument("--all", action="store_true")
    p.add_argument("--force", action="store_true", help="rebuild even when cached")
    p.set_defaults(run=_build_recipes)

    sub.add_parser("cpython", help="cross-compile CPython and link the core module").set_defaults(run=_cpython)
    sub.add_parser("dist", help="assemble dist/ (builds whatever is missing)").set_defaults(run=_dist)

    sub.add_parser("demo", help="run loader/demo.mjs (Python in WASM under Node)").set_defaults(run=_demo)
    sub.add_parser("npm-package", help="pack dist/ as the npm package kiln-python").set_defaults(run=_npm_package)

    p = sub.add_parser(
        "python", help="run Kiln's WASM interpreter under Node like `python` (e.g. kiln python -m test test_int)",
        prefix_chars="+",  # every -option belongs to Python, not to kiln
    )
    p.add_argument("++node", default=config.NODE_DEFAULT, choices=config.NODE_MAJORS, help="Node major version (++node 20)")
    p.add_argument("python_args", nargs=argparse.REMAINDER, help="[-c CODE | -m MODULE | FILE] [ARGS]")
    p.set_defaults(run=_python)

    p = sub.add_parser("test-cpython", help="run CPython's own tests inside WASM")
    p.add_argument("modules", nargs="*", help="default: the curated list")
    p.add_argument("--node", default=config.NODE_DEFAULT, choices=config.NODE_MAJORS)
    p.add_argument("--gate", type=Path, help="another gate file (default: tests/cpython_gate/gate.toml)")
    p.set_defaults(run=_test_cpython)

    p = sub.add_parser("test-package", help="run a package's own tests inside WASM")
    p.add_argument("name", help="a suite in tests/package_tests, or the path of a suite .toml")
    p.add_argument("--node", default=config.NODE_DEFAULT, choices=config.NODE_MAJORS)
    p.set_defaults(run=_test_package)

    args = parser.parse_args(argv)
    try:
        args.run(args)
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # the message is the user-facing report
        from .errors import KilnError

        if isinstance(error, KilnError):
            log.info(f"error: {error}")
            return 1
        raise
    return 0
