"""Tracking events."""

from __future__ import annotations

from typing import Any

EVENTS: list[dict[str, Any]] = []


async def save_event(event: dict[str, Any]) -> None:
    EVENTS.append(event)
