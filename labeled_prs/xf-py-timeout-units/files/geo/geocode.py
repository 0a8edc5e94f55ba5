"""Address -> coordinates through the geocoding upstream."""

from __future__ import annotations

import requests

from geo.limits import MAX_REDIRECTS, UPSTREAM_TIMEOUT


def geocode(address: str) -> tuple[float, float] | None:
    session = requests.Session()
    session.max_redirects = MAX_REDIRECTS
    reply = session.get(
        "https://geocoder.internal/v1/search",
        params={"q": address},
        timeout=UPSTREAM_TIMEOUT,
    )
    reply.raise_for_status()
    hits = reply.json()["results"]
    if not hits:
        return None
    return hits[0]["lat"], hits[0]["lon"]
