"""The embedded JobQueue: one SQLite file (WAL), safe across threads and processes.

Every write runs in BEGIN IMMEDIATE, so two workers (threads or processes) never lease the
same job. The delivery id is the primary key: a redelivery is refused for as long as the
row is kept (`retention_seconds`, 7 days by default), whatever state the first one is in.
"""

from __future__ import annotations

import builtins
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from bot.jobs import Job, JobRecord, JobStatus, QueueError

SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id TEXT NOT NULL UNIQUE,
    event TEXT NOT NULL,
    action TEXT,
    installation_id INTEGER,
    payload TEXT NOT NULL,
    key TEXT,
    supersede INTEGER NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_run_at REAL NOT NULL,
    leased_by TEXT,
    lease_expires_at REAL,
    reason TEXT,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_status ON jobs (status, next_run_at);
CREATE INDEX IF NOT EXISTS jobs_key ON jobs (key, status);
CREATE INDEX IF NOT EXISTS jobs_updated ON jobs (status, updated_at);
"""

RECORD_COLUMNS = (
    "delivery_id, event, action, key, status, attempts, next_run_at, leased_by, "
    "lease_expires_at, reason, created_at, updated_at"
)
TERMINAL = tuple(
    s.value
    for s in (JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.SUPERSEDED, JobStatus.CANCELLED)
)

# Candidates: due queued jobs, and running jobs whose worker let the lease expire
# (crashed). A keyed job waits while another job of its key holds a live lease.
LEASABLE = """
SELECT seq, delivery_id, event, action, installation_id, payload, key, supersede, attempts
FROM jobs AS j
WHERE ((status = 'queued' AND next_run_at <= :now)
       OR (status = 'running' AND lease_expires_at <= :now))
  AND (key IS NULL OR NOT EXISTS (
       SELECT 1 FROM jobs AS r
       WHERE r.key = j.key AND r.status = 'running' AND r.lease_expires_at > :now))
ORDER BY seq
LIMIT 1
"""


class SqliteJobQueue:
    """JobQueue on SQLite. Call open() (or use `with`) before anything else."""

    def __init__(
        self,
        path: Path,
        *,
        max_attempts: int = 5,
        backoff_base: float = 10.0,
        backoff_max: float = 1800.0,
        retention_seconds: float = 7 * 24 * 3600,
        busy_timeout: float = 10.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.path = path
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.retention_seconds = retention_seconds
        self.busy_timeout = busy_timeout
        self.clock = clock
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._next_purge_at = 0.0

    def open(self) -> SqliteJobQueue:
        if self._conn is not None:
            return self
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # isolation_level=None: we issue BEGIN IMMEDIATE ourselves; one connection
            # shared by threads under self._lock.
            conn = sqlite3.connect(
                self.path,
                timeout=self.busy_timeout,
                isolation_level=None,
                check_same_thread=False,
            )
            conn.execute("PRAGMA journal_mode=WAL")
            # FULL: a 202 is sent only once the job is on disk, even across power loss.
            conn.execute("PRAGMA synchronous=FULL")
            conn.executescript(SCHEMA)
        except (OSError, sqlite3.Error) as error:
            raise QueueError(f"cannot open job queue {self.path}: {error}") from error
        self._conn = conn
        return self

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __enter__(self) -> SqliteJobQueue:
        return self.open()

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _transaction(self, write: bool = True) -> Iterator[sqlite3.Connection]:
        with self._lock:
            if self._conn is None:
                raise QueueError(f"job queue {self.path} is not open")
            conn = self._conn
            try:
                conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
                try:
                    yield conn
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")
            except sqlite3.Error as error:
                raise QueueError(f"job queue {self.path}: {error}") from error

    def enqueue(self, job: Job) -> bool:
        now = self.clock()
        with self._transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO jobs (delivery_id, event, action, installation_id, payload, key,"
                " supersede, status, next_run_at, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?)"
                " ON CONFLICT (delivery_id) DO NOTHING",
                (
                    job.delivery_id,
                    job.event,
                    job.action,
                    job.installation_id,
                    job.payload,
                    job.key,
                    job.supersede,
                    now,
                    now,
                    now,
                ),
            )
            if cursor.rowcount == 0:
                return False
            if job.supersede and job.key is not None:
                conn.execute(
                    "UPDATE jobs SET status = 'superseded', reason = ?, updated_at = ?"
                    " WHERE key = ? AND status = 'queued' AND seq < ?",
                    (f"superseded by {job.delivery_id}", now, job.key, cursor.lastrowid),
                )
            if now >= self._next_purge_at:
                self._purge(conn, now)
        return True

    def lease(self, worker_id: str, lease_seconds: float) -> Job | None:
        now = self.clock()
        # Look first without the write lock: idle workers polling must not stall intake.
        with self._transaction(write=False) as conn:
            if conn.execute(LEASABLE, {"now": now}).fetchone() is None:
                return None
        with self._transaction() as conn:
            conn.execute(
                "UPDATE jobs SET status = 'failed', leased_by = NULL, lease_expires_at = NULL,"
                " reason = 'worker lost (lease expired) on attempt ' || attempts"
                " || ' of ' || ?, updated_at = ?"
                " WHERE status = 'running' AND lease_expires_at <= ? AND attempts >= ?",
                (self.max_attempts, now, now, self.max_attempts),
            )
            row = conn.execute(LEASABLE, {"now": now}).fetchone()
            if row is None:
                return None
            seq, delivery_id, event, action, installation_id, payload, key, supersede, tries = row
            conn.execute(
                "UPDATE jobs SET status = 'running', attempts = attempts + 1, leased_by = ?,"
                " lease_expires_at = ?, updated_at = ? WHERE seq = ?",
                (worker_id, now + lease_seconds, now, seq),
            )
        return Job(
            delivery_id,
            event,
            action,
            installation_id,
            payload,
            key,
            bool(supersede),
            attempt=tries + 1,
        )

    def renew(self, job_id: str, attempt: int, lease_seconds: float) -> bool:
        now = self.clock()
        with self._transaction() as conn:
            cursor = conn.execute(
                "UPDATE jobs SET lease_expires_at = ?, updated_at = ?"
                " WHERE delivery_id = ? AND status = 'running' AND attempts = ?",
                (now + lease_seconds, now, job_id, attempt),
            )
            return cursor.rowcount == 1

    def complete(self, job_id: str, attempt: int | None = None) -> bool:
        now = self.clock()
        with self._transaction() as conn:
            cursor = conn.execute(
                "UPDATE jobs SET status = 'completed', leased_by = NULL, lease_expires_at = NULL,"
                " reason = NULL, updated_at = ?"
                " WHERE delivery_id = ? AND status = 'running' AND (? IS NULL OR attempts = ?)",
                (now, job_id, attempt, attempt),
            )
            return cursor.rowcount == 1

    def fail(self, job_id: str, reason: str, retry: bool, attempt: int | None = None) -> bool:
        now = self.clock()
        with self._transaction() as conn:
            row = conn.execute(
                "SELECT attempts FROM jobs"
                " WHERE delivery_id = ? AND status = 'running' AND (? IS NULL OR attempts = ?)",
                (job_id, attempt, attempt),
            ).fetchone()
            if row is None:
                return False  # not ours any more: completed, or re-leased after expiry
            tries = int(row[0])
            if retry and tries < self.max_attempts:
                status, next_run_at, why = JobStatus.QUEUED, now + self.backoff(tries), reason
            else:
                status, next_run_at = JobStatus.FAILED, now
                why = f"{reason} (attempt {tries} of {self.max_attempts})"
            conn.execute(
                "UPDATE jobs SET status = ?, next_run_at = ?, reason = ?, leased_by = NULL,"
                " lease_expires_at = NULL, updated_at = ? WHERE delivery_id = ?",
                (status.value, next_run_at, why, now, job_id),
            )
            return True

    def backoff(self, attempts: int) -> float:
        """Seconds before retry number `attempts` + 1: base, 2x base, 4x base ... capped."""
        return float(min(self.backoff_max, self.backoff_base * 2 ** max(0, attempts - 1)))

    def cancel_key(self, key: str) -> int:
        now = self.clock()
        with self._transaction() as conn:
            cursor = conn.execute(
                "UPDATE jobs SET status = 'cancelled', reason = 'pull request closed',"
                " updated_at = ? WHERE key = ? AND status = 'queued'",
                (now, key),
            )
            return cursor.rowcount

    def requeue(self, job_id: str) -> bool:
        """Give a failed job a fresh set of attempts (for `prbot jobs retry`)."""
        now = self.clock()
        with self._transaction() as conn:
            cursor = conn.execute(
                "UPDATE jobs SET status = 'queued', attempts = 0, next_run_at = ?,"
                " updated_at = ? WHERE delivery_id = ? AND status = 'failed'",
                (now, now, job_id),
            )
            return cursor.rowcount == 1

    def list(self, status: JobStatus | None = None) -> builtins.list[JobRecord]:
        value = None if status is None else status.value
        with self._transaction(write=False) as conn:
            rows = conn.execute(
                f"SELECT {RECORD_COLUMNS} FROM jobs WHERE (? IS NULL OR status = ?) ORDER BY seq",
                (value, value),
            ).fetchall()
        return [
            JobRecord(d, e, a, k, JobStatus(s), n, nr, lb, le, r, c, u)
            for d, e, a, k, s, n, nr, lb, le, r, c, u in rows
        ]

    def depth(self) -> int:
        with self._transaction(write=False) as conn:
            row = conn.execute(
                "SELECT count(*) FROM jobs WHERE status IN ('queued', 'running')"
            ).fetchone()
        return int(row[0])

    def purge(self) -> int:
        """Forget finished jobs older than the retention window; how many."""
        with self._transaction() as conn:
            return self._purge(conn, self.clock())

    def _purge(self, conn: sqlite3.Connection, now: float) -> int:
        self._next_purge_at = now + 3600
        cursor = conn.execute(
            f"DELETE FROM jobs WHERE status IN ({', '.join('?' * len(TERMINAL))})"
            " AND updated_at < ?",
            (*TERMINAL, now - self.retention_seconds),
        )
        return cursor.rowcount
