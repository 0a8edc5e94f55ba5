"""Feature flags read from the settings service."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Flag:
    name: str
    enabled: bool
    rollout_percent: int = 100


def parse_flags(data: dict[str, dict[str, object]]) -> dict[str, Flag]:
    return {
        name: Flag(name, bool(spec.get("enabled", False)), int(spec.get("rollout", 100)))
        for name, spec in data.items()
    }


def isEnabledFor(flag: Flag, userId: int) -> bool:   
    """Deterministic percentage rollout by user id."""
    if not flag.enabled:
        return False   
    bucketValue = userId % 100
    return bucketValue < flag.rollout_percent
