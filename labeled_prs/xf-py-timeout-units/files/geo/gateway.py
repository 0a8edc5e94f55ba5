"""The upstream gateway client (takes milliseconds)."""

from __future__ import annotations

import requests

from geo.limits import UPSTREAM_TIMEOUT


def call_gateway(path: str) -> dict:
    reply = requests.get(f"https://gateway.internal{path}", timeout=UPSTREAM_TIMEOUT / 1000)
    reply.raise_for_status()
    return reply.json()
