"""Order notifications: e-mail the customer when an order changes state."""

from __future__ import annotations

import logging

from orders.models import Order, OrderState
from orders.repository import CustomerRepository
from orders.mailer import Mailer

log = logging.getLogger(__name__)

SUBJECTS = {
    OrderState.PAID: "We received your payment",
    OrderState.SHIPPED: "Your order is on its way",
    OrderState.CANCELLED: "Your order was cancelled",
}


class OrderNotifier:
    def __init__(self, customers: CustomerRepository, mailer: Mailer) -> None:
        self._customers = customers
        self._mailer = mailer

    def on_state_change(self, order: Order) -> None:
        subject = SUBJECTS.get(order.state)
        if subject is None:
            return
        customer = self._customers.get(order.customer_id)
        if customer is None:
            log.warning("order %s has no customer %s", order.id, order.customer_id)
            return
        if not customer.preferences.wants_email(order.state):
            return
        self._mailer.send(to=customer.email, subject=subject, template=order.state.value)

    def on_refund(self, order: Order, amount_cents: int) -> None:
        customer = self._customers.get(order.customer_id)
        address = customer.billing_email or customer.email
        self._mailer.send(
            to=address,
            subject="Your refund is on its way",
            template="refund",
            context={"order": order.id, "amount": f"{amount_cents / 100:.2f}"},
        )
