"""Pushes stock levels to the inventory service."""

from __future__ import annotations

import time
from typing import Any

import httpx

from sync.settings import load_settings


def push_batch(client: httpx.Client, rows: list[dict[str, Any]], settings: dict[str, Any]) -> None:
    attempts = settings.get("retry_limit", 1)
    for attempt in range(attempts):
        reply = client.post("/stock", json=rows)
        if reply.status_code < 500:
            reply.raise_for_status()
            return
        time.sleep(settings["backoff_seconds"] * (2**attempt))
    raise RuntimeError(f"inventory unavailable after {attempts} attempts")


def run(rows: list[dict[str, Any]]) -> None:
    settings = load_settings()
    with httpx.Client(base_url=settings["endpoint"], timeout=30) as client:
        size = settings["batch_size"]
        for start in range(0, len(rows), size):
            push_batch(client, rows[start : start + size], settings)
