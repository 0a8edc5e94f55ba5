"""The job interface (Job, JobQueue) and the worker loop, the one place that catches everything.

A job is one webhook delivery to process, keyed by its X-GitHub-Delivery id. Queues lease
jobs rather than pop them: a worker that dies leaves its job leased, and once the lease
expires another worker takes it again. Its states and transitions are bot.jobs_machine;
the queue itself is bot.jobs_queue, stored in SQLite (bot.jobs_sqlite, the embedded
backend) or Redis (bot.redis_jobs).
"""

from __future__ import annotations

import asyncio
import builtins
import contextlib
import json
import logging
import os
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol, TypeVar

from bot.events import Event, PayloadError
from bot.jobs_machine import JobStatus as JobStatus  # re-exported: callers know it from here
from bot.logs import log_context, repo_and_pr
from bot.metrics import JobOutcome, Metrics, recording
from bot.routing import Router

log = logging.getLogger(__name__)

ContextT = TypeVar("ContextT")
Handle = Callable[["Job"], Awaitable[None]]

# Events about one pull request share a key, so at most one of them runs at a time.
PULL_REQUEST_EVENTS = frozenset(
    {
        "pull_request",
        "pull_request_review",
        "pull_request_review_comment",
        "pull_request_review_thread",
    }
)
# A newer push makes a queued review of an older head pointless.
SUPERSEDING = frozenset({("pull_request", "synchronize")})
# A closed pull request needs no queued review at all.
CANCELLING = frozenset({("pull_request", "closed")})


class QueueError(RuntimeError):
    """The queue's storage cannot be reached or written."""


class PermanentJobError(Exception):
    """Raised by a handler when retrying cannot help: the job fails at once, with the reason."""


@dataclass(frozen=True)
class Job:
    """One delivery to process. `attempt` is 0 when enqueued and set by lease() (1-based)."""

    delivery_id: str
    event: str
    action: str | None
    installation_id: int | None
    payload: str  # the JSON object, as text
    key: str | None = None  # e.g. "owner/repo#12": jobs with one key never run at once
    supersede: bool = False  # marks older QUEUED jobs of the same key as superseded
    attempt: int = 0

    def to_event(self) -> Event:
        return Event(
            name=self.event,
            action=self.action,
            delivery_id=self.delivery_id,
            installation_id=self.installation_id,
            payload=json.loads(self.payload),
        )


@dataclass(frozen=True)
class JobRecord:
    """A job's bookkeeping, as `prbot jobs` shows it (no payload)."""

    delivery_id: str
    event: str
    action: str | None
    key: str | None
    status: JobStatus
    attempts: int
    next_run_at: float
    leased_by: str | None
    lease_expires_at: float | None
    reason: str | None
    created_at: float
    updated_at: float


class JobQueue(Protocol):
    """Durable, idempotent on delivery id, leased; per key at most one job leased at a time."""

    def enqueue(self, job: Job) -> bool:
        """False when this delivery id was seen before (and is not run again)."""
        ...

    def lease(self, worker_id: str, lease_seconds: float) -> Job | None: ...

    def renew(self, job_id: str, attempt: int, lease_seconds: float) -> bool:
        """Extend a held lease; False when the lease was lost to another worker."""
        ...

    def complete(self, job_id: str, attempt: int | None = None) -> bool:
        """Mark done; with `attempt`, only if that attempt still holds the lease."""
        ...

    def fail(self, job_id: str, reason: str, retry: bool, attempt: int | None = None) -> bool:
        """Retry later with backoff (if allowed and attempts remain) or keep as failed."""
        ...

    def defer(self, job_id: str, attempt: int | None, until: float, reason: str) -> bool:
        """Queue again until `until` without spending the attempt (a budget is spent)."""
        ...

    def cancel_key(self, key: str) -> int:
        """Cancel the queued (not running) jobs of a key; how many."""
        ...

    def list(self, status: JobStatus | None = None) -> builtins.list[JobRecord]: ...

    def depth(self) -> int:
        """Jobs queued or running. Raises QueueError when the storage is unreachable."""
        ...


def key_for(event: Event) -> str | None:
    """ "owner/repo#N" for events about one pull request, else None."""
    subject = event.subject()
    if subject.repository is None:
        return None
    number: int | None = None
    if event.name in PULL_REQUEST_EVENTS and subject.pull_request is not None:
        number = subject.pull_request.number
    elif event.name == "issue_comment" and subject.issue and subject.issue.pull_request:
        number = subject.issue.number
    return None if number is None else f"{subject.repository.full_name}#{number}"


def job_for(event: Event) -> Job:
    """The job for a delivery; PayloadError when its repository or number is malformed."""
    return Job(
        delivery_id=event.delivery_id,
        event=event.name,
        action=event.action,
        installation_id=event.installation_id,
        payload=json.dumps(event.payload, separators=(",", ":")),
        key=key_for(event),
        supersede=(event.name, event.action) in SUPERSEDING,
    )


def cancels_queued(event: Event) -> bool:
    """True when the event makes the queued work of its key pointless (PR closed)."""
    return (event.name, event.action) in CANCELLING


async def run_job(job: Job, router: Router[ContextT], ctx: ContextT) -> list[object]:
    """Dispatch a job's event to the router's handlers, its delivery bound to every log line."""
    with job_log_context(job):
        return await router.dispatch(job.to_event(), ctx)


def job_log_context(job: Job) -> contextlib.AbstractContextManager[None]:
    repo, pr = repo_and_pr(job.key)
    return log_context(delivery=job.delivery_id, installation=job.installation_id, repo=repo, pr=pr)


def default_worker_id(index: int = 0) -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{index}"


async def run_worker(
    queue: JobQueue,
    handle: Handle,
    stop: asyncio.Event,
    poll_interval: float = 0.5,
    *,
    worker_id: str | None = None,
    lease_seconds: float = 60.0,
    metrics: Metrics | None = None,
) -> None:
    """Lease and handle jobs until `stop` is set. Cancelling it mid-job leaves the job
    leased, so it is retried once the lease expires."""
    worker_id = worker_id or default_worker_id()
    while not stop.is_set():
        try:
            job = await asyncio.to_thread(queue.lease, worker_id, lease_seconds)
            if job is not None:
                await process_job(queue, handle, job, lease_seconds, metrics)
                continue
        except QueueError as error:
            # Storage trouble (e.g. locked past the busy timeout): a job whose outcome
            # could not be written stays leased and is retried when the lease expires.
            log.error("worker %s: job queue unavailable: %s", worker_id, error)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=poll_interval)


async def process_job(
    queue: JobQueue, handle: Handle, job: Job, lease_seconds: float, metrics: Metrics | None = None
) -> None:
    """Handle one leased job, keep its lease alive meanwhile, then complete or fail it.
    Its log lines carry the delivery id, and `metrics` records it and its review."""
    with job_log_context(job), recording(metrics):
        heartbeat = asyncio.create_task(keep_leased(queue, job, lease_seconds))
        started = time.perf_counter()
        try:
            await handle(job)
        except Exception as error:  # the one broad except (house rule 5): any handler error
            retry = retryable(error)
            if not retry:
                log.error("delivery %s (%s) failed for good: %s", job.delivery_id, job.event, error)
            else:
                log.exception(
                    "delivery %s (%s.%s) failed on attempt %d: %s",
                    job.delivery_id,
                    job.event,
                    job.action,
                    job.attempt,
                    error,
                )
            count_job(metrics, job, "retry" if retry else "failed", started)
            await asyncio.to_thread(
                queue.fail, job.delivery_id, describe(error), retry, job.attempt
            )
        else:
            count_job(metrics, job, "completed", started)
            await asyncio.to_thread(queue.complete, job.delivery_id, job.attempt)
        finally:
            heartbeat.cancel()


def retryable(error: Exception) -> bool:
    """False when trying again cannot help: PermanentJobError, a malformed payload, or an
    error that says so itself (`retryable = False`, e.g. GitHub's 422/404/403 refusals)."""
    if isinstance(error, (PermanentJobError, PayloadError)):
        return False
    return getattr(error, "retryable", True) is not False


def count_job(metrics: Metrics | None, job: Job, outcome: JobOutcome, started: float) -> None:
    if metrics is not None:
        metrics.job_finished(job.event, outcome, time.perf_counter() - started)


async def keep_leased(queue: JobQueue, job: Job, lease_seconds: float) -> None:
    """Renew the lease at a third of its length, so a long review is not taken twice."""
    while True:
        await asyncio.sleep(lease_seconds / 3)
        if not await asyncio.to_thread(queue.renew, job.delivery_id, job.attempt, lease_seconds):
            log.warning("delivery %s: lease lost to another worker", job.delivery_id)
            return


def describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:2000]


def format_jobs(records: list[JobRecord], now: float | None = None) -> str:
    """A plain-text table of jobs for `prbot jobs`."""
    header = ("DELIVERY", "EVENT", "KEY", "STATUS", "TRIES", "UPDATED", "REASON")
    rows = [header] + [
        (
            record.delivery_id,
            f"{record.event}.{record.action}" if record.action else record.event,
            record.key or "-",
            status_text(record, now),
            str(record.attempts),
            datetime.fromtimestamp(record.updated_at, UTC).strftime("%Y-%m-%d %H:%M:%S"),
            (record.reason or "").replace("\n", " ")[:80],
        )
        for record in records
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header) - 1)]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=False)) + "  " + row[-1]
        for row in rows
    ]
    return "\n".join(line.rstrip() for line in lines)


def status_text(record: JobRecord, now: float | None) -> str:
    if record.status is JobStatus.QUEUED and now is not None and record.next_run_at > now:
        return f"queued (retry in {record.next_run_at - now:.0f}s)"
    return record.status.value
