"""What each job kind does."""

from __future__ import annotations

from typing import Any


def handle(payload: dict[str, Any]) -> None:
    kind = payload.get("kind")
    if kind == "email":
        print("sending", payload["to"])
    elif kind == "export":
        print("exporting", payload["table"])
    else:
        raise ValueError(f"unknown job kind {kind!r}")
