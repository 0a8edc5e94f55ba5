"""Customer notifications (async: they go through the push service)."""

from __future__ import annotations

import httpx

PUSH_URL = "https://push.internal/v2/messages"


async def notify_customer(client: httpx.AsyncClient, customer_id: str, text: str) -> None:
    reply = await client.post(PUSH_URL, json={"to": customer_id, "text": text})
    reply.raise_for_status()
