"""Money formatting helpers."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£"}


def format_money(amount: Decimal, currency: str) -> str:
    rounded = amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    symbol = SYMBOLS.get(currency)
    if symbol is None:
        return f"{rounded:,.2f} {currency}"
    return f"{symbol}{rounded:,.2f}"


def parse_money(text: str) -> Decimal:
    cleaned = text.strip().lstrip("".join(SYMBOLS.values())).replace(",", "")
    return Decimal(cleaned)
