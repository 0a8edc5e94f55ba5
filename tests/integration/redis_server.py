"""Redis for tests: PRBOT_TEST_REDIS_URL (loopback only) if set, else our own redis-server
process on a free loopback port in a temp dir; and workers on its queue in a thread.

Without either, a test that needs Redis fails under CI (CI=true) and is skipped locally,
with the install command in the reason.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

import pytest
import redis

from bot.backends import redis_queue
from bot.jobs import Handle
from bot.jobs_workers import WorkerPool
from bot.settings import Settings
from tests.fakes.servers import LOOPBACK, free_port

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
MISSING = (
    "redis-server is not installed and PRBOT_TEST_REDIS_URL is not set: "
    "apt-get install redis-server"
)


def require_redis_server() -> str:
    """The redis-server binary; fails in CI, skips elsewhere, when it is missing."""
    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("CI") == "true":
            pytest.fail(MISSING)
        pytest.skip(MISSING)
    return binary


class RedisServer:
    """A redis-server process on 127.0.0.1: no RDB snapshots; AOF only if asked (so that a
    restart keeps the data, as a production Redis with appendonly yes does)."""

    def __init__(self, directory: Path, appendonly: bool = False, port: int | None = None) -> None:
        self.directory = directory
        self.appendonly = appendonly
        self.port = port or free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://{LOOPBACK}:{self.port}/0"

    def start(self, timeout: float = 10.0) -> RedisServer:
        self.directory.mkdir(parents=True, exist_ok=True)
        args = [require_redis_server(), "--bind", LOOPBACK, "--port", str(self.port)]
        args += ["--save", "", "--dir", str(self.directory), "--daemonize", "no"]
        args += ["--logfile", str(self.directory / "redis.log")]
        args += ["--appendonly", "yes" if self.appendonly else "no", "--appendfsync", "always"]
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.wait_until_up(timeout)
        return self

    def wait_until_up(self, timeout: float) -> None:
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.5)
        deadline = time.monotonic() + timeout
        try:
            while True:
                if self.process is not None and self.process.poll() is not None:
                    log = (self.directory / "redis.log").read_text(errors="replace")[-2000:]
                    raise RuntimeError(f"redis-server on port {self.port} exited: {log}")
                try:
                    if client.ping():
                        return
                except redis.ConnectionError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.05)
        finally:
            client.close()

    def stop(self) -> None:
        """SIGTERM: Redis flushes its AOF and exits."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None


def loopback_url(url: str) -> str:
    host = urlparse(url).hostname
    if host not in LOOPBACK_HOSTS:
        pytest.fail(f"PRBOT_TEST_REDIS_URL must point at loopback, not {host!r}")
    return url


@contextmanager
def redis_for_tests(directory: Path) -> Iterator[str]:
    """The URL of a Redis to test against, for as long as the block runs."""
    url = os.environ.get("PRBOT_TEST_REDIS_URL")
    if url:
        yield loopback_url(url)
        return
    server = RedisServer(directory).start()
    try:
        yield server.url
    finally:
        server.stop()


def unique_prefix() -> str:
    """A key prefix of its own per test: tests share one Redis and never see each other."""
    return f"t-{uuid.uuid4().hex[:12]}:"


def delete_prefix(url: str, prefix: str) -> None:
    client = redis.Redis.from_url(url)
    try:
        keys = list(client.scan_iter(match=f"{prefix}*", count=500))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


@contextmanager
def worker_thread(settings: Settings, handle: Handle) -> Iterator[None]:
    """`settings.workers` workers on the redis backend's queue, in a thread of this process
    (what `prbot worker` runs in its own process)."""
    queue = redis_queue(settings)
    pool = WorkerPool(
        queue,
        handle,
        settings.workers,
        lease_seconds=settings.job_lease_seconds,
        poll_interval=settings.job_poll_seconds,
        grace=settings.shutdown_grace_seconds,
    )
    pool.start()
    try:
        yield
    finally:
        pool.stop()
        queue.close()
