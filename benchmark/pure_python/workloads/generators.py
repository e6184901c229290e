# From pyperformance 1.14.0, bm_generators/run_benchmark.py (MIT, see ../LICENSE-pyperformance).
# Changed: pyperf removed; the tree is built at import; run() walks it once and checks the count.
"""
Benchmark recursive generators implemented in python
by traversing a binary tree.

Author: Kumar Aditya
"""

from __future__ import annotations

from collections.abc import Iterator


class Tree:
    def __init__(self, left: Tree | None, value: int, right: Tree | None) -> None:
        self.left = left
        self.value = value
        self.right = right

    def __iter__(self) -> Iterator[int]:
        if self.left:
            yield from self.left
        yield self.value
        if self.right:
            yield from self.right


def tree(input: range) -> Tree | None:
    n = len(input)
    if n == 0:
        return None
    i = n // 2
    return Tree(tree(input[:i]), input[i], tree(input[i + 1:]))


TREE = tree(range(100000))


def run():
    count = 0
    for _ in TREE:
        count += 1
    if count != 100000 or list(tree(range(10))) != list(range(10)):
        raise AssertionError(f"generators: visited {count} nodes, expected 100000")
