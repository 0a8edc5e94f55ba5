"""Run any ASGI app with uvicorn in a background thread on 127.0.0.1, on a free port."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import TracebackType

import uvicorn
from starlette.types import ASGIApp

LOOPBACK = "127.0.0.1"


class ServerStartError(RuntimeError):
    """The server thread died or did not report `started` in time."""


def free_port() -> int:
    """A port that was free a moment ago (racy: prefer ServerThread(app), which holds it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


class ServerThread:
    """A uvicorn server on loopback, serving from start() until stop().

    The listening socket is bound by this class and handed to uvicorn, so no other process can
    take the port between choosing it and serving on it. It is bound in start(), or earlier on
    the first read of `port`/`base_url` (an app that must know its own URL can ask first).
    """

    def __init__(
        self,
        app: ASGIApp,
        port: int | None = None,
        configure: Callable[[ASGIApp, str, int], uvicorn.Config] | None = None,
    ) -> None:
        """`configure(app, host, port)`: the uvicorn.Config to serve with, e.g. `prbot
        serve`'s own (bot.listener.uvicorn_config) with its limits; default a plain one."""
        self._app = app
        self._configure = configure
        self._requested_port = port
        self._socket: socket.socket | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._port = 0

    @property
    def port(self) -> int:
        self._bind()
        return self._port

    @property
    def base_url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def _bind(self) -> socket.socket:
        if self._socket is None:
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((LOOPBACK, self._requested_port or 0))
            self._socket = sock
            self._port = int(sock.getsockname()[1])
        return self._socket

    def start(self, timeout: float = 10.0) -> ServerThread:
        """Bind, serve in a daemon thread, and wait until uvicorn reports it is accepting."""
        if self._thread is not None:
            raise ServerStartError("ServerThread.start() called twice")
        sock = self._bind()
        config = (
            self._configure(self._app, LOOPBACK, self.port)
            if self._configure is not None
            else uvicorn.Config(
                self._app,
                host=LOOPBACK,
                port=self.port,
                log_level="warning",
                lifespan="auto",
            )
        )
        # a test that leaves a slow (delayed) request behind must not stall teardown
        config.timeout_graceful_shutdown = 1
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, daemon=True
        )
        self._thread.start()
        self._wait_started(timeout)
        return self

    def _wait_started(self, timeout: float) -> None:
        assert self._server is not None and self._thread is not None
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive():
                raise ServerStartError(f"server on port {self.port} exited during startup")
            if time.monotonic() > deadline:
                self.stop()
                raise ServerStartError(f"server on port {self.port} did not start in {timeout}s")
            time.sleep(0.01)

    def stop(self, timeout: float = 10.0) -> None:
        """Ask uvicorn to exit and wait for the thread; safe to call twice."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None and self._thread.is_alive():
            self._thread.join(timeout=timeout)
        if self._socket is not None:
            self._socket.close()

    def __enter__(self) -> ServerThread:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


@contextmanager
def serve(
    app: ASGIApp,
    port: int | None = None,
    configure: Callable[[ASGIApp, str, int], uvicorn.Config] | None = None,
) -> Iterator[ServerThread]:
    """`with serve(app) as server: server.base_url` - started and stopped around the block."""
    server = ServerThread(app, port, configure).start()
    try:
        yield server
    finally:
        server.stop()
