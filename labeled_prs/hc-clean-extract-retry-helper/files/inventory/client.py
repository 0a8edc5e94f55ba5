"""Client for the inventory service."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

import httpx

T = TypeVar("T")


class InventoryClient:
    def __init__(self, client: httpx.Client, attempts: int = 3) -> None:
        self._client = client
        self._attempts = attempts

    def _with_retries(self, call: Callable[[], T]) -> T:
        """Run `call`, retrying transport errors with exponential backoff."""
        for attempt in range(self._attempts - 1):
            try:
                return call()
            except httpx.TransportError:
                time.sleep(0.5 * 2**attempt)
        return call()

    def stock_level(self, sku: str) -> int:
        def call() -> int:
            response = self._client.get(f"/stock/{sku}")
            response.raise_for_status()
            return int(response.json()["available"])

        return self._with_retries(call)

    def reserve(self, sku: str, quantity: int) -> str:
        def call() -> str:
            response = self._client.post("/reservations", json={"sku": sku, "quantity": quantity})
            response.raise_for_status()
            return str(response.json()["reservation_id"])

        return self._with_retries(call)
