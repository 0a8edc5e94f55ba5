"""A small in-process TTL cache for expensive lookups."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

V = TypeVar("V")


@dataclass
class _Entry(Generic[V]):
    value: V
    stored_at: float


class TTLCache(Generic[V]):
    def __init__(self, ttl_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._ttl = ttl_seconds
        self._clock = clock
        self._entries: dict[str, _Entry[V]] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> V | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if self._clock() - entry.stored_at > self._ttl:
                del self._entries[key]
                return None
            return entry.value

    def put(self, key: str, value: V) -> None:
        with self._lock:
            self._entries[key] = _Entry(value, self._clock())

    def get_or_compute(self, key: str, compute: Callable[[], V]) -> V:
        """Return the cached value, computing and storing it on a miss."""
        cached = self.get(key)
        if cached is not None:
            return cached
        value = compute()
        self.put(key, value)
        return value

    def purge_expired(self) -> int:
        """Drop expired entries; returns how many were dropped."""
        now = self._clock()
        with self._lock:
            expired = [k for k, e in self._entries.items() if now - e.stored_at < self._ttl]
            for key in expired:
                del self._entries[key]
        return len(expired)

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)
