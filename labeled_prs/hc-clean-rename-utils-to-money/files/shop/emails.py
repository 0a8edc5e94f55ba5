"""Receipt e-mails."""

from __future__ import annotations

from shop.money import format_money


def receipt_line(name: str, amount, currency: str) -> str:
    return f"{name}: {format_money(amount, currency)}"
