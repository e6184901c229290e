"""Native CPython worker: the protocol of harness.py over stdin/stdout.

Usage: python native_runner.py  (the script's folder holds harness.py and workloads/)
"""

import sys

import harness


def main() -> None:
    protocol = sys.stdout
    sys.stdout = sys.stderr  # workloads may print: stdout carries only protocol lines
    print(harness.ready(), file=protocol, flush=True)
    for line in sys.stdin:
        print(harness.answer(line), file=protocol, flush=True)


if __name__ == "__main__":
    main()
