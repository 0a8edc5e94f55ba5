"""GitHub writes per installation: one at a time, at least `gap` seconds apart.

GitHub's best practices ask for serial writes (POST, PATCH, PUT, DELETE) and at least one
second between them for one installation; faster ones draw secondary rate limits.
PyGithub's own `seconds_between_writes` is per client object and not thread-safe (two
workers sharing a client wrote 0 s apart), so every write of GitHubClient goes through a
pacer slot instead:

    LocalPacer  one process: a lock per installation and when its last write ended.
    RedisPacer  every process on one Redis: the same, held in Redis (a lock with a token
                and an expiry, and the end of the last write in Redis' own clock, so the
                machines' clocks do not matter).

The gap runs from the end of one write to the start of the next.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import redis  # the redis extra: only the redis backend builds a RedisPacer

Sleep = Callable[[float], None]


class WritePacer(Protocol):
    def slot(self, installation: str) -> AbstractContextManager[None]:
        """Held around one write (or a short run of writes) of an installation."""
        ...


class LocalPacer:
    """Writes of one process: serial and `gap` seconds apart per installation."""

    def __init__(
        self,
        gap: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Sleep = time.sleep,
    ) -> None:
        self.gap = gap
        self.clock = clock
        self.sleep = sleep
        self._guard = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}
        self._ended: dict[str, float] = {}

    def lock_of(self, installation: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(installation, threading.Lock())

    @contextmanager
    def slot(self, installation: str) -> Iterator[None]:
        with self.lock_of(installation):
            ended = self._ended.get(installation)
            if ended is not None:
                wait = ended + self.gap - self.clock()
                if wait > 0:
                    self.sleep(wait)
            try:
                yield
            finally:
                self._ended[installation] = self.clock()


# KEYS: lock, last. ARGV: token, lock ms, gap ms. -> -1: another holds the lock; else ms to
# wait before writing (the lock is now ours).
ACQUIRE = """
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return -1 end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local last = tonumber(redis.call('GET', KEYS[2]) or '0')
local wait = last + tonumber(ARGV[3]) - now
if wait < 0 then wait = 0 end
return wait
"""
# KEYS: lock, last. ARGV: token, keep ms. The end of the write, if the lock is still ours.
RELEASE = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('SET', KEYS[2], now, 'PX', ARGV[2])
redis.call('DEL', KEYS[1])
return 1
"""


class RedisPacer:
    """Writes of every process sharing one Redis: serial and `gap` seconds apart."""

    def __init__(
        self,
        client: redis.Redis,
        prefix: str,
        gap: float,
        *,
        hold_seconds: float = 120.0,  # a holder that died frees the slot after this
        poll_seconds: float = 0.05,  # how often a waiting process looks again
        sleep: Sleep = time.sleep,
    ) -> None:
        self.client = client
        self.prefix = prefix
        self.gap = gap
        self.hold_ms = int(hold_seconds * 1000)
        self.poll_seconds = poll_seconds
        self.sleep = sleep
        self.local = LocalPacer(0.0)  # threads of this process queue here, not on Redis
        self._acquire = client.register_script(ACQUIRE)
        self._release = client.register_script(RELEASE)

    @contextmanager
    def slot(self, installation: str) -> Iterator[None]:
        keys = [f"{self.prefix}gh:write:{installation}", f"{self.prefix}gh:written:{installation}"]
        token = uuid.uuid4().hex
        gap_ms = int(self.gap * 1000)
        with self.local.lock_of(installation):
            while (
                wait_ms := int(self._acquire(keys=keys, args=[token, self.hold_ms, gap_ms]))
            ) < 0:
                self.sleep(self.poll_seconds)
            if wait_ms:
                self.sleep(wait_ms / 1000)
            try:
                yield
            finally:
                self._release(keys=keys, args=[token, max(gap_ms, 1000) * 2])
