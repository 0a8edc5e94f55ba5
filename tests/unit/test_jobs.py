"""The SQLite job queue and the worker loop: leases, retries, supersede, exclusivity, crashes."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.events import Event, PayloadError
from bot.jobs import (
    Handle,
    Job,
    JobStatus,
    PermanentJobError,
    QueueError,
    format_jobs,
    job_for,
    key_for,
    run_job,
    run_worker,
)
from bot.jobs_sqlite import SqliteJobQueue
from bot.routing import Router
from tests.fakes import webhook_sender as gh

ROOT = Path(__file__).resolve().parents[2]
T0 = 1_800_000_000.0


class Clock:
    """A settable clock: leases and backoff without sleeping."""

    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def job(delivery: str, key: str | None = None, supersede: bool = False) -> Job:
    return Job(delivery, "pull_request", "opened", 7, '{"action": "opened"}', key, supersede)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def queue(tmp_path: Path, clock: Clock) -> Iterator[SqliteJobQueue]:
    with SqliteJobQueue(tmp_path / "jobs.sqlite3", max_attempts=3, clock=clock) as opened:
        yield opened


def statuses(queue: SqliteJobQueue) -> dict[str, str]:
    return {r.delivery_id: r.status.value for r in queue.list()}


def test_enqueue_is_idempotent_on_delivery_id(queue: SqliteJobQueue) -> None:
    assert queue.enqueue(job("a")) is True
    assert queue.enqueue(job("a")) is False
    assert [r.delivery_id for r in queue.list()] == ["a"]
    assert queue.depth() == 1


def test_lease_then_complete(queue: SqliteJobQueue) -> None:
    queue.enqueue(job("a", key="o/r#1"))
    leased = queue.lease("w1", 30)
    assert leased == Job(
        "a", "pull_request", "opened", 7, '{"action": "opened"}', "o/r#1", False, attempt=1
    )
    assert queue.lease("w2", 30) is None  # leased, not popped: nobody else gets it
    [record] = queue.list()
    assert (record.status, record.leased_by, record.lease_expires_at) == (
        JobStatus.RUNNING,
        "w1",
        T0 + 30,
    )
    assert queue.complete("a", attempt=1) is True
    assert queue.complete("a", attempt=1) is False  # a job completes once
    assert statuses(queue) == {"a": "completed"}
    assert queue.depth() == 0


def test_completed_delivery_is_never_run_again(queue: SqliteJobQueue) -> None:
    queue.enqueue(job("a"))
    leased = queue.lease("w1", 30)
    assert leased is not None
    queue.complete("a")
    assert queue.enqueue(job("a")) is False
    assert queue.lease("w1", 30) is None


def test_expired_lease_is_taken_by_another_worker(queue: SqliteJobQueue, clock: Clock) -> None:
    queue.enqueue(job("a"))
    first = queue.lease("w1", 30)
    clock.now += 29.9
    assert queue.lease("w2", 30) is None
    clock.now += 0.2
    second = queue.lease("w2", 30)
    assert (first and first.attempt, second and second.attempt) == (1, 2)
    assert queue.list()[0].leased_by == "w2"
    # The first worker comes back late: its outcome no longer counts.
    assert queue.complete("a", attempt=1) is False
    assert queue.fail("a", "late", retry=True, attempt=1) is False
    assert queue.renew("a", 1, 30) is False
    assert queue.complete("a", attempt=2) is True


def test_renew_keeps_the_lease(queue: SqliteJobQueue, clock: Clock) -> None:
    queue.enqueue(job("a"))
    queue.lease("w1", 30)
    clock.now += 25
    assert queue.renew("a", 1, 30) is True
    clock.now += 25
    assert queue.lease("w2", 30) is None
    assert queue.list()[0].lease_expires_at == T0 + 55


def test_retries_back_off_then_fail_with_reason(queue: SqliteJobQueue, clock: Clock) -> None:
    queue.enqueue(job("a"))
    delays = []
    for attempt in (1, 2):
        leased = queue.lease("w1", 30)
        assert leased is not None and leased.attempt == attempt
        assert queue.fail("a", f"RuntimeError: boom {attempt}", retry=True, attempt=attempt)
        record = queue.list()[0]
        assert (record.status, record.reason) == (JobStatus.QUEUED, f"RuntimeError: boom {attempt}")
        delays.append(record.next_run_at - clock.now)
        clock.now = record.next_run_at - 0.01
        assert queue.lease("w1", 30) is None  # not due yet
        clock.now += 0.01
    assert delays == [10.0, 20.0]
    assert queue.lease("w1", 30) is not None
    queue.fail("a", "RuntimeError: boom 3", retry=True, attempt=3)
    [record] = queue.list()
    assert (record.status, record.attempts) == (JobStatus.FAILED, 3)
    assert record.reason == "RuntimeError: boom 3 (attempt 3 of 3)"
    assert queue.lease("w1", 30) is None


def test_fail_without_retry_is_final(queue: SqliteJobQueue) -> None:
    queue.enqueue(job("a"))
    queue.lease("w1", 30)
    queue.fail("a", "PayloadError: bad", retry=False)
    assert queue.list()[0].reason == "PayloadError: bad (attempt 1 of 3)"
    assert queue.requeue("a") is True  # `prbot jobs retry`
    leased = queue.lease("w1", 30)
    assert leased is not None and leased.attempt == 1


def test_worker_lost_on_last_attempt_is_failed(queue: SqliteJobQueue, clock: Clock) -> None:
    queue.enqueue(job("a"))
    for _ in range(3):
        assert queue.lease("w1", 30) is not None
        clock.now += 31  # the worker dies each time
    assert queue.lease("w2", 30) is None
    [record] = queue.list()
    assert (record.status, record.reason) == (
        JobStatus.FAILED,
        "worker lost (lease expired) on attempt 3 of 3",
    )


def test_backoff_is_capped(tmp_path: Path) -> None:
    queue = SqliteJobQueue(tmp_path / "q.db", backoff_base=10, backoff_max=60)
    assert [queue.backoff(n) for n in (1, 2, 3, 4, 5)] == [10, 20, 40, 60, 60]


def test_supersede_marks_older_queued_jobs_of_the_key(queue: SqliteJobQueue) -> None:
    queue.enqueue(job("sync-1", key="o/r#1", supersede=True))
    queue.enqueue(job("comment", key="o/r#1"))
    queue.enqueue(job("other-pr", key="o/r#2"))
    queue.enqueue(job("sync-2", key="o/r#1", supersede=True))
    assert statuses(queue) == {
        "sync-1": "superseded",
        "comment": "superseded",
        "other-pr": "queued",
        "sync-2": "queued",
    }
    assert queue.list(JobStatus.SUPERSEDED)[0].reason == "superseded by sync-2"


def test_supersede_leaves_the_running_job_alone(queue: SqliteJobQueue) -> None:
    queue.enqueue(job("sync-1", key="o/r#1", supersede=True))
    queue.lease("w1", 30)
    queue.enqueue(job("sync-2", key="o/r#1", supersede=True))
    assert statuses(queue) == {"sync-1": "running", "sync-2": "queued"}


def test_cancel_key_drops_queued_work_only(queue: SqliteJobQueue) -> None:
    for name in ("a", "b", "c"):
        queue.enqueue(job(name, key="o/r#1"))
    queue.enqueue(job("d", key="o/r#2"))
    queue.lease("w1", 30)
    assert queue.cancel_key("o/r#1") == 2
    assert statuses(queue) == {"a": "running", "b": "cancelled", "c": "cancelled", "d": "queued"}


def test_one_leased_job_per_key(queue: SqliteJobQueue, clock: Clock) -> None:
    queue.enqueue(job("a", key="o/r#1"))
    queue.enqueue(job("b", key="o/r#1"))
    queue.enqueue(job("c", key="o/r#2"))
    queue.enqueue(job("d"))
    order = [j.delivery_id for j in iter(lambda: queue.lease("w", 30), None)]
    assert order == ["a", "c", "d"]  # b waits for a
    queue.complete("a")
    leased = queue.lease("w", 30)
    assert leased is not None and leased.delivery_id == "b"


def test_key_is_free_again_when_its_lease_expires(queue: SqliteJobQueue, clock: Clock) -> None:
    queue.enqueue(job("a", key="o/r#1"))
    queue.enqueue(job("b", key="o/r#1"))
    queue.lease("w1", 30)
    clock.now += 31
    leased = queue.lease("w2", 30)  # the crashed one first (oldest), not b
    assert leased is not None and (leased.delivery_id, leased.attempt) == ("a", 2)
    assert queue.lease("w3", 30) is None


def test_purge_forgets_finished_jobs_after_retention(tmp_path: Path, clock: Clock) -> None:
    with SqliteJobQueue(tmp_path / "q.db", retention_seconds=100, clock=clock) as queue:
        queue.enqueue(job("done"))
        queue.lease("w", 30)
        queue.complete("done")
        queue.enqueue(job("waiting"))
        clock.now += 101
        assert queue.purge() == 1
        assert statuses(queue) == {"waiting": "queued"}
        assert queue.enqueue(job("done")) is True  # forgotten: a late redelivery runs again


def test_list_filters_and_format(queue: SqliteJobQueue, clock: Clock) -> None:
    queue.enqueue(job("a", key="o/r#1"))
    queue.enqueue(job("b"))
    queue.lease("w", 30)
    queue.fail("a", "RuntimeError: GitHub said 502", retry=True)
    assert [r.delivery_id for r in queue.list(JobStatus.QUEUED)] == ["a", "b"]
    assert queue.list(JobStatus.RUNNING) == []
    text = format_jobs(queue.list(), now=clock.now)
    lines = text.splitlines()
    assert lines[0].split() == ["DELIVERY", "EVENT", "KEY", "STATUS", "TRIES", "UPDATED", "REASON"]
    assert lines[1].split()[:6] == ["a", "pull_request.opened", "o/r#1", "queued", "(retry", "in"]
    assert lines[1].endswith("RuntimeError: GitHub said 502")
    assert lines[2].split()[:5] == ["b", "pull_request.opened", "-", "queued", "0"]
    assert "2027-01-15 08:00:00" in lines[2]


def test_queue_errors_are_clear(tmp_path: Path) -> None:
    closed = SqliteJobQueue(tmp_path / "q.db")
    with pytest.raises(QueueError, match="is not open"):
        closed.depth()
    (tmp_path / "dir.db").mkdir()
    with pytest.raises(QueueError, match="cannot open job queue"):
        SqliteJobQueue(tmp_path / "dir.db").open()


def test_constructor_does_no_io(tmp_path: Path) -> None:
    SqliteJobQueue(tmp_path / "sub" / "q.db")
    assert not (tmp_path / "sub").exists()


@pytest.mark.parametrize(
    ("event", "payload", "key", "supersede"),
    [
        ("pull_request", gh.pull_request_payload("opened", number=3), f"{gh.REPO}#3", False),
        ("pull_request", gh.pull_request_payload("synchronize"), f"{gh.REPO}#12", True),
        ("pull_request", gh.pull_request_payload("closed"), f"{gh.REPO}#12", False),
        ("issue_comment", gh.issue_comment_payload(number=5), f"{gh.REPO}#5", False),
        ("issue_comment", gh.issue_comment_payload(on_pull_request=False), None, False),
        ("pull_request_review_comment", gh.review_comment_payload(), f"{gh.REPO}#12", False),
        ("installation", gh.installation_payload(), None, False),
    ],
)
def test_job_for_event_derives_key(
    event: str, payload: dict[str, object], key: str | None, supersede: bool
) -> None:
    derived = job_for(Event(event, str(payload["action"]), "d-1", 4242, payload))
    assert (derived.key, derived.supersede) == (key, supersede)
    assert (derived.delivery_id, derived.event, derived.installation_id) == ("d-1", event, 4242)
    assert json.loads(derived.payload) == payload
    assert derived.to_event().payload == payload


def test_key_for_event_without_repository() -> None:
    payload = {"pull_request": {"number": 3}}
    assert key_for(Event("pull_request", "opened", "d", None, payload)) is None


def test_key_for_malformed_subject_is_a_payload_error() -> None:
    payload = {"repository": {"full_name": "o/r"}, "pull_request": {"number": "three"}}
    with pytest.raises(PayloadError, match=r"delivery d .*: pull_request\.number: "):
        key_for(Event("pull_request", "opened", "d", None, payload))


# --- the worker loop ---------------------------------------------------------------------


async def drain(queues: list[SqliteJobQueue], handle: Handle, expected: int) -> None:
    """One worker task per queue until `expected` jobs are finished, then stop them."""
    stop = asyncio.Event()
    tasks = [
        asyncio.create_task(run_worker(queue, handle, stop, 0.01, worker_id=f"w{i}"))
        for i, queue in enumerate(queues)
    ]
    deadline = time.monotonic() + 20
    while queues[0].depth() > 0 or len(queues[0].list()) < expected:
        assert time.monotonic() < deadline, format_jobs(queues[0].list())
        await asyncio.sleep(0.01)
    stop.set()
    await asyncio.gather(*tasks)


async def test_two_workers_racing_run_each_job_once(tmp_path: Path) -> None:
    seen: Counter[str] = Counter()

    async def handle(leased: Job) -> None:
        seen[leased.delivery_id] += 1
        await asyncio.sleep(0.001)

    # Two connections to one file, as two processes would have: BEGIN IMMEDIATE decides.
    with SqliteJobQueue(tmp_path / "q.db") as one, SqliteJobQueue(tmp_path / "q.db") as two:
        for i in range(60):
            one.enqueue(job(f"d{i}", key=f"o/r#{i % 4}" if i % 2 else None))
        await drain([one, two, one, two], handle, expected=60)
        assert seen == Counter({f"d{i}": 1 for i in range(60)})
        assert statuses(two) == {f"d{i}": "completed" for i in range(60)}


async def test_per_key_exclusivity_under_concurrent_workers(tmp_path: Path) -> None:
    running: Counter[str] = Counter()
    overlaps: list[str] = []

    async def handle(leased: Job) -> None:
        assert leased.key is not None
        running[leased.key] += 1
        if running[leased.key] > 1:
            overlaps.append(leased.delivery_id)
        await asyncio.sleep(0.005)
        running[leased.key] -= 1

    with SqliteJobQueue(tmp_path / "q.db") as queue:
        for i in range(20):
            queue.enqueue(job(f"d{i}", key=f"o/r#{i % 2}"))
        await drain([queue] * 4, handle, expected=20)
    assert overlaps == []


async def test_worker_failure_is_retried_then_permanent_errors_fail(tmp_path: Path) -> None:
    attempts: Counter[str] = Counter()

    async def handle(leased: Job) -> None:
        attempts[leased.delivery_id] += 1
        if leased.delivery_id == "flaky" and leased.attempt == 1:
            raise ConnectionError("GitHub reset the connection")
        if leased.delivery_id == "bad":
            raise PermanentJobError("repository config is invalid")

    with SqliteJobQueue(tmp_path / "q.db", backoff_base=0.05) as queue:
        queue.enqueue(job("flaky"))
        queue.enqueue(job("bad"))
        await drain([queue], handle, expected=2)
        records = {r.delivery_id: r for r in queue.list()}
    assert attempts == Counter({"flaky": 2, "bad": 1})
    assert records["flaky"].status is JobStatus.COMPLETED
    assert records["bad"].status is JobStatus.FAILED
    assert (
        records["bad"].reason == "PermanentJobError: repository config is invalid (attempt 1 of 5)"
    )


async def test_long_job_keeps_its_lease(tmp_path: Path) -> None:
    async def handle(leased: Job) -> None:
        await asyncio.sleep(1.2)  # three lease lengths

    with SqliteJobQueue(tmp_path / "q.db") as queue:
        queue.enqueue(job("slow"))
        stop = asyncio.Event()
        task = asyncio.create_task(run_worker(queue, handle, stop, 0.01, lease_seconds=0.4))
        await asyncio.sleep(0.8)
        assert queue.lease("thief", 0.4) is None  # renewed, so never free
        stop.set()  # a running job is finished before the worker stops
        await task
        [record] = queue.list()
    assert (record.status, record.attempts) == (JobStatus.COMPLETED, 1)


async def test_run_job_dispatches_the_event_through_the_router() -> None:
    router = Router[list[str]]()

    @router.register("pull_request", action="opened")
    async def opened(ev: Event, ctx: list[str]) -> None:
        ctx.append(f"{ev.delivery_id}:{ev.payload['action']}:{ev.installation_id}")

    ctx: list[str] = []
    await run_job(job("d-5"), router, ctx)
    assert ctx == ["d-5:opened:7"]


CRASHING_WORKER = """
import asyncio, pathlib, sys
from bot.jobs import run_worker
from bot.jobs_sqlite import SqliteJobQueue

async def handle(job):
    pathlib.Path(sys.argv[2]).write_text(job.delivery_id)
    await asyncio.sleep(60)  # killed in here, mid-job

async def main():
    with SqliteJobQueue(pathlib.Path(sys.argv[1])) as queue:
        await run_worker(queue, handle, asyncio.Event(), 0.01, worker_id="doomed",
                         lease_seconds=1.0)

asyncio.run(main())
"""


async def test_worker_killed_mid_job_leaves_it_to_the_next_worker(tmp_path: Path) -> None:
    db, started, done = tmp_path / "q.db", tmp_path / "started", tmp_path / "completions"
    with SqliteJobQueue(db) as queue:
        queue.enqueue(job("d-crash", key="o/r#1"))
    proc = subprocess.Popen(
        [sys.executable, "-c", CRASHING_WORKER, str(db), str(started)], cwd=ROOT
    )
    try:
        deadline = time.monotonic() + 20
        while not started.exists():
            assert proc.poll() is None and time.monotonic() < deadline, "worker never started"
            await asyncio.sleep(0.02)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL

    async def handle(leased: Job) -> None:
        with done.open("a") as completions:  # one line per run that reached the end
            completions.write(f"{leased.delivery_id} attempt {leased.attempt}\n")

    with SqliteJobQueue(db) as queue:
        [record] = queue.list()
        assert (record.status, record.leased_by) == (JobStatus.RUNNING, "doomed")
        assert queue.lease("early", 30) is None  # the dead worker's lease is still live
        await drain([queue, queue], handle, expected=1)
        [record] = queue.list()
    assert done.read_text() == "d-crash attempt 2\n"
    assert (record.status, record.attempts) == (JobStatus.COMPLETED, 2)
