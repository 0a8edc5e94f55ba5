"""Carrier webhooks."""

from __future__ import annotations

from typing import Any

import httpx

from tracking.notify import notify_customer
from tracking.store import save_event


async def on_carrier_event(client: httpx.AsyncClient, event: dict[str, Any]) -> None:
    await save_event(event)
    if event.get("status") == "delayed":
        eta = event.get("new_eta", "soon")
        notify_customer(client, event["customer_id"], f"Your parcel is delayed, now due {eta}.")
