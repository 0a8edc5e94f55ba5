"""Nearest store lookup."""

from __future__ import annotations

from stores.geo import Place, distance_km


def nearest(origin: Place, stores: list[Place]) -> Place | None:
    return min(stores, key=lambda s: distance_km(origin, s), default=None)
