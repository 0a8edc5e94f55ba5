"""The job state machine, stated once: states, transitions and the retry policy (pure).

Both queues (bot.jobs_sqlite, bot.redis_jobs) hold rows of (job, JobState). Every change
reads a row, asks a transition here what its state becomes, and writes the answer back
only if the row is unchanged since the read (bot.jobs_queue does this). A transition
returns None when it does not apply: the job is in another state, or another attempt
holds it. Nothing here reads a clock or storage: `now` is passed in.

    enqueue            -> queued
    queued   --lease-----> running      (attempt + 1; one running job per pull request)
    running  --renew-----> running      (the lease extended by the attempt holding it)
    running  --complete--> completed
    running  --fail------> queued       (after backoff, while attempts remain) | failed
    running  --expire----> queued       (its worker died: lease expired) | failed (last try)
    running  --defer-----> queued       (a budget is spent: wait, the attempt is given back)
    queued   --supersede-> superseded   (a newer push of the same pull request)
    queued   --cancel----> cancelled    (the pull request was closed)
    failed   --requeue---> queued       (`prbot jobs --retry`: fresh attempts)
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    SUPERSEDED = "superseded"
    CANCELLED = "cancelled"


ACTIVE = frozenset({JobStatus.QUEUED, JobStatus.RUNNING})
TERMINAL = frozenset(JobStatus) - ACTIVE
# A terminal job keeps its payload only when it may run again (failed: `prbot jobs --retry`).
KEEPS_PAYLOAD = frozenset({JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.FAILED})

# transition -> (the states it starts from, the states it may end in): the diagram above
# as data, checked by the tests against every function below.
TRANSITIONS: dict[str, tuple[frozenset[JobStatus], frozenset[JobStatus]]] = {
    "lease": (frozenset({JobStatus.QUEUED}), frozenset({JobStatus.RUNNING})),
    "renew": (frozenset({JobStatus.RUNNING}), frozenset({JobStatus.RUNNING})),
    "complete": (frozenset({JobStatus.RUNNING}), frozenset({JobStatus.COMPLETED})),
    "fail": (frozenset({JobStatus.RUNNING}), frozenset({JobStatus.QUEUED, JobStatus.FAILED})),
    "expire": (frozenset({JobStatus.RUNNING}), frozenset({JobStatus.QUEUED, JobStatus.FAILED})),
    "defer": (frozenset({JobStatus.RUNNING}), frozenset({JobStatus.QUEUED})),
    "supersede": (frozenset({JobStatus.QUEUED}), frozenset({JobStatus.SUPERSEDED})),
    "cancel": (frozenset({JobStatus.QUEUED}), frozenset({JobStatus.CANCELLED})),
    "requeue": (frozenset({JobStatus.FAILED}), frozenset({JobStatus.QUEUED})),
}


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often a failing job is tried, and how long it waits in between."""

    max_attempts: int = 5
    backoff_base: float = 10.0  # seconds before the second attempt, doubled after each
    backoff_max: float = 1800.0

    def backoff(self, attempts: int) -> float:
        """Seconds before retry number `attempts` + 1: base, 2x base, 4x base ... capped."""
        return float(min(self.backoff_max, self.backoff_base * 2 ** max(0, attempts - 1)))


@dataclass(frozen=True, slots=True)
class JobState:
    """A job's bookkeeping. `attempts` counts leases that were not given back (defer)."""

    status: JobStatus
    attempts: int = 0
    next_run_at: float = 0.0
    leased_by: str | None = None
    lease_expires_at: float | None = None
    reason: str | None = None
    updated_at: float = 0.0


def enqueued(now: float) -> JobState:
    return JobState(JobStatus.QUEUED, next_run_at=now, updated_at=now)


def is_due(state: JobState, now: float) -> bool:
    """Queued and its retry (or budget wait) is not in the future."""
    return state.status is JobStatus.QUEUED and state.next_run_at <= now


def is_expired(state: JobState, now: float) -> bool:
    """Running, but its worker let the lease lapse (it died, or lost its storage)."""
    return (
        state.status is JobStatus.RUNNING
        and state.lease_expires_at is not None
        and state.lease_expires_at <= now
    )


def holds(state: JobState, attempt: int | None) -> bool:
    """The job runs as `attempt` (None: whichever attempt runs it)."""
    return state.status is JobStatus.RUNNING and (attempt is None or state.attempts == attempt)


def lease(state: JobState, worker: str, now: float, lease_seconds: float) -> JobState | None:
    if not is_due(state, now):
        return None
    return replace(
        state,
        status=JobStatus.RUNNING,
        attempts=state.attempts + 1,
        leased_by=worker,
        lease_expires_at=now + lease_seconds,
        updated_at=now,
    )


def renew(state: JobState, attempt: int, now: float, lease_seconds: float) -> JobState | None:
    if not holds(state, attempt):
        return None
    return replace(state, lease_expires_at=now + lease_seconds, updated_at=now)


def complete(state: JobState, attempt: int | None, now: float) -> JobState | None:
    if not holds(state, attempt):
        return None
    return _unleased(state, JobStatus.COMPLETED, now, now, None)


def fail(
    state: JobState,
    attempt: int | None,
    reason: str,
    retry: bool,
    now: float,
    policy: RetryPolicy,
) -> JobState | None:
    """Queued again after the backoff if `retry` and attempts remain, else failed for good."""
    if not holds(state, attempt):
        return None
    tries = state.attempts
    if retry and tries < policy.max_attempts:
        return _unleased(state, JobStatus.QUEUED, now, now + policy.backoff(tries), reason)
    why = f"{reason} (attempt {tries} of {policy.max_attempts})"
    return _unleased(state, JobStatus.FAILED, now, now, why)


def expire(state: JobState, now: float, policy: RetryPolicy) -> JobState | None:
    """A dead worker's job: due again at once, or failed when that was its last attempt."""
    if not is_expired(state, now):
        return None
    lost = f"worker lost (lease expired) on attempt {state.attempts}"
    if state.attempts >= policy.max_attempts:
        why = f"{lost} of {policy.max_attempts}"
        return _unleased(state, JobStatus.FAILED, now, now, why)
    return _unleased(state, JobStatus.QUEUED, now, now, lost)


def defer(
    state: JobState, attempt: int | None, until: float, reason: str, now: float
) -> JobState | None:
    """Wait for a budget (GitHub's or a model vendor's) without spending an attempt."""
    if not holds(state, attempt):
        return None
    waiting = _unleased(state, JobStatus.QUEUED, now, max(now, until), reason)
    return replace(waiting, attempts=state.attempts - 1)


def supersede(state: JobState, by: str, now: float) -> JobState | None:
    if state.status is not JobStatus.QUEUED:
        return None
    return replace(state, status=JobStatus.SUPERSEDED, reason=f"superseded by {by}", updated_at=now)


def cancel(state: JobState, now: float) -> JobState | None:
    if state.status is not JobStatus.QUEUED:
        return None
    return replace(state, status=JobStatus.CANCELLED, reason="pull request closed", updated_at=now)


def requeue(state: JobState, now: float) -> JobState | None:
    """A failed job with a fresh set of attempts; its last reason is kept for `prbot jobs`."""
    if state.status is not JobStatus.FAILED:
        return None
    return replace(state, status=JobStatus.QUEUED, attempts=0, next_run_at=now, updated_at=now)


def _unleased(
    state: JobState, status: JobStatus, now: float, next_run_at: float, reason: str | None
) -> JobState:
    return replace(
        state,
        status=status,
        next_run_at=next_run_at,
        leased_by=None,
        lease_expires_at=None,
        reason=reason,
        updated_at=now,
    )
