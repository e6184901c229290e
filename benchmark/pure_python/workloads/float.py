# From pyperformance 1.14.0, bm_float/run_benchmark.py (MIT, see ../LICENSE-pyperformance).
# Changed: pyperf removed; POINTS 100000 -> 50000 (about 0.1 s natively); run() checks the
#   maximized point.
"""
Artificial, floating point-heavy benchmark originally used by Factor.
"""
from math import sin, cos, sqrt


POINTS = 50000


class Point(object):
    __slots__ = ('x', 'y', 'z')

    def __init__(self, i):
        self.x = x = sin(i)
        self.y = cos(i) * 3
        self.z = (x * x) / 2

    def __repr__(self):
        return "<Point: x=%s, y=%s, z=%s>" % (self.x, self.y, self.z)

    def normalize(self):
        x = self.x
        y = self.y
        z = self.z
        norm = sqrt(x * x + y * y + z * z)
        self.x /= norm
        self.y /= norm
        self.z /= norm

    def maximize(self, other):
        self.x = self.x if self.x > other.x else other.x
        self.y = self.y if self.y > other.y else other.y
        self.z = self.z if self.z > other.z else other.z
        return self


def maximize(points):
    next = points[0]
    for p in points[1:]:
        next = next.maximize(p)
    return next


def benchmark(n):
    points = [None] * n
    for i in range(n):
        points[i] = Point(i)
    for p in points:
        p.normalize()
    return maximize(points)


EXPECTED = (0.894427058795, 1.0, 0.447213519954)  # the maximized point, from native CPython


def run():
    p = benchmark(POINTS)
    if max(abs(p.x - EXPECTED[0]), abs(p.y - EXPECTED[1]), abs(p.z - EXPECTED[2])) > 1e-9:
        raise AssertionError(f"float: got {p!r}, expected {EXPECTED}")
