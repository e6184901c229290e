"""Method dispatch: an expression tree evaluated by polymorphic methods and by visitors.

Written for Kiln. Virtual calls through a class hierarchy, super() chains,
properties, class- and static methods, operator dunders, getattr-based visitor
dispatch and functools.singledispatch.
"""

from functools import singledispatch


class Node:
    __slots__ = ()

    def evaluate(self, env):
        raise NotImplementedError

    def children(self):
        return ()

    @property
    def size(self):
        return 1 + sum(child.size for child in self.children())

    def __add__(self, other):
        return Add(self, other)

    def __mul__(self, other):
        return Mul(self, other)


class Const(Node):
    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value

    def evaluate(self, env):
        return self.value


class Var(Node):
    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name

    def evaluate(self, env):
        return env[self.name]


class Binary(Node):
    __slots__ = ("left", "right")

    def __init__(self, left, right):
        self.left = left
        self.right = right

    def children(self):
        return (self.left, self.right)

    def evaluate(self, env):
        return self.combine(self.left.evaluate(env), self.right.evaluate(env))


class Add(Binary):
    __slots__ = ()

    @staticmethod
    def combine(a, b):
        return a + b


class Mul(Binary):
    __slots__ = ()

    @staticmethod
    def combine(a, b):
        return a * b % 1000003


class Clamp(Add):
    """An Add whose result is kept in range: extends its parent through super()."""

    __slots__ = ("limit",)

    def __init__(self, left, right, limit):
        super().__init__(left, right)
        self.limit = limit

    def evaluate(self, env):
        return min(super().evaluate(env), self.limit)

    @classmethod
    def of(cls, left, right):
        return cls(left, right, 5000)


class Visitor:
    def visit(self, node):
        return getattr(self, "visit_" + type(node).__name__)(node)


class Counter(Visitor):
    def visit_Const(self, node):
        return 1

    def visit_Var(self, node):
        return 1

    def visit_Add(self, node):
        return 1 + self.visit(node.left) + self.visit(node.right)

    visit_Mul = visit_Add
    visit_Clamp = visit_Add


@singledispatch
def depth(node):
    return 1


@depth.register
def _(node: Binary):
    return 1 + max(depth(node.left), depth(node.right))


def build(level, k):
    if level == 0:
        return Var("x") if k % 3 == 0 else Const(k % 17)
    left, right = build(level - 1, 2 * k), build(level - 1, 2 * k + 1)
    if k % 3 == 0:
        return left * right
    if k % 3 == 1:
        return Clamp.of(left, right)
    return left + right


TREE = build(11, 1)
ROUNDS = 60
EXPECTED = (296154, 4095, 4095, 12)  # from native CPython


def run():
    total = 0
    for x in range(ROUNDS):
        total += TREE.evaluate({"x": x})
    counted = Counter().visit(TREE)
    got = (total, TREE.size, counted, depth(TREE))
    if got != EXPECTED:
        raise AssertionError(f"method_dispatch: got {got}, expected {EXPECTED}")
