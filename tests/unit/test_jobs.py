"""The job queue on both backends (SQLite, Redis) and the worker loop: leases, retries,
supersede, exclusivity, fairness across installations, crashes."""

from __future__ import annotations

import asyncio
import builtins
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.events import Event, PayloadError
from bot.jobs import (
    Handle,
    Job,
    JobRecord,
    JobStatus,
    PermanentJobError,
    QueueError,
    format_jobs,
    job_for,
    key_for,
    run_job,
    run_worker,
)
from bot.jobs_queue import StoredQueue
from bot.jobs_sqlite import SqliteJobQueue
from bot.routing import Router
from bot.settings import Settings
from tests.fakes import webhook_sender as gh

ROOT = Path(__file__).resolve().parents[2]
T0 = 1_800_000_000.0


class Clock:
    """A settable clock: leases and backoff without sleeping."""

    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def job(
    delivery: str, key: str | None = None, supersede: bool = False, installation: int = 7
) -> Job:
    payload = '{"action": "opened"}'
    return Job(delivery, "pull_request", "opened", installation, payload, key, supersede)


@pytest.fixture
def clock() -> Clock:
    return Clock()


def open_queue(
    backend: str,
    tmp_path: Path,
    request: pytest.FixtureRequest,
    clock: Callable[[], float],
    *,
    max_attempts: int = 3,
    backoff_base: float = 10.0,
    installation_cap: int | None = None,
) -> StoredQueue:
    """The queue of a backend; each call opens the same storage again (another process)."""
    if backend == "sqlite":
        path = tmp_path / "jobs.sqlite3"
        return SqliteJobQueue(
            path,
            max_attempts=max_attempts,
            backoff_base=backoff_base,
            installation_cap=installation_cap,
            clock=clock,
        ).open()
    from bot.redis_jobs import RedisJobQueue
    from bot.redis_store import redis_client
    from tests.integration.redis_server import delete_prefix, unique_prefix

    url = request.getfixturevalue("redis_url")
    if not hasattr(request.node, "redis_prefix"):
        prefix = request.node.redis_prefix = unique_prefix()
        request.addfinalizer(lambda: delete_prefix(url, prefix))
    return RedisJobQueue(
        redis_client(Settings(redis_url=url)),
        request.node.redis_prefix,
        url=url,
        max_attempts=max_attempts,
        backoff_base=backoff_base,
        installation_cap=installation_cap,
        clock=clock,
    )


@pytest.fixture(params=["sqlite", "redis"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def queue(
    backend: str, tmp_path: Path, clock: Clock, request: pytest.FixtureRequest
) -> Iterator[StoredQueue]:
    opened = open_queue(backend, tmp_path, request, clock)
    yield opened
    opened.close()


def statuses(queue: StoredQueue) -> dict[str, str]:
    return {r.delivery_id: r.status.value for r in queue.list()}


def test_enqueue_is_idempotent_on_delivery_id(queue: StoredQueue) -> None:
    assert queue.enqueue(job("a")) is True
    assert queue.enqueue(job("a")) is False
    assert [r.delivery_id for r in queue.list()] == ["a"]
    assert queue.depth() == 1


def test_lease_then_complete(queue: StoredQueue) -> None:
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


def test_completed_delivery_is_never_run_again(queue: StoredQueue) -> None:
    queue.enqueue(job("a"))
    leased = queue.lease("w1", 30)
    assert leased is not None
    queue.complete("a")
    assert queue.enqueue(job("a")) is False
    assert queue.lease("w1", 30) is None


def test_expired_lease_is_taken_by_another_worker(queue: StoredQueue, clock: Clock) -> None:
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


def test_renew_keeps_the_lease(queue: StoredQueue, clock: Clock) -> None:
    queue.enqueue(job("a"))
    queue.lease("w1", 30)
    clock.now += 25
    assert queue.renew("a", 1, 30) is True
    clock.now += 25
    assert queue.lease("w2", 30) is None
    assert queue.list()[0].lease_expires_at == T0 + 55


def test_retries_back_off_then_fail_with_reason(queue: StoredQueue, clock: Clock) -> None:
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


def test_fail_without_retry_is_final(queue: StoredQueue) -> None:
    queue.enqueue(job("a"))
    queue.lease("w1", 30)
    queue.fail("a", "PayloadError: bad", retry=False)
    assert queue.list()[0].reason == "PayloadError: bad (attempt 1 of 3)"
    assert queue.requeue("a") is True  # `prbot jobs retry`
    leased = queue.lease("w1", 30)
    assert leased is not None and leased.attempt == 1


def test_worker_lost_on_last_attempt_is_failed(queue: StoredQueue, clock: Clock) -> None:
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


def test_supersede_marks_older_queued_jobs_of_the_key(queue: StoredQueue) -> None:
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


def test_supersede_leaves_the_running_job_alone(queue: StoredQueue) -> None:
    queue.enqueue(job("sync-1", key="o/r#1", supersede=True))
    queue.lease("w1", 30)
    queue.enqueue(job("sync-2", key="o/r#1", supersede=True))
    assert statuses(queue) == {"sync-1": "running", "sync-2": "queued"}


def test_cancel_key_drops_queued_work_only(queue: StoredQueue) -> None:
    for name in ("a", "b", "c"):
        queue.enqueue(job(name, key="o/r#1"))
    queue.enqueue(job("d", key="o/r#2"))
    queue.lease("w1", 30)
    assert queue.cancel_key("o/r#1") == 2
    assert statuses(queue) == {"a": "running", "b": "cancelled", "c": "cancelled", "d": "queued"}


def test_one_leased_job_per_key(queue: StoredQueue, clock: Clock) -> None:
    queue.enqueue(job("a", key="o/r#1"))
    queue.enqueue(job("b", key="o/r#1"))
    queue.enqueue(job("c", key="o/r#2"))
    queue.enqueue(job("d"))
    order = [j.delivery_id for j in iter(lambda: queue.lease("w", 30), None)]
    assert order == ["a", "c", "d"]  # b waits for a
    queue.complete("a")
    leased = queue.lease("w", 30)
    assert leased is not None and leased.delivery_id == "b"


def test_key_is_free_again_when_its_lease_expires(queue: StoredQueue, clock: Clock) -> None:
    queue.enqueue(job("a", key="o/r#1"))
    queue.enqueue(job("b", key="o/r#1"))
    queue.lease("w1", 30)
    clock.now += 31
    leased = queue.lease("w2", 30)  # the crashed one first (oldest), not b
    assert leased is not None and (leased.delivery_id, leased.attempt) == ("a", 2)
    assert queue.lease("w3", 30) is None


def test_installations_take_turns(queue: StoredQueue) -> None:
    """A burst from one installation does not hold back the others (round robin)."""
    for i in range(6):
        queue.enqueue(job(f"burst{i}", key=f"o/big#{i}", installation=1))
    queue.enqueue(job("quiet-a", key="o/a#1", installation=2))
    queue.enqueue(job("quiet-b", key="o/b#1", installation=3))
    order = [j.delivery_id for j in iter(lambda: queue.lease("w", 30), None)]
    assert order == [
        "burst0",
        "quiet-a",
        "quiet-b",
        "burst1",
        "burst2",
        "burst3",
        "burst4",
        "burst5",
    ]


def test_an_installation_runs_at_most_its_cap(
    backend: str, tmp_path: Path, clock: Clock, request: pytest.FixtureRequest
) -> None:
    queue = open_queue(backend, tmp_path, request, clock, installation_cap=2)
    try:
        for i in range(4):
            queue.enqueue(job(f"a{i}", key=f"o/a#{i}", installation=1))
        queue.enqueue(job("b0", key="o/b#1", installation=2))
        order = [j.delivery_id for j in iter(lambda: queue.lease("w", 30), None)]
        assert order == ["a0", "b0", "a1"]  # a2, a3 wait: installation 1 runs two
        queue.complete("a0")
        leased = queue.lease("w", 30)
        assert leased is not None and leased.delivery_id == "a2"
    finally:
        queue.close()


def test_a_deferred_job_waits_without_spending_an_attempt(queue: StoredQueue, clock: Clock) -> None:
    queue.enqueue(job("a"))
    leased = queue.lease("w1", 30)
    assert leased is not None and leased.attempt == 1
    assert queue.defer("a", 1, clock.now + 60, "GitHub rate limit: 0 left until reset") is True
    [record] = queue.list()
    assert (record.status, record.attempts, record.next_run_at) == (
        JobStatus.QUEUED,
        0,
        clock.now + 60,
    )
    assert record.reason == "GitHub rate limit: 0 left until reset"
    assert queue.lease("w1", 30) is None  # waiting
    clock.now += 60
    again = queue.lease("w2", 30)
    assert again is not None and again.attempt == 1
    assert queue.defer("a", 2, clock.now, "late") is False  # not that attempt's


def test_a_superseded_retry_leaves_the_queue(queue: StoredQueue, clock: Clock) -> None:
    queue.enqueue(job("sync-1", key="o/r#1", supersede=True))
    queue.lease("w1", 30)
    queue.fail("sync-1", "RuntimeError: 502", retry=True, attempt=1)  # waits 10 s
    queue.enqueue(job("sync-2", key="o/r#1", supersede=True))
    assert statuses(queue) == {"sync-1": "superseded", "sync-2": "queued"}
    assert queue.depth() == 1
    clock.now += 10
    leased = queue.lease("w1", 30)
    assert leased is not None and leased.delivery_id == "sync-2"
    assert queue.lease("w1", 30) is None


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


def test_list_filters_and_format(queue: StoredQueue, clock: Clock) -> None:
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


GUARD = 120.0  # seconds before a wait that never ends fails the test (not a deadline)


class Watched:
    """A JobQueue that wakes waiters whenever a job's state changes; tests wait on that."""

    def __init__(self, queue: StoredQueue, changed: threading.Condition | None = None) -> None:
        self.queue = queue
        self.changed = changed or threading.Condition()

    def _changed(self, result: bool) -> bool:
        with self.changed:
            self.changed.notify_all()
        return result

    def enqueue(self, job: Job) -> bool:
        return self._changed(self.queue.enqueue(job))

    def lease(self, worker_id: str, lease_seconds: float) -> Job | None:
        return self.queue.lease(worker_id, lease_seconds)

    def renew(self, job_id: str, attempt: int, lease_seconds: float) -> bool:
        return self._changed(self.queue.renew(job_id, attempt, lease_seconds))

    def complete(self, job_id: str, attempt: int | None = None) -> bool:
        return self._changed(self.queue.complete(job_id, attempt))

    def fail(self, job_id: str, reason: str, retry: bool, attempt: int | None = None) -> bool:
        return self._changed(self.queue.fail(job_id, reason, retry, attempt))

    def defer(self, job_id: str, attempt: int | None, until: float, reason: str) -> bool:
        return self._changed(self.queue.defer(job_id, attempt, until, reason))

    def cancel_key(self, key: str) -> int:
        return self.queue.cancel_key(key)

    def list(self, status: JobStatus | None = None) -> builtins.list[JobRecord]:
        return self.queue.list(status)

    def depth(self) -> int:
        return self.queue.depth()

    async def until(self, condition: Callable[[], bool], what: str) -> None:
        def wait() -> bool:
            with self.changed:
                return self.changed.wait_for(condition, GUARD)

        assert await asyncio.to_thread(wait), f"never happened: {what}"

    async def finished(self, expected: int) -> None:
        """Until `expected` jobs are stored and none is queued or running."""
        await self.until(
            lambda: self.queue.depth() == 0 and len(self.queue.list()) >= expected,
            f"{expected} jobs finished: {format_jobs(self.queue.list())}",
        )


async def drain(queues: list[StoredQueue], handle: Handle, expected: int) -> None:
    """One worker task per queue until `expected` jobs are finished, then stop them."""
    changed = threading.Condition()  # one for all: any worker's change wakes the waiter
    watched = [Watched(queue, changed) for queue in queues]
    stop = asyncio.Event()
    tasks = [
        asyncio.create_task(run_worker(w, handle, stop, 0.01, worker_id=f"w{i}"))
        for i, w in enumerate(watched)
    ]
    try:
        await watched[0].until(
            lambda: queues[0].depth() == 0 and len(queues[0].list()) >= expected,
            f"{expected} jobs finished",
        )
    finally:
        stop.set()
        await asyncio.gather(*tasks)


async def test_two_workers_racing_run_each_job_once(
    backend: str, tmp_path: Path, clock: Clock, request: pytest.FixtureRequest
) -> None:
    seen: Counter[str] = Counter()

    async def handle(leased: Job) -> None:
        seen[leased.delivery_id] += 1
        await asyncio.sleep(0)

    # Two connections to one storage, as two processes would have.
    one, two = (open_queue(backend, tmp_path, request, time.time) for _ in range(2))
    try:
        for i in range(60):
            one.enqueue(job(f"d{i}", key=f"o/r#{i % 4}" if i % 2 else None, installation=i % 3))
        await drain([one, two, one, two], handle, expected=60)
        assert seen == Counter({f"d{i}": 1 for i in range(60)})
        assert statuses(two) == {f"d{i}": "completed" for i in range(60)}
    finally:
        one.close()
        two.close()


async def test_per_key_exclusivity_under_concurrent_workers(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    running: Counter[str] = Counter()
    overlaps: list[str] = []

    async def handle(leased: Job) -> None:
        assert leased.key is not None
        running[leased.key] += 1
        if running[leased.key] > 1:
            overlaps.append(leased.delivery_id)
        await asyncio.sleep(0.005)
        running[leased.key] -= 1

    queue = open_queue(backend, tmp_path, request, time.time)
    try:
        for i in range(20):
            queue.enqueue(job(f"d{i}", key=f"o/r#{i % 2}"))
        await drain([queue] * 4, handle, expected=20)
    finally:
        queue.close()
    assert overlaps == []


async def test_worker_failure_is_retried_then_permanent_errors_fail(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    attempts: Counter[str] = Counter()

    async def handle(leased: Job) -> None:
        attempts[leased.delivery_id] += 1
        if leased.delivery_id == "flaky" and leased.attempt == 1:
            raise ConnectionError("GitHub reset the connection")
        if leased.delivery_id == "bad":
            raise PermanentJobError("repository config is invalid")

    queue = open_queue(backend, tmp_path, request, time.time, max_attempts=5, backoff_base=0)
    try:
        queue.enqueue(job("flaky"))
        queue.enqueue(job("bad"))
        await drain([queue], handle, expected=2)
        records = {r.delivery_id: r for r in queue.list()}
    finally:
        queue.close()
    assert attempts == Counter({"flaky": 2, "bad": 1})
    assert records["flaky"].status is JobStatus.COMPLETED
    assert records["bad"].status is JobStatus.FAILED
    assert (
        records["bad"].reason == "PermanentJobError: repository config is invalid (attempt 1 of 5)"
    )


async def test_long_job_keeps_its_lease(queue: StoredQueue, clock: Clock) -> None:
    """The heartbeat renews the lease while the job runs, so nobody can take it."""
    watched = Watched(queue)

    def renewed_past(at: float) -> Callable[[], bool]:
        return lambda: (queue.list()[0].lease_expires_at or 0) >= at

    async def handle(leased: Job) -> None:
        clock.now += 0.3  # the lease (0.4 s from T0) is still live
        await watched.until(renewed_past(T0 + 0.7), "a renewal of the lease")
        clock.now = T0 + 0.5  # past the first lease, inside the renewed one
        assert queue.lease("thief", 0.4) is None

    queue.enqueue(job("slow"))
    stop = asyncio.Event()
    task = asyncio.create_task(run_worker(watched, handle, stop, 0.01, lease_seconds=0.4))
    try:
        await watched.finished(1)
    finally:
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
    print(job.delivery_id, flush=True)
    await asyncio.Event().wait()  # killed in here, mid-job

async def main():
    with SqliteJobQueue(pathlib.Path(sys.argv[1])) as queue:
        await run_worker(queue, handle, asyncio.Event(), 0.01, worker_id="doomed",
                         lease_seconds=1.0)

asyncio.run(main())
"""


async def test_worker_killed_mid_job_leaves_it_to_the_next_worker(tmp_path: Path) -> None:
    db, done = tmp_path / "q.db", tmp_path / "completions"
    with SqliteJobQueue(db) as queue:
        queue.enqueue(job("d-crash", key="o/r#1"))
    proc = subprocess.Popen(
        [sys.executable, "-c", CRASHING_WORKER, str(db)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        started = await asyncio.to_thread(proc.stdout.readline)  # the job is running
        assert started == "d-crash\n", "the worker exited before it took the job"
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
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
