"""The warehouse's shipment feed."""

from __future__ import annotations

import logging
from typing import Any

from orders.repository import OrderRepository

log = logging.getLogger(__name__)


def on_shipment(repo: OrderRepository, message: dict[str, Any]) -> None:
    log.info("shipment %s for order %s", message["shipment_id"], message["order_id"])
    if repo.get_status(message["order_id"]) == "paid":
        repo.update_status(message["order_id"], "shipped")
