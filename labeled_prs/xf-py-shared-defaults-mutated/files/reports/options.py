"""Report options."""

from __future__ import annotations

from typing import Any

_DEFAULTS: dict[str, Any] = {
    "currency": "EUR",
    "week_starts_on": "monday",
    "include_refunds": True,
}


def default_options() -> dict[str, Any]:
    """The defaults every report starts from (the module's own dict: do not modify it)."""
    return _DEFAULTS
