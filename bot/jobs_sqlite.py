"""The embedded job storage: one SQLite file (WAL), safe across threads and processes.

Every operation runs in one BEGIN IMMEDIATE transaction, so two workers (threads or
processes) never lease the same job. The delivery id is unique: a redelivery is refused
for as long as the row is kept (`retention_seconds`, 7 days by default), whatever state
the first one is in. What the rows mean is bot.jobs_machine's and bot.jobs_queue's.
"""

from __future__ import annotations

import builtins
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bot.jobs import Job, JobRecord, QueueError
from bot.jobs_machine import TERMINAL, JobState, JobStatus, RetryPolicy
from bot.jobs_queue import Row, StoredQueue
from bot.jobs_scheduling import Head, Lane, lane_of

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
CREATE TABLE IF NOT EXISTS lanes (
    installation_id INTEGER PRIMARY KEY,
    served_at REAL NOT NULL
);
"""
# Added after the first release: a file made by an older prbot gets the column on open.
REVISION = "ALTER TABLE jobs ADD COLUMN rev INTEGER NOT NULL DEFAULT 0"

ROW_COLUMNS = (
    "seq, rev, delivery_id, event, action, installation_id, payload, key, supersede, status,"
    " attempts, next_run_at, leased_by, lease_expires_at, reason, updated_at"
)
RECORD_COLUMNS = (
    "delivery_id, event, action, key, status, attempts, next_run_at, leased_by, "
    "lease_expires_at, reason, created_at, updated_at"
)
TERMINAL_VALUES = tuple(s.value for s in TERMINAL)
HEADS_PER_LANE = 8  # a lane's oldest due jobs looked at per lease

# The oldest few due jobs of every installation, and who was served when.
LANES = f"""
SELECT installation_id, delivery_id, key, seq FROM (
    SELECT installation_id, delivery_id, key, seq,
           row_number() OVER (PARTITION BY installation_id ORDER BY seq) AS n
    FROM jobs WHERE status = 'queued' AND next_run_at <= :now)
WHERE n <= {HEADS_PER_LANE}
ORDER BY seq
"""


class SqliteJobQueue(StoredQueue):
    """The JobQueue on SQLite. Call open() (or use `with`) before anything else."""

    rows: SqliteRows

    def __init__(
        self,
        path: Path,
        *,
        max_attempts: int = 5,
        backoff_base: float = 10.0,
        backoff_max: float = 1800.0,
        retention_seconds: float = 7 * 24 * 3600,
        installation_cap: int | None = None,
        busy_timeout: float = 10.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(
            SqliteRows(path, busy_timeout),
            RetryPolicy(max_attempts, backoff_base, backoff_max),
            retention_seconds=retention_seconds,
            installation_cap=installation_cap,
            clock=clock,
        )
        self.path = path

    def open(self) -> SqliteJobQueue:
        self.rows.open()
        return self

    def __enter__(self) -> SqliteJobQueue:
        return self.open()

    def __exit__(self, *exc: object) -> None:
        self.close()


class SqliteRows:
    """bot.jobs_queue.JobRows in one SQLite file; one connection shared by threads."""

    def __init__(self, path: Path, busy_timeout: float = 10.0) -> None:
        self.path = path
        self.busy_timeout = busy_timeout
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None
        self._depth = 0  # nesting of atomic(): reads inside one share its transaction

    def open(self) -> None:
        if self._conn is not None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # isolation_level=None: we issue BEGIN IMMEDIATE ourselves.
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
            columns = {row[1] for row in conn.execute("PRAGMA table_info(jobs)")}
            if "rev" not in columns:
                conn.execute(REVISION)
        except (OSError, sqlite3.Error) as error:
            raise QueueError(f"cannot open job queue {self.path}: {error}") from error
        self._conn = conn

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    @contextmanager
    def atomic(self, write: bool = True) -> Iterator[None]:
        with self._lock:
            conn = self._connection()
            if self._depth:
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            try:
                conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
                self._depth = 1
                try:
                    yield
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                finally:
                    self._depth = 0
                conn.execute("COMMIT")
            except sqlite3.Error as error:
                raise QueueError(f"job queue {self.path}: {error}") from error

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise QueueError(f"job queue {self.path} is not open")
        return self._conn

    def _query(self, sql: str, params: Any = ()) -> list[tuple[Any, ...]]:
        with self.atomic(write=False):
            return self._connection().execute(sql, params).fetchall()

    def _execute(self, sql: str, params: Any = ()) -> sqlite3.Cursor:
        with self.atomic():
            return self._connection().execute(sql, params)

    def insert(self, job: Job, state: JobState) -> Row | None:
        cursor = self._execute(
            "INSERT INTO jobs (delivery_id, event, action, installation_id, payload, key,"
            " supersede, status, next_run_at, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (delivery_id) DO NOTHING",
            (
                job.delivery_id,
                job.event,
                job.action,
                job.installation_id,
                job.payload,
                job.key,
                job.supersede,
                state.status.value,
                state.next_run_at,
                state.updated_at,
                state.updated_at,
            ),
        )
        if cursor.rowcount == 0:
            return None
        return Row(job, state, int(cursor.lastrowid or 0), 0)

    def get(self, job_id: str) -> Row | None:
        rows = self._query(f"SELECT {ROW_COLUMNS} FROM jobs WHERE delivery_id = ?", (job_id,))
        return to_row(rows[0]) if rows else None

    def put(self, row: Row, state: JobState) -> bool:
        if row.state.status is JobStatus.QUEUED and state.status is JobStatus.RUNNING:
            self._execute(
                "INSERT INTO lanes (installation_id, served_at) VALUES (?, ?)"
                " ON CONFLICT (installation_id) DO UPDATE SET served_at = excluded.served_at",
                (lane_of(row.job.installation_id), state.updated_at),
            )
        cursor = self._execute(
            "UPDATE jobs SET status = ?, attempts = ?, next_run_at = ?, leased_by = ?,"
            " lease_expires_at = ?, reason = ?, updated_at = ?, rev = rev + 1"
            " WHERE delivery_id = ? AND rev = ?",
            (
                state.status.value,
                state.attempts,
                state.next_run_at,
                state.leased_by,
                state.lease_expires_at,
                state.reason,
                state.updated_at,
                row.job.delivery_id,
                row.rev,
            ),
        )
        return cursor.rowcount == 1

    def queued_of(self, key: str) -> builtins.list[Row]:
        rows = self._query(
            f"SELECT {ROW_COLUMNS} FROM jobs WHERE key = ? AND status = 'queued' ORDER BY seq",
            (key,),
        )
        return [to_row(r) for r in rows]

    def expired(self, now: float) -> builtins.list[Row]:
        rows = self._query(
            f"SELECT {ROW_COLUMNS} FROM jobs"
            " WHERE status = 'running' AND lease_expires_at <= ? ORDER BY seq",
            (now,),
        )
        return [to_row(r) for r in rows]

    def due_work(self, now: float) -> bool:
        return bool(
            self._query(
                "SELECT 1 FROM jobs WHERE (status = 'queued' AND next_run_at <= ?)"
                " OR (status = 'running' AND lease_expires_at <= ?) LIMIT 1",
                (now, now),
            )
        )

    def lanes(self, now: float) -> tuple[builtins.list[Lane], set[str]]:
        heads: dict[int, list[Head]] = {}
        for installation, job_id, key, seq in self._query(LANES, {"now": now}):
            lane = lane_of(installation)
            heads.setdefault(lane, []).append(Head(str(job_id), key, int(seq)))
        running: dict[int, int] = {}
        held: set[str] = set()
        for installation, key in self._query(
            "SELECT installation_id, key FROM jobs WHERE status = 'running'"
        ):
            lane = lane_of(installation)
            running[lane] = running.get(lane, 0) + 1
            if key is not None:
                held.add(str(key))
        served = dict(self._query("SELECT installation_id, served_at FROM lanes"))
        lanes = [
            Lane(lane, float(served.get(lane, 0.0)), running.get(lane, 0), tuple(found))
            for lane, found in heads.items()
        ]
        return lanes, held

    def records(self, status: JobStatus | None) -> builtins.list[JobRecord]:
        value = None if status is None else status.value
        rows = self._query(
            f"SELECT {RECORD_COLUMNS} FROM jobs WHERE (? IS NULL OR status = ?) ORDER BY seq",
            (value, value),
        )
        return [
            JobRecord(d, e, a, k, JobStatus(s), n, nr, lb, le, r, c, u)
            for d, e, a, k, s, n, nr, lb, le, r, c, u in rows
        ]

    def depth(self) -> int:
        rows = self._query("SELECT count(*) FROM jobs WHERE status IN ('queued', 'running')")
        return int(rows[0][0])

    def purge(self, before: float) -> int:
        cursor = self._execute(
            f"DELETE FROM jobs WHERE status IN ({', '.join('?' * len(TERMINAL_VALUES))})"
            " AND updated_at < ?",
            (*TERMINAL_VALUES, before),
        )
        return cursor.rowcount


def to_row(values: tuple[Any, ...]) -> Row:
    (seq, rev, delivery_id, event, action, installation_id, payload, key, supersede, status,
     attempts, next_run_at, leased_by, lease_expires_at, reason, updated_at) = values  # fmt: skip
    job = Job(delivery_id, event, action, installation_id, payload, key, bool(supersede))
    state = JobState(
        JobStatus(status), attempts, next_run_at, leased_by, lease_expires_at, reason, updated_at
    )
    return Row(job, state, seq, rev)
