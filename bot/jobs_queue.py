"""The one JobQueue: the state machine and the fair scheduler over a thin storage (JobRows).

Both backends are this class. Their storage (bot.jobs_sqlite: SQL rows; bot.redis_jobs:
Redis hashes and indexes) only reads rows and writes a new state back if the row is
unchanged since it was read (a revision number). What a change means is decided here
and in bot.jobs_machine, once. SQLite runs each operation in one write transaction, so a
checked write always succeeds; on Redis every write is checked on its own (one Lua step)
and a lost race is read again and retried.
"""

from __future__ import annotations

import builtins
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from typing import Protocol

from bot import jobs_machine as machine
from bot.jobs import Job, JobRecord, QueueError
from bot.jobs_machine import JobState, JobStatus, RetryPolicy
from bot.jobs_scheduling import Lane, order

Transition = Callable[[JobState], JobState | None]
RACES = 20  # re-reads of one row before a write is given up (only Redis ever races)


@dataclass(frozen=True, slots=True)
class Row:
    """A stored job: the job (its payload empty once finished), its state, its arrival
    order and its revision (bumped by every write)."""

    job: Job
    state: JobState
    seq: int
    rev: int


class JobRows(Protocol):
    """What a backend stores. Writes of a row are checked against its revision."""

    def atomic(self) -> AbstractContextManager[None]:
        """One operation's reads and writes (SQLite: a transaction; Redis: nothing)."""
        ...

    def insert(self, job: Job, state: JobState) -> Row | None:
        """A new row; None when the delivery id is stored already."""
        ...

    def get(self, job_id: str) -> Row | None: ...

    def put(self, row: Row, state: JobState) -> bool:
        """Write `state` if the row is still at row.rev (and, for a lease, its pull request
        has no running job and its installation is under the cap); False otherwise."""
        ...

    def queued_of(self, key: str) -> builtins.list[Row]:
        """The queued jobs of a pull request."""
        ...

    def expired(self, now: float) -> builtins.list[Row]:
        """Running jobs whose lease has lapsed."""
        ...

    def due_work(self, now: float) -> bool:
        """A cheap look: may lease() find anything? (False positives are fine.)"""
        ...

    def lanes(self, now: float) -> tuple[builtins.list[Lane], set[str]]:
        """Every installation's due jobs (the oldest few) and the pull requests with a
        running job."""
        ...

    def records(self, status: JobStatus | None) -> builtins.list[JobRecord]: ...

    def depth(self) -> int: ...

    def purge(self, before: float) -> int:
        """Forget finished jobs last changed before `before`; how many."""
        ...

    def close(self) -> None: ...


class StoredQueue:
    """bot.jobs.JobQueue over any JobRows."""

    def __init__(
        self,
        rows: JobRows,
        policy: RetryPolicy,
        *,
        retention_seconds: float = 7 * 24 * 3600,
        installation_cap: int | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.rows = rows
        self.policy = policy
        self.retention_seconds = retention_seconds
        self.installation_cap = installation_cap
        self.clock = clock
        self._next_purge_at = 0.0

    def backoff(self, attempts: int) -> float:
        return self.policy.backoff(attempts)

    def enqueue(self, job: Job) -> bool:
        now = self.clock()
        with self.rows.atomic():
            row = self.rows.insert(job, machine.enqueued(now))
            if row is None:
                return False
            if job.supersede and job.key is not None:
                for older in self.rows.queued_of(job.key):
                    if older.seq < row.seq:
                        self._apply(older, lambda s: machine.supersede(s, job.delivery_id, now))
            if now >= self._next_purge_at:
                self._next_purge_at = now + 3600
                self.rows.purge(now - self.retention_seconds)
        return True

    def lease(self, worker_id: str, lease_seconds: float) -> Job | None:
        now = self.clock()
        if not self.rows.due_work(now):  # idle workers polling must not stall intake
            return None
        with self.rows.atomic():
            for lost in self.rows.expired(now):
                self._apply(lost, lambda s: machine.expire(s, now, self.policy))
            lanes, held = self.rows.lanes(now)
            for head in order(lanes, held, self.installation_cap, now):
                row = self.rows.get(head.job_id)
                if row is None:
                    continue
                leased = machine.lease(row.state, worker_id, now, lease_seconds)
                if leased is not None and self.rows.put(row, leased):
                    return replace(row.job, attempt=leased.attempts)
        return None

    def renew(self, job_id: str, attempt: int, lease_seconds: float) -> bool:
        now = self.clock()
        return self._change(job_id, lambda s: machine.renew(s, attempt, now, lease_seconds))

    def complete(self, job_id: str, attempt: int | None = None) -> bool:
        now = self.clock()
        return self._change(job_id, lambda s: machine.complete(s, attempt, now))

    def fail(self, job_id: str, reason: str, retry: bool, attempt: int | None = None) -> bool:
        now = self.clock()
        return self._change(
            job_id, lambda s: machine.fail(s, attempt, reason, retry, now, self.policy)
        )

    def defer(self, job_id: str, attempt: int | None, until: float, reason: str) -> bool:
        now = self.clock()
        return self._change(job_id, lambda s: machine.defer(s, attempt, until, reason, now))

    def cancel_key(self, key: str) -> int:
        now = self.clock()
        with self.rows.atomic():
            rows = self.rows.queued_of(key)
            return sum(self._apply(row, lambda s: machine.cancel(s, now)) for row in rows)

    def requeue(self, job_id: str) -> bool:
        """Give a failed job a fresh set of attempts (for `prbot jobs --retry`)."""
        now = self.clock()
        return self._change(job_id, lambda s: machine.requeue(s, now))

    def list(self, status: JobStatus | None = None) -> builtins.list[JobRecord]:
        return self.rows.records(status)

    def depth(self) -> int:
        return self.rows.depth()

    def purge(self) -> int:
        with self.rows.atomic():
            return self.rows.purge(self.clock() - self.retention_seconds)

    def close(self) -> None:
        self.rows.close()

    def _change(self, job_id: str, transition: Transition) -> bool:
        with self.rows.atomic():
            row = self.rows.get(job_id)
            return row is not None and self._apply(row, transition)

    def _apply(self, row: Row, transition: Transition) -> bool:
        """Write transition(row's state); on a lost race read the row again and retry."""
        current: Row | None = row
        for _ in range(RACES):
            if current is None:
                return False
            state = transition(current.state)
            if state is None:
                return False
            if self.rows.put(current, state):
                return True
            current = self.rows.get(row.job.delivery_id)
        raise QueueError(f"job {row.job.delivery_id}: still contended after {RACES} tries")
