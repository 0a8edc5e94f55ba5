"""Request size caps: a body over max_body_bytes gets 413 and queues nothing, however it is sent."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from bot.app import create_app
from bot.jobs_sqlite import SqliteJobQueue
from bot.settings import Settings
from bot.webhook import sign
from tests.fakes import webhook_sender as gh
from tests.fakes.servers import serve

SECRET = b"size-cap-secret"
BODY = json.dumps(gh.pull_request_payload("opened")).encode()


def headers_for(body: bytes, delivery: str) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "X-GitHub-Event": "pull_request",
        "X-GitHub-Delivery": delivery,
        "X-Hub-Signature-256": sign(SECRET, body),
    }


@pytest.fixture
def capped(tmp_path: Path) -> Iterator[tuple[httpx.Client, SqliteJobQueue]]:
    """The app with its cap set to exactly the size of one real delivery."""
    settings = Settings(
        webhook_secret=SecretStr(SECRET.decode()), data_dir=tmp_path, max_body_bytes=len(BODY)
    )
    with (
        SqliteJobQueue(tmp_path / "jobs.sqlite3") as queue,
        serve(create_app(settings, queue=queue)) as server,
        httpx.Client(base_url=server.base_url, timeout=10) as client,
    ):
        yield client, queue


def chunks(body: bytes, size: int = 1000) -> Iterator[bytes]:
    """A body sent chunked, with no Content-Length to trust."""
    for start in range(0, len(body), size):
        yield body[start : start + size]


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_one_byte_over_the_cap_is_refused_and_nothing_is_queued(
    capped: tuple[httpx.Client, SqliteJobQueue], chunked: bool
) -> None:
    client, queue = capped
    body = BODY + b" "  # still valid JSON, correctly signed: only its size is wrong
    content = chunks(body) if chunked else body
    response = client.post("/webhook", content=content, headers=headers_for(body, "big-1"))
    assert response.status_code == 413
    assert response.json()["error"] == "too_large"
    assert queue.list() == [] and queue.depth() == 0


def test_an_announced_huge_body_is_refused_before_it_is_sent(
    capped: tuple[httpx.Client, SqliteJobQueue],
) -> None:
    client, queue = capped
    url = httpx.URL(str(client.base_url))
    head = "".join(f"{k}: {v}\r\n" for k, v in headers_for(BODY, "huge-1").items())
    request = (
        f"POST /webhook HTTP/1.1\r\nHost: {url.host}\r\n{head}"
        f"Content-Length: {10 * 1024**3}\r\n\r\n"  # 10 GiB announced, not one byte sent
    )
    with socket.create_connection((url.host, url.port), timeout=5) as sock:
        sock.sendall(request.encode())
        status_line = sock.makefile("rb").readline()
    assert status_line.startswith(b"HTTP/1.1 413 ")
    assert queue.list() == []


def test_a_body_exactly_at_the_cap_is_accepted(
    capped: tuple[httpx.Client, SqliteJobQueue],
) -> None:
    client, queue = capped
    response = client.post("/webhook", content=BODY, headers=headers_for(BODY, "fits-1"))
    assert response.status_code == 202
    assert [r.delivery_id for r in queue.list()] == ["fits-1"]
