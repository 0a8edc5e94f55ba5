"""The job state machine, table-driven: every transition from every state, and the policy."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from bot import jobs_machine as m
from bot.jobs_machine import TRANSITIONS, JobState, JobStatus, RetryPolicy

T0 = 1_000.0
POLICY = RetryPolicy(max_attempts=3, backoff_base=10, backoff_max=25)
QUEUED = JobState(JobStatus.QUEUED, attempts=0, next_run_at=T0, updated_at=T0)
RUNNING = JobState(
    JobStatus.RUNNING,
    attempts=1,
    next_run_at=T0,
    leased_by="w1",
    lease_expires_at=T0 + 30,
    updated_at=T0,
)
LAST_TRY = replace(RUNNING, attempts=3)
FAILED = JobState(JobStatus.FAILED, attempts=3, next_run_at=T0, reason="boom", updated_at=T0)
NOW = T0 + 5
LATE = T0 + 31  # past RUNNING's lease

# Every transition with fixed arguments, so each can be tried from every state.
CALLS: dict[str, Callable[[JobState], JobState | None]] = {
    "lease": lambda s: m.lease(s, "w2", NOW, 30),
    "renew": lambda s: m.renew(s, s.attempts, NOW, 30),
    "complete": lambda s: m.complete(s, None, NOW),
    "fail": lambda s: m.fail(s, None, "RuntimeError: boom", True, NOW, POLICY),
    "expire": lambda s: m.expire(s, LATE, POLICY),
    "defer": lambda s: m.defer(s, None, NOW + 60, "budget", NOW),
    "supersede": lambda s: m.supersede(s, "d2", NOW),
    "cancel": lambda s: m.cancel(s, NOW),
    "requeue": lambda s: m.requeue(s, NOW),
}
EXAMPLES = {
    JobStatus.QUEUED: QUEUED,
    JobStatus.RUNNING: RUNNING,
    JobStatus.FAILED: FAILED,
    JobStatus.COMPLETED: replace(QUEUED, status=JobStatus.COMPLETED),
    JobStatus.SUPERSEDED: replace(QUEUED, status=JobStatus.SUPERSEDED),
    JobStatus.CANCELLED: replace(QUEUED, status=JobStatus.CANCELLED),
}


def test_every_transition_is_in_the_table() -> None:
    assert set(CALLS) == set(TRANSITIONS)


@pytest.mark.parametrize("name", sorted(TRANSITIONS))
@pytest.mark.parametrize("status", list(JobStatus))
def test_a_transition_applies_only_from_its_states_and_ends_in_its_states(
    name: str, status: JobStatus
) -> None:
    sources, targets = TRANSITIONS[name]
    after = CALLS[name](EXAMPLES[status])
    if status in sources:
        assert after is not None and after.status in targets
    else:
        assert after is None


# (what, before, transition, expected after: None = refused)
CASES: list[tuple[str, JobState, Callable[[JobState], JobState | None], JobState | None]] = [
    (
        "lease takes a due job as the next attempt",
        QUEUED,
        lambda s: m.lease(s, "w1", NOW, 30),
        JobState(JobStatus.RUNNING, 1, T0, "w1", NOW + 30, None, NOW),
    ),
    (
        "lease leaves a retry that is not due",
        replace(QUEUED, next_run_at=NOW + 1),
        lambda s: m.lease(s, "w1", NOW, 30),
        None,
    ),
    (
        "renew by the attempt holding the job",
        RUNNING,
        lambda s: m.renew(s, 1, NOW, 30),
        replace(RUNNING, lease_expires_at=NOW + 30, updated_at=NOW),
    ),
    ("renew by a late attempt is refused", RUNNING, lambda s: m.renew(s, 2, NOW, 30), None),
    (
        "complete clears the lease and the reason",
        replace(RUNNING, reason="worker lost (lease expired) on attempt 1"),
        lambda s: m.complete(s, 1, NOW),
        JobState(JobStatus.COMPLETED, 1, NOW, None, None, None, NOW),
    ),
    ("complete by another attempt is refused", RUNNING, lambda s: m.complete(s, 2, NOW), None),
    (
        "fail with attempts left backs off",
        RUNNING,
        lambda s: m.fail(s, 1, "RuntimeError: 502", True, NOW, POLICY),
        JobState(JobStatus.QUEUED, 1, NOW + 10, None, None, "RuntimeError: 502", NOW),
    ),
    (
        "fail on the last attempt is final, with the count",
        LAST_TRY,
        lambda s: m.fail(s, 3, "RuntimeError: 502", True, NOW, POLICY),
        JobState(JobStatus.FAILED, 3, NOW, None, None, "RuntimeError: 502 (attempt 3 of 3)", NOW),
    ),
    (
        "fail without retry is final at once",
        RUNNING,
        lambda s: m.fail(s, 1, "PayloadError: bad", False, NOW, POLICY),
        JobState(JobStatus.FAILED, 1, NOW, None, None, "PayloadError: bad (attempt 1 of 3)", NOW),
    ),
    (
        "expire gives a dead worker's job back, due now",
        RUNNING,
        lambda s: m.expire(s, LATE, POLICY),
        JobState(
            JobStatus.QUEUED, 1, LATE, None, None, "worker lost (lease expired) on attempt 1", LATE
        ),
    ),
    (
        "expire on the last attempt fails the job",
        LAST_TRY,
        lambda s: m.expire(s, LATE, POLICY),
        JobState(
            JobStatus.FAILED,
            3,
            LATE,
            None,
            None,
            "worker lost (lease expired) on attempt 3 of 3",
            LATE,
        ),
    ),
    ("expire leaves a live lease", RUNNING, lambda s: m.expire(s, T0 + 29, POLICY), None),
    (
        "defer waits without spending the attempt",
        RUNNING,
        lambda s: m.defer(s, 1, NOW + 60, "GitHub budget spent", NOW),
        JobState(JobStatus.QUEUED, 0, NOW + 60, None, None, "GitHub budget spent", NOW),
    ),
    (
        "defer into the past is due now",
        RUNNING,
        lambda s: m.defer(s, 1, T0, "budget", NOW),
        JobState(JobStatus.QUEUED, 0, NOW, None, None, "budget", NOW),
    ),
    (
        "supersede names the newer delivery",
        QUEUED,
        lambda s: m.supersede(s, "d9", NOW),
        replace(QUEUED, status=JobStatus.SUPERSEDED, reason="superseded by d9", updated_at=NOW),
    ),
    (
        "cancel says why",
        QUEUED,
        lambda s: m.cancel(s, NOW),
        replace(QUEUED, status=JobStatus.CANCELLED, reason="pull request closed", updated_at=NOW),
    ),
    (
        "requeue gives fresh attempts and keeps the last reason",
        FAILED,
        lambda s: m.requeue(s, NOW),
        JobState(JobStatus.QUEUED, 0, NOW, None, None, "boom", NOW),
    ),
]


@pytest.mark.parametrize(
    ("before", "change", "after"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_transition(
    before: JobState, change: Callable[[JobState], JobState | None], after: JobState | None
) -> None:
    assert change(before) == after


@pytest.mark.parametrize(
    ("policy", "delays"),
    [
        (RetryPolicy(backoff_base=10, backoff_max=60), [10, 20, 40, 60, 60]),
        (RetryPolicy(backoff_base=0.2, backoff_max=1800), [0.2, 0.4, 0.8, 1.6, 3.2]),
        (RetryPolicy(backoff_base=0, backoff_max=60), [0, 0, 0, 0, 0]),
    ],
)
def test_backoff_doubles_and_is_capped(policy: RetryPolicy, delays: list[float]) -> None:
    assert [policy.backoff(n) for n in (1, 2, 3, 4, 5)] == pytest.approx(delays)


def test_enqueued_is_due_at_once() -> None:
    state = m.enqueued(T0)
    assert state == JobState(JobStatus.QUEUED, 0, T0, None, None, None, T0)
    assert m.is_due(state, T0) and not m.is_due(state, T0 - 1)
