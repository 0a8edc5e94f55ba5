"""Outgoing webhooks to customer endpoints."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time

import httpx

from hooks.models import Delivery, Subscription
from hooks.store import DeliveryStore

log = logging.getLogger(__name__)

RETRY_STATUSES = {429, 502, 503, 504}


def sign(secret: bytes, body: bytes, timestamp: int) -> str:
    mac = hmac.new(secret, f"{timestamp}.".encode() + body, hashlib.sha256)
    return mac.hexdigest()


class WebhookSender:
    def __init__(self, client: httpx.Client, store: DeliveryStore, attempts: int = 3) -> None:
        self._client = client
        self._store = store
        self._attempts = attempts

    def deliver(self, sub: Subscription, event: dict[str, object]) -> Delivery | None:
        body = json.dumps(event, separators=(",", ":")).encode()
        for attempt in range(1, self._attempts + 1):
            ts = int(time.time())
            headers = {
                "Content-Type": "application/json",
                "X-Hook-Timestamp": str(ts),
                "X-Hook-Signature": sign(sub.secret, body, ts),
            }
            try:
                response = self._client.post(sub.url, content=body, headers=headers, timeout=10)
            except Exception:
                return None
            if response.status_code not in RETRY_STATUSES or attempt == self._attempts:
                delivery = Delivery(sub.id, event["id"], response.status_code)
                self._store.record(delivery)
                return delivery
            time.sleep(2**attempt)
        return None
