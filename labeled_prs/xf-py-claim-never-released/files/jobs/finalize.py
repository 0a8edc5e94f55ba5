"""Bookkeeping after a job ran."""

from __future__ import annotations

import redis

from jobs.locks import release


def finish(r: redis.Redis, job_id: str, ok: bool) -> None:
    """Record the outcome and release the claim taken in runner.run_one."""
    r.hset("job-status", job_id, "done" if ok else "failed")
    release(r, job_id)
