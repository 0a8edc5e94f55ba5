"""Exchange-rate lookups backed by the rates API."""

from __future__ import annotations

from decimal import Decimal

from billing.cache import TTLCache
from billing.rates_api import RatesClient


class RateService:
    def __init__(self, client: RatesClient) -> None:
        self._client = client
        self._cache: TTLCache[Decimal] = TTLCache(ttl_seconds=300)

    def rate(self, base: str, quote: str) -> Decimal:
        return self._cache.get_or_compute(
            f"{base}:{quote}", lambda: self._client.fetch_rate(base, quote)
        )

    def housekeeping(self) -> int:
        """Called by the scheduler every minute."""
        return self._cache.purge_expired()
