"""The HTTP listener of `prbot serve`: uvicorn with the limits Settings give it.

A request is read in full before its signature can be checked, so these limits are what
stands between an unsigned stranger and the server's memory and file descriptors:

- max_header_bytes: h11 refuses a request head larger than this (400) and closes.
- request_timeout_seconds: a request's head and body must arrive within this time of its
  first byte (of the connection, for the first one), else the connection is closed.
  GitHub itself gives up on a delivery after 10 s.
- keep_alive_seconds: an idle connection between requests is closed after this.
- max_connections: at most this many open connections. One more evicts the connection
  that has waited longest for a request that never completed; a request that has arrived
  in full is never evicted. The process's file-descriptor limit is raised to fit.

Behind a reverse proxy (docs/deploy.md) these are a second line, not the first.
"""

from __future__ import annotations

import asyncio
import resource
import time
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from bot.settings import ConfigError, Settings

# Descriptors the process needs beyond client connections: the listening socket, SQLite,
# Redis, the GitHub and model clients' pools, logs.
RESERVED_FDS = 256


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline per request and eviction of stalled ones."""

    request_timeout: float = 10.0
    max_connections: int = 512

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.deadline: asyncio.TimerHandle | None = None
        self.waiting_since = time.monotonic()  # for eviction: oldest unfinished first

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)  # type: ignore[arg-type]
        self.start_deadline()
        self.evict_if_full()

    def connection_lost(self, exc: Exception | None) -> None:
        self.stop_deadline()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self.deadline is None and self.awaiting_request():
            self.start_deadline()  # the first byte of the next request on this connection
        super().data_received(data)
        if not self.awaiting_request():
            self.stop_deadline()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self.waiting_since = time.monotonic()  # idle, kept alive: waiting for the next one

    def awaiting_request(self) -> bool:
        """True until the whole request (head and body) has arrived, and again once the
        response has gone and the connection waits for the next one."""
        return self.conn.their_state in (h11.IDLE, h11.SEND_BODY)

    def start_deadline(self) -> None:
        self.stop_deadline()
        self.waiting_since = time.monotonic()
        self.deadline = self.loop.call_later(self.request_timeout, self.expire)

    def stop_deadline(self) -> None:
        if self.deadline is not None:
            self.deadline.cancel()
            self.deadline = None

    def expire(self) -> None:
        self.deadline = None
        if self.awaiting_request() and not self.transport.is_closing():
            self.logger.info("closed a connection: no complete request within the timeout")
            self.transport.close()

    def evict_if_full(self) -> None:
        """Over max_connections: close the connection that has waited longest for a request
        (never one whose request has arrived in full and is being answered)."""
        if len(self.connections) <= self.max_connections:
            return
        waiting = [
            c
            for c in self.connections
            if isinstance(c, GuardedH11Protocol) and c.awaiting_request()
        ]
        victim = min(waiting, key=lambda c: c.waiting_since, default=self)
        self.logger.warning("max_connections reached: closed the longest-stalled connection")
        victim.stop_deadline()
        victim.transport.close()


def protocol_for(settings: Settings) -> type[GuardedH11Protocol]:
    """The protocol class with this server's limits (uvicorn builds one per connection)."""
    return type(
        "ServerProtocol",
        (GuardedH11Protocol,),
        {
            "request_timeout": settings.request_timeout_seconds,
            "max_connections": settings.max_connections,
        },
    )


def uvicorn_config(app: Any, settings: Settings, host: str, port: int) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        http=protocol_for(settings),
        h11_max_incomplete_event_size=settings.max_header_bytes,
        timeout_keep_alive=settings.keep_alive_seconds,
        log_config=None,  # uvicorn's loggers propagate to prbot's root handler
    )


def ensure_descriptors(settings: Settings) -> None:
    """Raise the soft open-files limit to fit max_connections; ConfigError if it cannot."""
    needed = settings.max_connections + RESERVED_FDS
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft >= needed or soft == resource.RLIM_INFINITY:
        return
    if hard != resource.RLIM_INFINITY and hard < needed:
        raise ConfigError(
            f"max_connections {settings.max_connections} needs {needed} open files, but "
            f"the hard limit is {hard}: lower PRBOT_MAX_CONNECTIONS or raise `ulimit -Hn`"
        )
    resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))


def serve(app: Any, settings: Settings, host: str, port: int) -> None:
    """Run until interrupted (SIGINT / SIGTERM)."""
    ensure_descriptors(settings)
    uvicorn.Server(uvicorn_config(app, settings, host, port)).run()
