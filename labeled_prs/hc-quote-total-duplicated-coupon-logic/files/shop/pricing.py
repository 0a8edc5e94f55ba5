"""Cart pricing."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from shop.models import Cart, Coupon

CENT = Decimal("0.01")


def cart_total(cart: Cart, coupon: Coupon | None = None) -> Decimal:
    subtotal = sum((line.unit_price * line.quantity for line in cart.lines), Decimal(0))
    if coupon is not None and subtotal >= coupon.minimum_spend:
        if coupon.percent_off:
            subtotal -= subtotal * Decimal(coupon.percent_off) / 100
        else:
            subtotal -= min(coupon.amount_off, subtotal)
    return subtotal.quantize(CENT, rounding=ROUND_HALF_UP)


def quote_total(lines: list[tuple[Decimal, int]], coupon: Coupon | None = None) -> Decimal:
    """Total for a B2B quote (lines of unit price and quantity), same coupon rules as carts."""
    subtotal = Decimal(0)
    for unit_price, quantity in lines:
        subtotal += unit_price * quantity
    if coupon is not None and subtotal >= coupon.minimum_spend:
        if coupon.percent_off:
            subtotal -= subtotal * Decimal(coupon.percent_off) / 100
        else:
            subtotal -= min(coupon.amount_off, subtotal)
    return subtotal.quantize(CENT, rounding=ROUND_HALF_UP)
