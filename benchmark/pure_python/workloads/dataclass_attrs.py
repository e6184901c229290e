"""Dataclass- and attribute-heavy: build, compare, sort, replace and update records.

Written for Kiln. Exercises generated __init__/__eq__/__lt__/__hash__, frozen
instances as dict keys, dataclasses.replace, slots, and properties.
"""

from dataclasses import dataclass, field, replace

ORDERS = 6000


@dataclass(frozen=True, order=True)
class Product:
    sku: str
    price_cents: int
    weight_g: int


@dataclass(slots=True)
class Line:
    product: Product
    quantity: int
    discount: float = 0.0

    @property
    def total_cents(self):
        return round(self.product.price_cents * self.quantity * (1.0 - self.discount))


@dataclass
class Order:
    number: int
    customer: str
    lines: list = field(default_factory=list)
    shipped: bool = False

    @property
    def total_cents(self):
        return sum(line.total_cents for line in self.lines)

    @property
    def weight_g(self):
        return sum(line.product.weight_g * line.quantity for line in self.lines)


CATALOGUE = [Product(f"SKU-{n:04d}", 199 + (n * 37) % 5000, 50 + (n * 13) % 2000) for n in range(200)]


def build_orders():
    orders = []
    for n in range(ORDERS):
        order = Order(n, f"customer-{n % 97}")
        for k in range(1 + n % 6):
            product = CATALOGUE[(n * 7 + k * 31) % len(CATALOGUE)]
            order.lines.append(Line(product, 1 + (n + k) % 4, 0.1 if k == 2 else 0.0))
        orders.append(order)
    return orders


EXPECTED = (110243380, 1740, 5753, "SKU-0001", 0, True)  # from native CPython


def run():
    orders = build_orders()
    # Reprice: frozen products are replaced, never mutated.
    repriced = {p: replace(p, price_cents=p.price_cents + 10) for p in CATALOGUE[::3]}
    for order in orders:
        for line in order.lines:
            line.product = repriced.get(line.product, line.product)
            if line.quantity > 2:
                line.discount += 0.05
        order.shipped = order.weight_g < 4000
    sold = {}
    for order in orders:
        for line in order.lines:
            sold[line.product] = sold.get(line.product, 0) + line.quantity
    best = sorted(sold, key=lambda p: (-sold[p], p))[:10]
    ranked = sorted(orders, key=lambda o: (o.total_cents, o.number), reverse=True)
    same = sum(1 for a, b in zip(orders, orders[1:]) if a.lines[0] == b.lines[0])
    got = (
        sum(o.total_cents for o in orders),
        sum(o.shipped for o in orders),
        ranked[0].number,
        best[0].sku,
        same,
        max(CATALOGUE) == Product("SKU-0199", CATALOGUE[199].price_cents, CATALOGUE[199].weight_g),
    )
    if got != EXPECTED:
        raise AssertionError(f"dataclass_attrs: got {got}, expected {EXPECTED}")
