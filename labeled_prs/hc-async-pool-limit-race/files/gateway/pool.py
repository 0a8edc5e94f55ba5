"""A tiny async connection pool for the metrics gateway."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from gateway.conn import Connection


class Pool:
    """At most `max_size` connections exist at once; acquire() waits for a free one."""

    def __init__(self, connect: Callable[[], Awaitable[Connection]], max_size: int = 10) -> None:
        self._connect = connect
        self._max_size = max_size
        self._idle: list[Connection] = []
        self._open = 0
        self._released = asyncio.Event()

    async def acquire(self) -> Connection:
        if self._idle:
            return self._idle.pop()
        if self._open >= self._max_size:
            await self._released.wait()
            self._released.clear()
            if self._idle:
                return self._idle.pop()
        conn = await self._connect()
        self._open += 1
        return conn

    def release(self, conn: Connection) -> None:
        if conn.healthy:
            self._idle.append(conn)
        else:
            conn.close()
            self._open -= 1
        self._released.set()
