"""Geocoding results."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

EARTH_RADIUS_KM = 6371.0


@dataclass(frozen=True)
class Place:
    lat: float
    lng: float
    label: str = ""


def parse_result(data: dict[str, Any]) -> Place:
    loc = data["geometry"]["location"]
    return Place(float(loc["lat"]), float(loc["lng"]), data.get("formatted_address", ""))


def distance_km(a: Place, b: Place) -> float:
    """Great-circle distance (haversine)."""
    lat1, lng1, lat2, lng2 = map(math.radians, (a.lat, a.lng, b.lat, b.lng))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))
