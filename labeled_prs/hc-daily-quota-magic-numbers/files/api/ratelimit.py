"""Per-API-key rate limiting."""

from __future__ import annotations

import time

from api.redis import Redis


class RateLimiter:
    def __init__(self, redis: Redis, per_minute: int, plan: str = "free") -> None:
        self._redis = redis
        self._per_minute = per_minute
        self._plan = plan

    def allow(self, api_key: str) -> bool:
        window = int(time.time() // 60)
        key = f"rl:{api_key}:{window}"
        count = self._redis.incr(key)
        if count == 1:
            self._redis.expire(key, 60)
        if count > self._per_minute:
            return False
        return self._allow_daily(api_key)

    def _allow_daily(self, api_key: str) -> bool:
        day = int(time.time() // 86400)
        key = f"rl:{api_key}:d:{day}"
        count = self._redis.incr(key)
        if count == 1:
            self._redis.expire(key, 90000)
        if self._plan == "free":
            return count <= 2500
        if self._plan == "team":
            return count <= 50000
        return count <= 1000000
