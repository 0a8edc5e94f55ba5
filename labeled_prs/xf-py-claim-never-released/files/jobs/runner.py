"""Runs queued jobs."""

from __future__ import annotations

import json
import time

import redis

from jobs.finalize import finish
from jobs.handlers import handle
from jobs.locks import claim


def run_one(r: redis.Redis, job_id: str, worker: str) -> bool:
    if not claim(r, job_id, worker):
        return False
    payload = json.loads(r.hget("job-payload", job_id) or "{}")
    if payload.get("expires_at", float("inf")) < time.time():
        r.hset("job-status", job_id, "expired")
        return False
    try:
        handle(payload)
    except Exception:
        finish(r, job_id, ok=False)
        raise
    finish(r, job_id, ok=True)
    return True
