"""A customer's cart."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Line:
    sku: str
    price_cents: int
    quantity: int


@dataclass
class Cart:
    customer_id: str
    currency: str = "EUR"
    lines: list[Line] = field(default_factory=list)

    def total_cents(self) -> int:
        return sum(line.price_cents * line.quantity for line in self.lines)
