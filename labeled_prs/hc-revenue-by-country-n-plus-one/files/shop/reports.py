"""Sales reports."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from shop.models import Customer, Order


def revenue_by_day(session: Session, start: dt.date, end: dt.date) -> dict[dt.date, Decimal]:
    orders = session.scalars(
        select(Order).where(Order.placed_on >= start, Order.placed_on < end)
    ).all()
    totals: dict[dt.date, Decimal] = {}
    for order in orders:
        totals[order.placed_on] = totals.get(order.placed_on, Decimal(0)) + order.total
    return totals


def revenue_by_country(session: Session, start: dt.date, end: dt.date) -> dict[str, Decimal]:
    orders = session.scalars(
        select(Order).where(Order.placed_on >= start, Order.placed_on < end)
    ).all()
    totals: dict[str, Decimal] = {}
    for order in orders:
        customer = session.scalars(select(Customer).where(Customer.id == order.customer_id)).one()
        country = customer.country_code or "??"
        totals[country] = totals.get(country, Decimal(0)) + order.total
    return dict(sorted(totals.items(), key=lambda kv: kv[1], reverse=True))
