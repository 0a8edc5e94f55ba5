"""The listener's limits, tried for real: raw sockets against `prbot serve`'s own uvicorn
config (bot/listener.py) on loopback. Unsigned strangers cannot make the server hold a
header block, an unfinished request or a pile of stalled connections, and a valid
delivery still gets through while they try.

Waits are on events (the server closing a socket), with generous socket timeouts that
only turn a hang into a failure.
"""

from __future__ import annotations

import http.client
import json
import select
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from functools import partial
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.app import create_app
from bot.jobs_sqlite import SqliteJobQueue
from bot.listener import uvicorn_config
from bot.settings import Settings
from bot.webhook import sign
from tests.fakes import webhook_sender as gh
from tests.fakes.servers import ServerThread, serve

SECRET = b"listener-secret"
HANG = 30.0  # a socket wait this long means the server never acted: the test fails
ROOT = Path(__file__).resolve().parents[2]


class Running:
    def __init__(self, server: ServerThread, queue: SqliteJobQueue) -> None:
        self.server = server
        self.queue = queue

    def connect(self) -> socket.socket:
        sock = socket.create_connection(("127.0.0.1", self.server.port), timeout=HANG)
        return sock


def start(tmp_path: Path, stack: ExitStack, **limits: object) -> Running:
    settings = Settings(
        webhook_secret=SecretStr(SECRET.decode()),
        data_dir=tmp_path,
        **limits,  # type: ignore[arg-type]
    )
    queue = stack.enter_context(SqliteJobQueue(tmp_path / "jobs.sqlite3"))
    app = create_app(settings, queue=queue)
    configure = partial(lambda s, app, host, port: uvicorn_config(app, s, host, port), settings)
    server = stack.enter_context(serve(app, configure=configure))
    return Running(server, queue)


@pytest.fixture
def stack() -> Iterator[ExitStack]:
    with ExitStack() as opened:
        yield opened


def closed_by_server(sock: socket.socket) -> bool:
    """Read until the server closes; True when it did (EOF or reset), whatever came first."""
    sock.settimeout(HANG)
    try:
        while sock.recv(65536):
            pass
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False
    return True


def delivery(number: int = 12) -> bytes:
    body = json.dumps(gh.pull_request_payload("opened", number=number)).encode()
    head = (
        "POST /webhook HTTP/1.1\r\nHost: prbot\r\nContent-Type: application/json\r\n"
        f"X-GitHub-Event: pull_request\r\nX-GitHub-Delivery: valid-{number}\r\n"
        f"X-Hub-Signature-256: {sign(SECRET, body)}\r\nContent-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    )
    return head.encode() + body


def status_of(sock: socket.socket) -> int:
    reply = b""
    sock.settimeout(HANG)
    while b"\r\n" not in reply:
        chunk = sock.recv(4096)
        if not chunk:
            break
        reply += chunk
    return int(reply.split()[1]) if reply else 0


def test_a_header_block_over_the_limit_is_refused_before_it_is_read(
    tmp_path: Path, stack: ExitStack
) -> None:
    running = start(tmp_path, stack, max_header_bytes=16 * 1024)
    sock = running.connect()
    sock.sendall(b"POST /webhook HTTP/1.1\r\nHost: prbot\r\nX-Junk: ")
    sent, chunk = 0, b"a" * 65536
    try:
        while sent < 512 * 1024 * 1024:  # what the attacker sent
            sock.sendall(chunk)
            sent += len(chunk)
    except (BrokenPipeError, ConnectionResetError):
        pass
    # Refused long before the 512 MiB: only the socket buffers' worth went out.
    assert sent < 64 * 1024 * 1024
    assert closed_by_server(sock)
    assert running.queue.depth() == 0


def test_an_unfinished_request_head_is_closed_at_the_deadline(
    tmp_path: Path, stack: ExitStack
) -> None:
    running = start(tmp_path, stack, request_timeout_seconds=0.3)
    silent = running.connect()  # connects and never sends a byte
    partial_head = running.connect()
    partial_head.sendall(b"POST /webhook HTTP/1.1\r\nHost: prbot\r\nX-Slow: ")
    assert closed_by_server(silent)
    assert closed_by_server(partial_head)


def test_a_stalled_body_is_closed_and_nothing_is_queued(tmp_path: Path, stack: ExitStack) -> None:
    running = start(tmp_path, stack, request_timeout_seconds=0.3)
    whole = delivery()
    sock = running.connect()
    sock.sendall(whole[: len(whole) - 100])  # the head and most of the body, then nothing
    assert closed_by_server(sock)
    assert running.queue.depth() == 0


def test_an_idle_kept_alive_connection_is_closed(tmp_path: Path, stack: ExitStack) -> None:
    running = start(tmp_path, stack, keep_alive_seconds=1)
    sock = running.connect()
    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: prbot\r\n\r\n")
    assert status_of(sock) == 200
    assert closed_by_server(sock)


def test_a_slow_client_within_the_deadline_is_served(tmp_path: Path, stack: ExitStack) -> None:
    """The deadline is per request: a kept-alive connection's second request gets its own."""
    running = start(tmp_path, stack, request_timeout_seconds=5.0, keep_alive_seconds=5)
    conn = http.client.HTTPConnection("127.0.0.1", running.server.port, timeout=HANG)
    try:
        for _ in range(3):
            conn.request("GET", "/healthz")
            response = conn.getresponse()
            assert (response.status, response.read()) == (200, b'{"ok":true}')
        assert conn.sock is not None  # the same connection throughout
    finally:
        conn.close()


def test_stalled_connections_cannot_lock_out_a_valid_delivery(
    tmp_path: Path, stack: ExitStack
) -> None:
    """More stalled connections than max_connections (and a deadline too long to help):
    each new connection evicts the longest-stalled one, so the delivery gets through."""
    limit, stalled_count = 8, 24
    running = start(tmp_path, stack, max_connections=limit, request_timeout_seconds=600)
    stalled = []
    for _ in range(stalled_count):
        sock = running.connect()
        sock.sendall(b"POST /webhook HTTP/1.1\r\nHost: prbot\r\n")
        stalled.append(sock)
    valid = running.connect()
    valid.sendall(delivery())
    assert status_of(valid) == 202
    assert running.queue.depth() == 1
    # The server holds at most `limit` connections: all but the newest stalled were evicted.
    evicted = wait_closed(stalled, at_least=stalled_count + 1 - limit)
    assert evicted >= stalled_count + 1 - limit
    assert stalled[-1] not in [s for s in stalled if is_closed(s)]


def is_closed(sock: socket.socket) -> bool:
    readable, _, _ = select.select([sock], [], [], 0)
    if not readable:
        return False
    try:
        return sock.recv(1, socket.MSG_PEEK) == b""
    except ConnectionResetError:
        return True


def wait_closed(socks: list[socket.socket], at_least: int) -> int:
    """How many of `socks` the server closed, waiting (on their readability) for `at_least`."""
    open_socks = list(socks)
    closed = 0
    while closed < at_least and open_socks:
        readable, _, _ = select.select(open_socks, [], [], HANG)
        if not readable:
            break
        for sock in readable:
            if is_closed(sock):
                closed += 1
                open_socks.remove(sock)
    return closed


@pytest.mark.parametrize(
    ("limits", "expected"),
    [
        ((300, 20_000), "raised 768"),  # 512 connections + 256 reserved
        ((100, 100), "error: max_connections 512 needs 768 open files, but the hard limit"),
    ],
)
def test_the_open_files_limit_is_raised_to_fit_or_refused(
    limits: tuple[int, int], expected: str
) -> None:
    probe = (
        "import resource\n"
        f"resource.setrlimit(resource.RLIMIT_NOFILE, {limits!r})\n"
        "from bot.listener import ensure_descriptors\n"
        "from bot.settings import ConfigError, Settings\n"
        "try:\n"
        "    ensure_descriptors(Settings())\n"
        "    print('raised', resource.getrlimit(resource.RLIMIT_NOFILE)[0])\n"
        "except ConfigError as error:\n"
        "    print('error:', error)\n"
    )
    hard = subprocess.run(["sh", "-c", "ulimit -Hn"], capture_output=True, text=True).stdout
    if hard.strip() != "unlimited" and int(hard) < limits[1]:
        pytest.fail(f"this machine's hard limit {hard.strip()} is below the test's {limits[1]}")
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert done.stdout.startswith(expected)
