"""Invoice PDF rendering."""

from __future__ import annotations

from shop.money import format_money, parse_money


def total_cell(amount, currency: str) -> str:
    return format_money(amount, currency)


def read_cell(text: str):
    return parse_money(text)
