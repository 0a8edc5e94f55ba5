"""Per-job claims in Redis, so two workers never run the same job."""

from __future__ import annotations

import redis

CLAIM_PREFIX = "job-claim:"


def claim(r: redis.Redis, job_id: str, worker: str) -> bool:
    """Claim a job for this worker. Claims never expire: finish() must release them."""
    return bool(r.set(CLAIM_PREFIX + job_id, worker, nx=True))


def release(r: redis.Redis, job_id: str) -> None:
    r.delete(CLAIM_PREFIX + job_id)
