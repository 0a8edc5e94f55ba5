"""Signed but hostile payloads through the real app: 400 naming what is wrong, nothing queued.

Whoever holds the webhook secret (or a replay of a real delivery, edited) can send JSON
nested 10,000 levels deep, ids no 64-bit column can hold, or a payload missing the fields
a handler reads. Each used to answer 500 or be accepted and then fail for good in a worker.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from bot.app import PARSE_ON_LOOP_BYTES, create_app
from bot.jobs_sqlite import SqliteJobQueue
from bot.settings import Settings
from bot.webhook import MAX_JSON_DEPTH, sign
from tests.fakes import webhook_sender as gh
from tests.fakes.servers import serve

SECRET = b"hostile-payload-secret"
Edit = Callable[[dict[str, Any]], None]


@pytest.fixture
def app(tmp_path: Path) -> Iterator[tuple[httpx.Client, SqliteJobQueue]]:
    settings = Settings(webhook_secret=SecretStr(SECRET.decode()), data_dir=tmp_path)
    with (
        SqliteJobQueue(tmp_path / "jobs.sqlite3") as queue,
        serve(create_app(settings, queue=queue)) as server,
        httpx.Client(base_url=server.base_url, timeout=30, trust_env=False) as client,
    ):
        yield client, queue


def post(client: httpx.Client, event: str, body: bytes, delivery: str = "d-1") -> httpx.Response:
    headers = {
        "Content-Type": "application/json",
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": delivery,
        "X-Hub-Signature-256": sign(SECRET, body),
    }
    return client.post("/webhook", content=body, headers=headers)


def nested(depth: int) -> bytes:
    return b'{"action":"opened","x":' + b"[" * depth + b"]" * depth + b"}"


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 10_000, 100_000])
def test_deeply_nested_json_is_400_and_nothing_is_queued(
    app: tuple[httpx.Client, SqliteJobQueue], depth: int
) -> None:
    client, queue = app
    response = post(client, "pull_request", nested(depth))
    assert response.status_code == 400
    assert response.json() == {
        "error": "bad_delivery",
        "detail": f"body nests JSON deeper than {MAX_JSON_DEPTH} levels",
    }
    assert queue.depth() == 0


def test_unclosed_nesting_is_400_too(app: tuple[httpx.Client, SqliteJobQueue]) -> None:
    client, queue = app
    assert post(client, "pull_request", b"[" * 50_000).status_code == 400
    assert queue.depth() == 0


def test_nesting_at_the_limit_is_parsed(app: tuple[httpx.Client, SqliteJobQueue]) -> None:
    client, queue = app
    payload = gh.pull_request_payload("opened")
    payload["deep"] = json.loads(b"[" * (MAX_JSON_DEPTH - 1) + b"]" * (MAX_JSON_DEPTH - 1))
    assert post(client, "pull_request", json.dumps(payload).encode()).status_code == 202
    assert queue.depth() == 1


def setter(path: str, value: object) -> Edit:
    def edit(payload: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node = payload
        for key in parents:
            node = node[key]
        node[last] = value

    return edit


def deleter(path: str) -> Edit:
    def edit(payload: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node = payload
        for key in parents:
            node = node[key]
        del node[last]

    return edit


PULL = gh.pull_request_payload("opened")
COMMENT = gh.issue_comment_payload("/review")
REVIEW_COMMENT = gh.review_comment_payload("/ignore", in_reply_to_id=7)


@pytest.mark.parametrize(
    ("event", "payload", "edit", "field"),
    [
        # ids above GitHub's int64 range: an OverflowError in the SQLite enqueue, before
        ("pull_request", PULL, setter("installation.id", 2**63), "installation.id"),
        ("pull_request", PULL, setter("installation.id", 10**30), "installation.id"),
        ("pull_request", PULL, setter("pull_request.number", 2**64), "pull_request.number"),
        ("issue_comment", COMMENT, setter("comment.id", 2**63), "comment.id"),
        ("pull_request", PULL, setter("installation.id", -1), "installation.id"),
        ("pull_request", PULL, setter("installation.id", True), "installation.id"),
        ("pull_request", PULL, setter("installation.id", "12"), "installation.id"),
        # a field the handler reads, missing: accepted and failed for good in a worker, before
        ("pull_request", PULL, deleter("pull_request.head"), "pull_request.head"),
        ("pull_request", PULL, deleter("pull_request.user"), "pull_request.user"),
        ("issue_comment", COMMENT, deleter("comment.user"), "comment.user"),
        ("issue_comment", COMMENT, deleter("issue"), "issue"),
        ("pull_request_review_comment", REVIEW_COMMENT, deleter("comment.body"), "comment.body"),
        ("pull_request", PULL, setter("repository", "o/r"), "repository"),
    ],
)
def test_a_malformed_id_or_missing_field_is_400_naming_it(
    app: tuple[httpx.Client, SqliteJobQueue],
    event: str,
    payload: dict[str, Any],
    edit: Edit,
    field: str,
) -> None:
    client, queue = app
    body = copy.deepcopy(payload)
    edit(body)
    response = post(client, event, json.dumps(body).encode())
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert f": {field}" in detail, detail
    assert queue.depth() == 0
    assert queue.list() == []


def test_the_same_payloads_unedited_are_queued(app: tuple[httpx.Client, SqliteJobQueue]) -> None:
    client, queue = app
    for n, (event, payload) in enumerate(
        [
            ("pull_request", PULL),
            ("issue_comment", COMMENT),
            ("pull_request_review_comment", REVIEW_COMMENT),
        ]
    ):
        assert post(client, event, json.dumps(payload).encode(), f"ok-{n}").status_code == 202
    assert queue.depth() == 3


def test_the_largest_github_id_is_accepted(app: tuple[httpx.Client, SqliteJobQueue]) -> None:
    client, queue = app
    body = copy.deepcopy(PULL)
    body["installation"]["id"] = 2**63 - 1
    assert post(client, "pull_request", json.dumps(body).encode()).status_code == 202
    job = queue.lease("test", 60)
    assert job is not None and job.installation_id == 2**63 - 1


def test_a_large_body_is_parsed_off_the_loop_with_the_same_answers(
    app: tuple[httpx.Client, SqliteJobQueue],
) -> None:
    """Bodies over PARSE_ON_LOOP_BYTES take the thread path: same 202, same 400."""
    client, queue = app
    big = copy.deepcopy(PULL)
    big["pull_request"]["body"] = "x" * (PARSE_ON_LOOP_BYTES * 2)
    assert post(client, "pull_request", json.dumps(big).encode(), "big-ok").status_code == 202
    deep = copy.deepcopy(big)
    deep["deep"] = json.loads(b"[" * MAX_JSON_DEPTH + b"]" * MAX_JSON_DEPTH)
    response = post(client, "pull_request", json.dumps(deep).encode(), "big-deep")
    assert response.status_code == 400
    assert queue.depth() == 1
