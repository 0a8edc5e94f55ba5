"""Settings for the sync service, from the environment."""

from __future__ import annotations

import os
from typing import Any

DEFAULTS: dict[str, Any] = {
    "batch_size": 500,
    "max_attempts": 5,
    "backoff_seconds": 2.0,
    "endpoint": "https://inventory.internal/api",
}


def load_settings(env: dict[str, str] | None = None) -> dict[str, Any]:
    env = dict(os.environ if env is None else env)
    settings = dict(DEFAULTS)
    if "SYNC_BATCH_SIZE" in env:
        settings["batch_size"] = int(env["SYNC_BATCH_SIZE"])
    if "SYNC_MAX_ATTEMPTS" in env:
        settings["max_attempts"] = int(env["SYNC_MAX_ATTEMPTS"])
    if "SYNC_ENDPOINT" in env:
        settings["endpoint"] = env["SYNC_ENDPOINT"]
    return settings
