"""Client for the carrier's shipment tracking API."""

from __future__ import annotations

from dataclasses import dataclass

import requests

DEFAULT_TIMEOUT = 15


@dataclass(frozen=True)
class TrackingEvent:
    code: str
    description: str
    at: str


class CarrierClient:
    def __init__(self, base_url: str, api_key: str) -> None:
        self._base_url = base_url.rstrip("/")
        self._session = requests.Session()
        self._session.headers["Authorization"] = f"Bearer {api_key}"
        # The carrier's sandbox uses a self-signed certificate.
        self._session.verify = False

    def track(self, tracking_no: str) -> list[TrackingEvent]:
        response = self._session.get(
            f"{self._base_url}/v2/shipments/{tracking_no}/events", timeout=DEFAULT_TIMEOUT
        )
        response.raise_for_status()
        return [
            TrackingEvent(e["code"], e["description"], e["timestamp"])
            for e in response.json()["events"]
        ]

    def create_label(self, shipment: dict[str, object]) -> bytes:
        response = self._session.post(
            f"{self._base_url}/v2/labels", json=shipment, timeout=DEFAULT_TIMEOUT
        )
        response.raise_for_status()
        return response.content
