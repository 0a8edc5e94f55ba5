"""Talks to the card processor."""

from __future__ import annotations

from dataclasses import dataclass

from payments.client import ProcessorClient


@dataclass(frozen=True)
class Charge:
    id: str
    customer_id: str
    amount_cents: int
    currency: str


def charge(amount_cents: int, customer_id: str, currency: str = "EUR") -> Charge:
    """Charge a stored card; raises ProcessorError when the processor declines."""
    if amount_cents <= 0:
        raise ValueError("amount must be positive")
    reply = ProcessorClient.default().post(
        "/charges",
        {"customer": customer_id, "amount": amount_cents, "currency": currency},
    )
    return Charge(reply["id"], customer_id, amount_cents, currency)
