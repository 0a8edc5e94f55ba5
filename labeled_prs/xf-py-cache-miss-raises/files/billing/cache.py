"""A tiny TTL cache over Redis bytes."""

from __future__ import annotations

import redis


class BlobCache:
    def __init__(self, r: redis.Redis, prefix: str) -> None:
        self._r = r
        self._prefix = prefix

    def get(self, key: str) -> bytes:
        """The cached bytes; raises KeyError on a miss (callers use `in` first or catch it)."""
        value = self._r.get(self._prefix + key)
        if value is None:
            raise KeyError(key)
        return value

    def put(self, key: str, value: bytes, ttl_seconds: int) -> None:
        self._r.set(self._prefix + key, value, ex=ttl_seconds)
