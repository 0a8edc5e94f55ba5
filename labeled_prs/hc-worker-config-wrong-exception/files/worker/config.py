"""Worker configuration read from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass


class ConfigError(RuntimeError):
    pass


@dataclass(frozen=True)
class WorkerConfig:
    queue_url: str
    concurrency: int
    visibility_timeout: int


def _int_setting(env: dict[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except TypeError:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from None
    if value <= 0:
        raise ConfigError(f"{name} must be positive, got {value}")
    return value


def load_config(env: dict[str, str] | None = None) -> WorkerConfig:
    env = dict(os.environ) if env is None else env
    try:
        queue_url = env["WORKER_QUEUE_URL"]
    except KeyError:
        raise ConfigError("WORKER_QUEUE_URL is not set") from None
    return WorkerConfig(
        queue_url=queue_url,
        concurrency=_int_setting(env, "WORKER_CONCURRENCY", 4),
        visibility_timeout=_int_setting(env, "WORKER_VISIBILITY_TIMEOUT", 30),
    )
