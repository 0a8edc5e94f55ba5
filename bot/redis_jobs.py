"""Job records on Redis for the Celery backend: delivery dedupe, per-PR locks, supersede, retries.

Celery moves the messages; this module keeps what the SQLite queue keeps in its rows, with
the same statuses, so `prbot jobs` reads the same on both backends. One hash per delivery
(`<prefix>job:<delivery id>`, kept `retention_seconds`) is the dedupe key (created only if
absent, like SET NX) and the done marker (status "completed": a redelivered message after
completion does not run again). Each transition is one Lua script, so it is atomic.
A job of a pull request runs only while it holds `<prefix>lock:<owner/repo#N>` (SET NX PX,
token "<delivery>:<attempt>", renewed while it runs, released by compare-and-delete).
Lua builds key names from the prefix, so this needs one Redis (or Sentinel), not Cluster.
"""

from __future__ import annotations

import builtins
import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Any

import redis
from redis.commands.core import Script

from bot.jobs import Job, JobRecord, JobStatus, QueueError
from bot.redis_scripts import BEGIN, CANCEL, CLAIM, CONFIRM, FINISH, RELEASE, RENEW, REQUEUE

RECORD_FIELDS = (
    "event",
    "action",
    "key",
    "status",
    "attempts",
    "next_run_at",
    "leased_by",
    "lease_expires_at",
    "reason",
    "created_at",
    "updated_at",
)


@dataclass(frozen=True, slots=True)
class Begin:
    """What a worker may do with a delivered job: "run" it (as `attempt`), wait `delay`
    seconds ("busy": its PR is locked; "early": its retry is not due), or drop the message
    (the job's status: completed, failed, superseded, cancelled; or "missing")."""

    outcome: str
    attempt: int = 0
    delay: float = 0.0


def job_to_json(job: Job) -> str:
    return json.dumps(asdict(job), separators=(",", ":"))


def job_from_json(text: str) -> Job:
    data: dict[str, Any] = json.loads(text)
    return Job(**data)


@contextmanager
def reachable(url: str) -> Iterator[None]:
    """Redis connection trouble as QueueError (the webhook answers 503, a worker requeues)."""
    try:
        yield
    except (redis.ConnectionError, redis.TimeoutError) as error:
        raise QueueError(f"redis at {url} unreachable: {error}") from error


class RedisJobs:
    """The job records. Methods that take `attempt` act only if that attempt holds the job."""

    def __init__(
        self,
        client: redis.Redis,
        prefix: str,
        *,
        url: str = "redis",
        max_attempts: int = 5,
        backoff_base: float = 10.0,
        backoff_max: float = 1800.0,
        retention_seconds: float = 7 * 24 * 3600,
        claim_seconds: float = 120.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.client = client
        self.prefix = prefix
        self.url = url
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.retention_seconds = retention_seconds
        self.claim_seconds = claim_seconds
        self.clock = clock
        # register_script only hashes the text; the script object sends EVALSHA and loads
        # the script again after a Redis restart (NOSCRIPT).
        self._scripts: dict[str, Script] = {}

    def _run(self, script: str, *args: str | float) -> Any:
        if script not in self._scripts:
            self._scripts[script] = self.client.register_script(script)
        with reachable(self.url):
            return self._scripts[script](keys=[], args=[self.prefix, *args])

    def claim(self, job: Job) -> bool:
        """Record a new delivery as queued; False if its id was seen before. The record
        lives `claim_seconds` only until confirm(): a publish that failed midway does not
        make GitHub's redelivery of it look like a duplicate for a week."""
        return bool(
            self._run(
                CLAIM,
                job.delivery_id,
                self.clock(),
                int(self.claim_seconds),
                job_to_json(job),
                job.event,
                job.action or "",
                job.key or "",
            )
        )

    def confirm(self, job: Job) -> None:
        """The message is on the broker: keep the record, supersede older queued jobs."""
        self._run(
            CONFIRM,
            job.delivery_id,
            self.clock(),
            int(self.retention_seconds),
            "1" if job.supersede else "0",
        )

    def release(self, job_id: str) -> None:
        """Forget a claim whose message could not be published."""
        self._run(RELEASE, job_id)

    def begin(self, job_id: str, worker_id: str, lease_seconds: float) -> Begin:
        outcome, attempt, delay = self._run(
            BEGIN,
            job_id,
            self.clock(),
            worker_id,
            int(lease_seconds * 1000),
            self.max_attempts,
        )
        return Begin(str(outcome), int(attempt), float(delay))

    def renew(self, job_id: str, attempt: int, lease_seconds: float) -> bool:
        return bool(self._run(RENEW, job_id, attempt, self.clock(), int(lease_seconds * 1000)))

    def complete(self, job_id: str, attempt: int | None = None) -> bool:
        return self._finish(job_id, attempt, JobStatus.COMPLETED, self.clock(), "")

    def fail(self, job_id: str, reason: str, retry: bool, attempt: int | None = None) -> bool:
        tries = attempt if attempt is not None else self._attempts(job_id)
        now = self.clock()
        if retry and tries < self.max_attempts:
            return self._finish(job_id, tries, JobStatus.QUEUED, now + self.backoff(tries), reason)
        why = f"{reason} (attempt {tries} of {self.max_attempts})"
        return self._finish(job_id, tries, JobStatus.FAILED, now, why)

    def _finish(
        self, job_id: str, attempt: int | None, status: JobStatus, next_run_at: float, reason: str
    ) -> bool:
        tries = attempt if attempt is not None else self._attempts(job_id)
        return bool(
            self._run(FINISH, job_id, tries, self.clock(), status.value, next_run_at, reason)
        )

    def _attempts(self, job_id: str) -> int:
        with reachable(self.url):
            value = self.client.hget(f"{self.prefix}job:{job_id}", "attempts")
        return int(str(value)) if value is not None else 0

    def backoff(self, attempts: int) -> float:
        """Seconds before retry number `attempts` + 1: base, 2x base, 4x base ... capped."""
        return float(min(self.backoff_max, self.backoff_base * 2 ** max(0, attempts - 1)))

    def cancel_key(self, key: str) -> int:
        return int(self._run(CANCEL, key, self.clock()))

    def requeue(self, job_id: str) -> Job | None:
        """A failed job queued again with fresh attempts; the caller publishes it."""
        text = self._run(REQUEUE, job_id, self.clock())
        return None if text is None else job_from_json(str(text))

    def status(self, job_id: str) -> tuple[JobStatus | None, float]:
        """A job's status and next_run_at, or (None, 0) when no record is kept."""
        with reachable(self.url):
            status, due = self.client.hmget(f"{self.prefix}job:{job_id}", "status", "next_run_at")
        return (JobStatus(str(status)) if status else None), float(due or 0)

    def list(self, status: JobStatus | None = None) -> builtins.list[JobRecord]:
        index = f"{self.prefix}jobs"
        with reachable(self.url):
            ids = [str(i) for i in self.client.zrange(index, 0, -1)]
            with self.client.pipeline(transaction=False) as pipe:
                for job_id in ids:
                    pipe.hmget(f"{self.prefix}job:{job_id}", RECORD_FIELDS)
                rows = pipe.execute()
            gone = [job_id for job_id, row in zip(ids, rows, strict=True) if row[3] is None]
            if gone:  # expired records: the index forgets them too
                self.client.zrem(index, *gone)
        records = [to_record(job_id, row) for job_id, row in zip(ids, rows, strict=True) if row[3]]
        return [r for r in records if status is None or r.status is status]

    def depth(self) -> int:
        """Jobs queued (including retries not yet due) or running."""
        with reachable(self.url):
            return int(self.client.scard(f"{self.prefix}active"))

    def close(self) -> None:
        self.client.close()


def to_record(job_id: str, row: list[str | None]) -> JobRecord:
    event, action, key, status, attempts, due, by, expires, reason, created, updated = row
    return JobRecord(
        delivery_id=job_id,
        event=event or "",
        action=action or None,
        key=key or None,
        status=JobStatus(str(status)),
        attempts=int(attempts or 0),
        next_run_at=float(due or 0),
        leased_by=by or None,
        lease_expires_at=float(expires) if expires else None,
        reason=reason or None,
        created_at=float(created or 0),
        updated_at=float(updated or 0),
    )
