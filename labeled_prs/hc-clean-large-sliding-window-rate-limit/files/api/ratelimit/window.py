"""Sliding-window rate limiting backed by Redis sorted sets."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol


class RedisLike(Protocol):
    def pipeline(self, transaction: bool = True) -> PipelineLike: ...


class PipelineLike(Protocol):
    def zremrangebyscore(self, name: str, min: float, max: float) -> PipelineLike: ...
    def zadd(self, name: str, mapping: dict[str, float]) -> PipelineLike: ...
    def zcard(self, name: str) -> PipelineLike: ...
    def expire(self, name: str, time: int) -> PipelineLike: ...
    def execute(self) -> list[object]: ...


@dataclass(frozen=True)
class Decision:
    allowed: bool
    remaining: int
    retry_after: float  # seconds; 0 when allowed


class SlidingWindowLimiter:
    """At most `limit` events per `window` seconds per key.

    Each event is a member of a sorted set scored by its timestamp. One MULTI/EXEC
    transaction trims old events, adds the new one and counts, so concurrent callers on
    several processes see a consistent count.
    """

    def __init__(
        self,
        redis: RedisLike,
        limit: int,
        window: float,
        prefix: str = "swl",
        clock: Callable[[], float] = time.time,
    ) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        if window <= 0:
            raise ValueError("window must be positive")
        self._redis = redis
        self._limit = limit
        self._window = window
        self._prefix = prefix
        self._clock = clock

    def hit(self, key: str) -> Decision:
        now = self._clock()
        name = f"{self._prefix}:{key}"
        member = f"{now:.6f}:{uuid.uuid4().hex}"
        pipe = self._redis.pipeline(transaction=True)
        pipe.zremrangebyscore(name, 0, now - self._window)
        pipe.zadd(name, {member: now})
        pipe.zcard(name)
        pipe.expire(name, int(self._window) + 1)
        count = int(pipe.execute()[2])
        if count <= self._limit:
            return Decision(True, self._limit - count, 0.0)
        return Decision(False, 0, self._window)
