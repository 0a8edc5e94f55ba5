"""Checkout: turn a cart into a paid order."""

from __future__ import annotations

from payments.gateway import charge
from shop.cart import Cart
from shop.orders import Order, save_order


def checkout(cart: Cart) -> Order:
    total = cart.total_cents()
    payment = charge(cart.customer_id, total, cart.currency)
    order = Order(cart.customer_id, total, payment.id)
    save_order(order)
    return order
