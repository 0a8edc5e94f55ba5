"""Orders and their storage."""

from __future__ import annotations

from dataclasses import dataclass

_ORDERS: list[Order] = []


@dataclass(frozen=True)
class Order:
    customer_id: str
    total_cents: int
    payment_id: str


def save_order(order: Order) -> None:
    _ORDERS.append(order)
