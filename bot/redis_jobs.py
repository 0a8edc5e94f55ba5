"""The Redis job storage: one hash per delivery, and the indexes that find jobs fast.

The same queue as the embedded one (bot.jobs_queue.StoredQueue, bot.jobs_machine's
states), shared by any number of `prbot worker` processes. This module only maps a state
to where the job is indexed and writes both in one checked step (bot.redis_scripts).

Keys under the prefix P (one Redis can serve several bots):
    P job:<id>         hash: the job, its state, seq and rev; kept `retention_seconds`
    P jobs             zset: ids by arrival (for `prbot jobs`)
    P active           set: queued or running ids (the depth)
    P pr:<repo#N>      set: a pull request's queued ids (supersede, cancel)
    P ready:<inst>     zset: an installation's due queued ids, by arrival (its lane)
    P later            zset: queued ids not yet due (retry backoff, budget waits), by due time
    P lanes            zset: installations with due jobs, by when one was last leased
    P served           hash: installation -> when one of its jobs was last leased
    P running          zset: running ids, by lease expiry
    P holder:<repo#N>  string: the running id of a pull request
    P inflight         hash: installation -> its running jobs
"""

from __future__ import annotations

import builtins
import json
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import asdict
from typing import Any

import redis
from redis.commands.core import Script

from bot.jobs import Job, JobRecord, QueueError
from bot.jobs_machine import KEEPS_PAYLOAD, JobState, JobStatus, RetryPolicy
from bot.jobs_queue import Row, StoredQueue
from bot.jobs_scheduling import Head, Lane, lane_of
from bot.redis_scripts import CHECKED_WRITE

HEADS_PER_LANE = 8  # a lane's oldest due jobs looked at per lease
LANE_PAGE = 256  # lanes read per lease, least recently served first
PROMOTE_BATCH = 256  # due retries moved into their lanes per lease
Command = list[str]
Check = list[str]


@contextmanager
def reachable(url: str) -> Iterator[None]:
    """Redis connection trouble as QueueError (the webhook answers 503, a worker waits)."""
    try:
        yield
    except (redis.ConnectionError, redis.TimeoutError) as error:
        raise QueueError(f"redis at {url} unreachable: {error}") from error


class Keys:
    """The key names under one prefix."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.jobs = f"{prefix}jobs"
        self.active = f"{prefix}active"
        self.later = f"{prefix}later"
        self.lanes = f"{prefix}lanes"
        self.served = f"{prefix}served"
        self.running = f"{prefix}running"
        self.inflight = f"{prefix}inflight"
        self.seq = f"{prefix}seq"

    def job(self, job_id: str) -> str:
        return f"{self.prefix}job:{job_id}"

    def pr(self, key: str) -> str:
        return f"{self.prefix}pr:{key}"

    def ready(self, lane: int | str) -> str:
        return f"{self.prefix}ready:{lane}"

    def holder(self, key: str) -> str:
        return f"{self.prefix}holder:{key}"


class RedisJobQueue(StoredQueue):
    """The JobQueue on Redis (backend = "redis")."""

    rows: RedisRows

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
        installation_cap: int | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        rows = RedisRows(client, prefix, url, retention_seconds, installation_cap)
        super().__init__(
            rows,
            RetryPolicy(max_attempts, backoff_base, backoff_max),
            retention_seconds=retention_seconds,
            installation_cap=installation_cap,
            clock=clock,
        )


class RedisRows:
    """bot.jobs_queue.JobRows on Redis. Every write is one checked step."""

    def __init__(
        self,
        client: redis.Redis,
        prefix: str,
        url: str,
        retention_seconds: float,
        installation_cap: int | None,
    ) -> None:
        self.client = client
        self.keys = Keys(prefix)
        self.url = url
        self.retention = str(int(retention_seconds))
        self.cap = installation_cap
        # register_script only hashes the text; the Script sends EVALSHA and loads the
        # script again after a Redis restart (NOSCRIPT).
        self._script: Script | None = None

    def atomic(self) -> AbstractContextManager[None]:
        return nullcontext()  # every write below is checked on its own

    def _write(self, checks: Sequence[Check], commands: Sequence[Command]) -> bool:
        if self._script is None:
            self._script = self.client.register_script(CHECKED_WRITE)
        plan = json.dumps({"if": list(checks), "do": list(commands)}, separators=(",", ":"))
        with reachable(self.url):
            return bool(self._script(keys=[], args=[plan]))

    # -- rows ----------------------------------------------------------------------------

    def insert(self, job: Job, state: JobState) -> Row | None:
        with reachable(self.url):
            seq = int(self.client.incr(self.keys.seq))
        row = Row(job, state, seq, 0)
        record = self.keys.job(job.delivery_id)
        fields = {
            "job": json.dumps(asdict(job), separators=(",", ":")),
            "event": job.event,
            "action": job.action or "",
            "key": job.key or "",
            "installation": "" if job.installation_id is None else str(job.installation_id),
            "seq": str(seq),
            "created_at": repr(state.updated_at),
        }
        commands = [
            ["HSET", record, *flatten(fields)],
            *self._record(row, state, rev=0),
            ["ZADD", self.keys.jobs, str(seq), job.delivery_id],
            *self._indexes(row, None, state),
        ]
        return row if self._write([["absent", record]], commands) else None

    def get(self, job_id: str) -> Row | None:
        with reachable(self.url):
            fields = self.client.hgetall(self.keys.job(job_id))
        return to_row(job_id, {str(k): str(v) for k, v in fields.items()}) if fields else None

    def put(self, row: Row, state: JobState) -> bool:
        record = self.keys.job(row.job.delivery_id)
        checks: list[Check] = [["eq", record, "rev", str(row.rev)]]
        if row.state.status is JobStatus.QUEUED and state.status is JobStatus.RUNNING:
            if row.job.key is not None:
                checks.append(["absent", self.keys.holder(row.job.key)])
            if self.cap is not None:
                lane = str(lane_of(row.job.installation_id))
                checks.append(["below", self.keys.inflight, lane, str(self.cap)])
        commands = [
            *self._record(row, state, rev=row.rev + 1),
            *self._indexes(row, row.state, state),
        ]
        return self._write(checks, commands)

    def _record(self, row: Row, state: JobState, rev: int) -> list[Command]:
        """The state's fields on the job's hash (absent ones deleted), kept for retention."""
        record = self.keys.job(row.job.delivery_id)
        values: dict[str, str | None] = {
            "status": state.status.value,
            "attempts": str(state.attempts),
            "next_run_at": repr(state.next_run_at),
            "updated_at": repr(state.updated_at),
            "rev": str(rev),
            "leased_by": state.leased_by,
            "lease_expires_at": None
            if state.lease_expires_at is None
            else repr(state.lease_expires_at),
            "reason": state.reason,
        }
        present = {k: v for k, v in values.items() if v is not None}
        gone = [k for k, v in values.items() if v is None]
        if state.status not in KEEPS_PAYLOAD:
            gone.append("job")  # finished for good: only the record is kept
        commands = [["HSET", record, *flatten(present)]]
        if gone:
            commands.append(["HDEL", record, *gone])
        commands.append(["EXPIRE", record, self.retention])
        return commands

    def _indexes(self, row: Row, old: JobState | None, new: JobState) -> list[Command]:
        """Where the job is indexed, moved from its old state's places to its new one's."""
        k, job_id, key = self.keys, row.job.delivery_id, row.job.key
        lane = str(lane_of(row.job.installation_id))
        was = old.status if old is not None else None
        commands: list[Command] = []
        if was is JobStatus.QUEUED and new.status is not JobStatus.QUEUED:
            commands += [["ZREM", k.ready(lane), job_id], ["ZREM", k.later, job_id]]
            if key is not None:
                commands.append(["SREM", k.pr(key), job_id])
        if was is JobStatus.RUNNING and new.status is not JobStatus.RUNNING:
            commands += [["ZREM", k.running, job_id], ["HINCRBY", k.inflight, lane, "-1"]]
            if key is not None:
                commands.append(["DEL", k.holder(key)])
        if new.status is JobStatus.QUEUED and was is not JobStatus.QUEUED:
            commands += self._queued(row, new)
        if new.status is JobStatus.RUNNING:
            commands.append(["ZADD", k.running, repr(new.lease_expires_at), job_id])
            if was is not JobStatus.RUNNING:
                commands += [
                    ["HINCRBY", k.inflight, lane, "1"],
                    ["HSET", k.served, lane, repr(new.updated_at)],
                    ["ZADD", k.lanes, "XX", repr(new.updated_at), lane],
                ]
                if key is not None:
                    commands.append(["SET", k.holder(key), job_id])
        member = "SADD" if new.status in (JobStatus.QUEUED, JobStatus.RUNNING) else "SREM"
        commands.append([member, k.active, job_id])
        return commands

    def _queued(self, row: Row, state: JobState) -> list[Command]:
        """A job entering the queue: in its lane if due, else waiting in `later`."""
        k, job_id, key = self.keys, row.job.delivery_id, row.job.key
        commands: list[Command] = []
        if state.next_run_at <= state.updated_at:  # due at once
            commands += self._into_lane(row)
        else:
            commands.append(["ZADD", k.later, repr(state.next_run_at), job_id])
        if key is not None:
            commands += [["SADD", k.pr(key), job_id], ["EXPIRE", k.pr(key), self.retention]]
        return commands

    def _into_lane(self, row: Row) -> list[Command]:
        lane = str(lane_of(row.job.installation_id))
        with reachable(self.url):
            served = self.client.hget(self.keys.served, lane)
        return [
            ["ZADD", self.keys.ready(lane), str(row.seq), row.job.delivery_id],
            ["ZADD", self.keys.lanes, "NX", str(served or 0), lane],
        ]

    # -- finding jobs --------------------------------------------------------------------

    def _rows(self, job_ids: Sequence[str]) -> list[Row | None]:
        with reachable(self.url), self.client.pipeline(transaction=False) as pipe:
            for job_id in job_ids:
                pipe.hgetall(self.keys.job(job_id))
            found = pipe.execute()
        return [
            to_row(job_id, fields) if fields else None
            for job_id, fields in zip(job_ids, found, strict=True)
        ]

    def queued_of(self, key: str) -> builtins.list[Row]:
        with reachable(self.url):
            ids = sorted(str(i) for i in self.client.smembers(self.keys.pr(key)))
        rows = [r for r in self._rows(ids) if r is not None]
        return sorted((r for r in rows if r.state.status is JobStatus.QUEUED), key=seq_of)

    def expired(self, now: float) -> builtins.list[Row]:
        with reachable(self.url):
            ids = [str(i) for i in self.client.zrangebyscore(self.keys.running, "-inf", now)]
        return [r for r in self._rows(ids) if r is not None]

    def due_work(self, now: float) -> bool:
        k = self.keys
        with reachable(self.url), self.client.pipeline(transaction=False) as pipe:
            pipe.zcard(k.lanes)
            pipe.zcount(k.running, "-inf", now)
            pipe.zcount(k.later, "-inf", now)
            return any(int(n) for n in pipe.execute())

    def lanes(self, now: float) -> tuple[builtins.list[Lane], set[str]]:
        self._promote(now)
        k = self.keys
        with reachable(self.url):
            page = self.client.zrange(k.lanes, 0, LANE_PAGE - 1, withscores=True)
            listed = [(str(pair[0]), float(pair[1])) for pair in page]
            with self.client.pipeline(transaction=False) as pipe:
                for lane, _ in listed:
                    pipe.zrange(k.ready(lane), 0, HEADS_PER_LANE - 1, withscores=True)
                    pipe.hget(k.inflight, lane)
                found = pipe.execute()
        lanes: list[Lane] = []
        for index, (lane, served_at) in enumerate(listed):
            members, running = found[2 * index], found[2 * index + 1]
            heads = tuple(Head(str(m), None, int(s)) for m, s in members)
            if not heads:
                self._write([["empty", k.ready(lane)]], [["ZREM", k.lanes, lane]])
                continue
            lanes.append(Lane(int(lane), float(served_at), int(running or 0), heads))
        return self._with_keys(lanes)

    def _with_keys(self, lanes: list[Lane]) -> tuple[list[Lane], set[str]]:
        """The heads' pull requests, and which of them have a running job."""
        ids = [h.job_id for lane in lanes for h in lane.heads]
        with reachable(self.url), self.client.pipeline(transaction=False) as pipe:
            for job_id in ids:
                pipe.hmget(self.keys.job(job_id), "key", "status")
            found = dict(zip(ids, pipe.execute(), strict=True))
        keyed: list[Lane] = []
        for lane in lanes:
            heads = []
            for head in lane.heads:
                key, status = found[head.job_id]
                if status != JobStatus.QUEUED:  # its record expired: forget the entry
                    self._write([], [["ZREM", self.keys.ready(lane.installation), head.job_id]])
                    continue
                heads.append(Head(head.job_id, key or None, head.seq))
            keyed.append(Lane(lane.installation, lane.served_at, lane.running, tuple(heads)))
        keys = sorted({h.key for lane in keyed for h in lane.heads if h.key is not None})
        with reachable(self.url), self.client.pipeline(transaction=False) as pipe:
            for key in keys:
                pipe.exists(self.keys.holder(key))
            held = {key for key, n in zip(keys, pipe.execute(), strict=True) if n}
        return keyed, held

    def _promote(self, now: float) -> None:
        """Move queued jobs whose wait is over from `later` into their lanes."""
        with reachable(self.url):
            ids = self.client.zrangebyscore(self.keys.later, "-inf", now, 0, PROMOTE_BATCH)
        for row in self._rows([str(i) for i in ids]):
            if row is None or row.state.status is not JobStatus.QUEUED:
                continue
            record = self.keys.job(row.job.delivery_id)
            moves = [["ZREM", self.keys.later, row.job.delivery_id], *self._into_lane(row)]
            self._write([["eq", record, "rev", str(row.rev)]], moves)

    # -- reading -------------------------------------------------------------------------

    def records(self, status: JobStatus | None) -> builtins.list[JobRecord]:
        index = self.keys.jobs
        with reachable(self.url):
            ids = [str(i) for i in self.client.zrange(index, 0, -1)]
            with self.client.pipeline(transaction=False) as pipe:
                for job_id in ids:
                    pipe.hmget(self.keys.job(job_id), RECORD_FIELDS)
                rows = pipe.execute()
            gone = [job_id for job_id, row in zip(ids, rows, strict=True) if row[3] is None]
            if gone:  # expired records: the index forgets them too
                self.client.zrem(index, *gone)
        records = [to_record(job_id, row) for job_id, row in zip(ids, rows, strict=True) if row[3]]
        return [r for r in records if status is None or r.status is status]

    def depth(self) -> int:
        with reachable(self.url):
            return int(self.client.scard(self.keys.active))

    def purge(self, before: float) -> int:
        return 0  # records expire on their own (EXPIRE on every write)

    def close(self) -> None:
        self.client.close()


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


def flatten(fields: dict[str, str]) -> list[str]:
    return [part for pair in fields.items() for part in pair]


def seq_of(row: Row) -> int:
    return row.seq


def to_row(job_id: str, fields: dict[str, Any]) -> Row:
    text = fields.get("job")
    if text:
        job = Job(**json.loads(text))
    else:  # finished: the payload is gone, the rest is enough to index it
        installation = fields.get("installation")
        job = Job(
            job_id,
            fields.get("event", ""),
            fields.get("action") or None,
            int(installation) if installation else None,
            "",
            fields.get("key") or None,
        )
    expires = fields.get("lease_expires_at")
    state = JobState(
        JobStatus(fields["status"]),
        int(fields.get("attempts", 0)),
        float(fields.get("next_run_at", 0)),
        fields.get("leased_by") or None,
        float(expires) if expires else None,
        fields.get("reason") or None,
        float(fields.get("updated_at", 0)),
    )
    return Row(job, state, int(fields.get("seq", 0)), int(fields.get("rev", 0)))


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
