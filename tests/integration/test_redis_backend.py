"""The redis backend on a real redis-server: parity with the embedded stores, what the job
queue keeps in Redis, `prbot jobs` and `prbot worker`, a worker process killed mid-job,
Redis restarted mid-run.

The end-to-end scenarios run on both backends in test_e2e.py.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

import httpx
import pytest
import yaml

from bot import markers
from bot.backends import redis_queue
from bot.cli import main
from bot.jobs import Job, JobStatus, QueueError
from bot.redis_jobs import RedisJobQueue
from bot.redis_store import RedisCache, RedisState, redis_client
from bot.settings import Settings
from bot.state import Spend, SqliteState
from reviewers.cache import CachedFinding, CachedHunk, DiskCache
from reviewers.models import Category, Severity, Side, TokenUsage
from tests.fakes.app_keys import AppKey
from tests.fakes.github_server import FakeGitHub
from tests.fakes.llm_reviewer import Rule, pattern_reviewer
from tests.fakes.llm_server import AnswerReply, DelayReply, FakeLLM
from tests.fakes.servers import free_port
from tests.fakes.webhook_sender import pull_request_payload
from tests.integration.bot_harness import (
    NUMBER,
    REPO,
    SECRET,
    USERS_HEAD,
    USERS_PATCH,
    backend_settings,
    running_bot,
    seed_pull,
    settings_for,
    wait_for,
)
from tests.integration.redis_server import RedisServer, delete_prefix, unique_prefix

ROOT = Path(__file__).resolve().parents[2]
SQL = Rule(r"SELECT .*%", "SQL built by string formatting")
KEY = "octo/demo#1"

pytestmark = pytest.mark.slow


@pytest.fixture
def prefix(redis_url: str) -> Iterator[str]:
    value = unique_prefix()
    yield value
    delete_prefix(redis_url, value)


def redis_settings(redis_url: str, prefix: str, **kw: Any) -> Settings:
    return Settings(backend="redis", redis_url=redis_url, redis_prefix=prefix, **kw)


# --- the same assertions on the embedded stores and on Redis ---------------------------


class Reopen(Protocol):
    def __call__(self) -> Any: ...


@pytest.fixture(params=["sqlite", "redis"])
def open_state(request: pytest.FixtureRequest, tmp_path: Path) -> Reopen:
    """Opens the same store again each call (a restart, or another worker process)."""
    if request.param == "sqlite":
        return lambda: SqliteState(tmp_path / "state.sqlite3").open()
    url = request.getfixturevalue("redis_url")
    prefix = request.getfixturevalue("prefix")
    return lambda: RedisState(redis_client(Settings(redis_url=url)), prefix)


def test_state_persists_and_is_per_repo(open_state: Reopen) -> None:
    state = open_state()
    state.suppress("o/r", "fingerprint", "abc", "alice")
    state.suppress("o/r", "fingerprint", "abc", "bob")  # idempotent
    state.suppress("o/r", "rule", "ruff:F401", "alice")
    state.suppress("o/r", "rule", "py:a:b", "alice")  # a colon in the value survives
    state.set_paused("o/r", 7, True)
    state.add_spend("o/r", 7, 1200, 0.01, 0.0)
    state.add_spend("o/r", 7, 300, 0.002, 0.01)
    state.close()

    again = open_state()
    s = again.suppressions("o/r")
    assert s.fingerprints == {"abc"} and s.rules == {"ruff:F401", "py:a:b"}
    assert again.suppressions("o/other").fingerprints == frozenset()
    assert again.is_paused("o/r", 7) and not again.is_paused("o/r", 8)
    spend = again.spend("o/r", 7)
    assert (spend.reviews, spend.tokens) == (2, 1500)
    assert spend.usd == pytest.approx(0.012) and spend.saved_usd == pytest.approx(0.01)
    assert again.spend("o/r", 9) == Spend()
    again.set_paused("o/r", 7, False)
    assert not again.is_paused("o/r", 7)
    with pytest.raises(ValueError, match="unknown suppression kind 'path'"):
        again.suppress("o/r", "path", "x", "alice")
    again.close()


@pytest.fixture(params=["disk", "redis"])
def open_cache(request: pytest.FixtureRequest, tmp_path: Path) -> Reopen:
    if request.param == "disk":
        return lambda: DiskCache(tmp_path / "cache")
    url = request.getfixturevalue("redis_url")
    prefix = request.getfixturevalue("prefix")
    return lambda: RedisCache(redis_client(Settings(redis_url=url)), prefix, 3600)


HIT = CachedHunk(
    findings=(
        CachedFinding(
            Side.RIGHT, 1, 2, Category.SECURITY, Severity.HIGH, 0.875,
            "SQL built by string formatting", "Use parameters: `?` — ünïcode", "frontier",
            replacement="    return conn.execute(q, (name,))",
        ),
        CachedFinding(Side.LEFT, 0, 0, Category.FORMATTING, Severity.LOW, 0.5, "t", "b", "ruff"),
    ),
    tokens=TokenUsage(input_tokens=120, output_tokens=30),
    cost_usd=0.00123,
    model="claude-sonnet-5-5",
)  # fmt: skip


def test_cache_round_trips_and_is_shared(open_cache: Reopen) -> None:
    cache = open_cache()
    assert cache.get("k1") is None
    cache.set("k1", HIT)
    other = open_cache()  # another worker
    assert other.get("k1") == HIT
    empty = CachedHunk((), TokenUsage(), 0.0, "m")
    other.set("k1", empty)
    assert cache.get("k1") == empty
    assert cache.get("k2") is None
    cache.close()
    other.close()


def test_redis_cache_entries_expire(redis_url: str, prefix: str) -> None:
    client = redis_client(Settings(redis_url=redis_url))
    RedisCache(client, prefix, 3600).set("k", HIT)
    assert 3590 <= int(client.ttl(f"{prefix}cache:k")) <= 3600
    client.close()


# --- the job queue on Redis (its semantics run on both backends in tests/unit/test_jobs.py)


def job(delivery: str, action: str = "opened", key: str | None = KEY) -> Job:
    return Job(
        delivery, "pull_request", action, 7, '{"n": 1}', key, supersede=action == "synchronize"
    )


@pytest.fixture
def queue(redis_url: str, prefix: str) -> Iterator[RedisJobQueue]:
    opened = redis_queue(redis_settings(redis_url, prefix, job_max_attempts=2))
    yield opened
    opened.close()


def keys_of(queue: RedisJobQueue) -> dict[str, str]:
    client = queue.rows.client
    prefix = queue.rows.keys.prefix
    return {
        str(k).removeprefix(prefix): str(client.type(k)) for k in client.scan_iter(f"{prefix}*")
    }


def test_finished_jobs_leave_only_their_record(queue: RedisJobQueue) -> None:
    """Every index entry of a job goes when it finishes; its record stays (dedupe) without
    the payload, and expires after the retention period."""
    queue.enqueue(job("d1"))
    queue.enqueue(job("d2", key="octo/demo#2"))
    queue.enqueue(job("d3", "synchronize"))  # supersedes d1
    leased = [queue.lease("w1", 60) for _ in range(3)]
    assert [j.delivery_id for j in leased if j] == ["d2", "d3"]
    for j in leased:
        if j is not None:
            queue.complete(j.delivery_id, j.attempt)
    assert queue.depth() == 0
    queue.lease("w1", 60)  # an idle look tidies the empty lane away
    assert sorted(keys_of(queue).items()) == [
        ("inflight", "hash"),
        ("job:d1", "hash"),
        ("job:d2", "hash"),
        ("job:d3", "hash"),
        ("jobs", "zset"),
        ("seq", "string"),
        ("served", "hash"),
    ]
    client = queue.rows.client
    assert client.hget(f"{queue.rows.keys.prefix}job:d2", "job") is None  # payload dropped
    assert 6 * 24 * 3600 < int(client.ttl(f"{queue.rows.keys.prefix}job:d2")) <= 7 * 24 * 3600


def test_a_job_whose_record_expired_is_skipped(queue: RedisJobQueue) -> None:
    queue.enqueue(job("gone"))
    queue.enqueue(job("kept", key="octo/demo#2"))
    queue.rows.client.delete(f"{queue.rows.keys.prefix}job:gone")
    leased = queue.lease("w1", 60)
    assert leased is not None and leased.delivery_id == "kept"
    assert queue.lease("w1", 60) is None


def test_prbot_jobs_lists_and_retries_on_redis(
    redis_url: str, prefix: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = redis_settings(redis_url, prefix, job_max_attempts=1)
    queue = redis_queue(settings)
    queue.enqueue(job("d1"))
    queue.enqueue(job("d2", key="octo/demo#2"))
    leased = queue.lease("w1", 60)
    assert leased is not None and leased.delivery_id == "d1"
    queue.fail("d1", "RuntimeError: boom", True, 1)
    queue.close()
    path = tmp_path / "settings.yaml"
    path.write_text(
        yaml.safe_dump({"backend": "redis", "redis_url": redis_url, "redis_prefix": prefix})
    )

    assert main(["--settings", str(path), "jobs", "--status", "failed"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["DELIVERY", "EVENT", "KEY", "STATUS", "TRIES", "UPDATED", "REASON"]
    assert [line.split()[:5] for line in lines[1:]] == [
        ["d1", "pull_request.opened", KEY, "failed", "1"]
    ]
    assert main(["--settings", str(path), "jobs", "--retry", "d1"]) == 0
    assert main(["--settings", str(path), "jobs", "--retry", "d2"]) == 2
    assert capsys.readouterr().out.splitlines() == ["queued d1 again", "prbot: no failed job d2"]


def test_prbot_worker_refuses_the_embedded_backend(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "settings.yaml"
    path.write_text(yaml.safe_dump({"backend": "embedded"}))
    assert main(["--settings", str(path), "worker"]) == 2
    assert "prbot worker runs workers for backend = redis" in capsys.readouterr().err


def test_an_unreachable_redis_is_a_queue_error(prefix: str) -> None:
    settings = redis_settings(f"redis://127.0.0.1:{free_port()}/0", prefix)
    queue = redis_queue(settings)
    with pytest.raises(QueueError, match="unreachable"):
        queue.enqueue(job("d1"))
    with pytest.raises(QueueError):
        queue.depth()
    queue.close()


# --- processes: a worker killed mid-job; Redis restarted mid-run ------------------------


def summaries(fake: FakeGitHub) -> list[str]:
    return [c.body for c in fake.issue_comments(REPO, NUMBER) if markers.is_summary(c.body)]


def sql_comments(fake: FakeGitHub) -> list[tuple[str, int]]:
    return [(c.path, c.line) for c in fake.review_comments(REPO, NUMBER) if "SQL built" in c.body]


def write_settings(settings: Settings, key: AppKey, path: Path) -> Path:
    values = settings.model_dump(mode="json", exclude={"settings_file"})
    values.update(webhook_secret=SECRET, private_key=key.private_pem)
    path.write_text(yaml.safe_dump(values))
    return path


def start_worker(settings_file: Path) -> subprocess.Popen[bytes]:
    """`prbot worker` as its own process."""
    env = {**os.environ, "TEST_ANTHROPIC_KEY": "test-key", "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "bot.cli", "--settings", str(settings_file), "worker"]
    return subprocess.Popen([*command, "--concurrency", "1"], cwd=ROOT, env=env)


def test_worker_killed_mid_job_hands_it_to_another_and_posts_once(
    tmp_path: Path,
    fake_github: FakeGitHub,
    fake_github_url: str,
    fake_llm: FakeLLM,
    fake_llm_url: str,
    app_key: AppKey,
    redis_url: str,
) -> None:
    seed_pull(fake_github)
    fake_llm.responder = pattern_reviewer(SQL)
    fake_llm.enqueue(DelayReply(30, AnswerReply()))  # hangs until the worker is killed
    backend = backend_settings("redis", redis_url)
    settings = settings_for(
        tmp_path,
        fake_github_url,
        fake_llm_url,
        app_key,
        job_lease_seconds=1.5,
        **backend,
    )
    settings_file = write_settings(settings, app_key, tmp_path / "settings.yaml")
    with running_bot(settings, fake_github_url, redis_workers=False) as bot:
        first = start_worker(settings_file)
        try:
            sent = bot.sender.send("pull_request", pull_request_payload("opened", NUMBER))
            assert sent.response.status_code == 202
            wait_for(lambda: len(fake_llm.requests) == 1, what="the model call")
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=10)
        assert fake_github.reviews(REPO, NUMBER) == []

        second = start_worker(settings_file)
        try:
            wait_for(lambda: summaries(fake_github), what="the retried review")
            wait_for(bot.idle, what="the queue to drain")  # nothing left that could post again
        finally:
            second.terminate()
            second.wait(timeout=15)
        records = bot.server.queue.list() if bot.server.queue else []
    assert len(fake_github.reviews(REPO, NUMBER)) == 1
    assert len(summaries(fake_github)) == 1
    assert sql_comments(fake_github) == [("app/users.py", 4)]
    assert [(r.delivery_id, r.status, r.attempts) for r in records] == [
        (sent.delivery.delivery_id, JobStatus.COMPLETED, 2)
    ]
    assert records[0].reason is None  # completed: the lost worker's note is cleared


def push(fake: FakeGitHub, head: str) -> None:
    fake.push(REPO, NUMBER, head, patches={"app/users.py": USERS_PATCH})
    fake.set_file_content(REPO, head, "app/users.py", USERS_HEAD)


def test_redis_restart_refuses_deliveries_while_down_and_loses_none(
    tmp_path: Path,
    fake_github: FakeGitHub,
    fake_github_url: str,
    fake_llm: FakeLLM,
    fake_llm_url: str,
    app_key: AppKey,
) -> None:
    seed_pull(fake_github)
    fake_llm.responder = pattern_reviewer(SQL)
    server = RedisServer(tmp_path / "redis", appendonly=True).start()
    try:
        backend = backend_settings("redis", server.url)
        settings = settings_for(tmp_path, fake_github_url, fake_llm_url, app_key, **backend)
        with running_bot(settings, fake_github_url) as bot:
            first = bot.sender.send("pull_request", pull_request_payload("opened", NUMBER))
            wait_for(lambda: summaries(fake_github), what="first review")
            wait_for(bot.idle, what="idle before the restart")

            server.stop()
            new_head = "c" * 40
            push(fake_github, new_head)
            payload = pull_request_payload("synchronize", NUMBER, head_sha=new_head)
            down = bot.sender.send("pull_request", payload)
            assert down.response.status_code == 503
            assert down.response.json()["error"] == "queue_unavailable"
            ready = httpx.get(bot.sender.url.replace("/webhook", "/readyz"), timeout=5)
            assert ready.status_code == 503 and ready.json()["ready"] is False

            server.start()
            again = bot.sender.resend(down.delivery)  # GitHub's "Redeliver" of the failure
            assert again.status_code == 202 and again.json()["queued"] is True
            reviewed = lambda: markers.reviewed_head(summaries(fake_github)[0]) == new_head  # noqa: E731
            wait_for(reviewed, what="the review after the restart")
            repeat = bot.sender.resend(first.delivery)  # kept across the restart (AOF)
            assert repeat.status_code == 202 and repeat.json()["duplicate"] is True
            wait_for(bot.idle, what="idle after the restart")
    finally:
        server.stop()
    assert len(fake_github.reviews(REPO, NUMBER)) == 1
    assert len(summaries(fake_github)) == 1
    assert sql_comments(fake_github) == [("app/users.py", 4)]
    assert len(fake_llm.requests) == 1  # the unchanged hunk came from the Redis cache
