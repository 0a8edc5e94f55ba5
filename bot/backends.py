"""Pick the backend from Settings: embedded (SQLite queue and state, diskcache) or redis.

The redis modules (and so the `redis` package, the `redis` extra) are imported only when
settings.backend is "redis": the embedded default does without.
"""

from __future__ import annotations

import builtins
import importlib.util
from typing import TYPE_CHECKING, Protocol

from bot.jobs import JobRecord, JobStatus
from bot.jobs_queue import StoredQueue
from bot.settings import ConfigError, Settings
from bot.state import SqliteState, StateStore
from reviewers.cache import DiskCache, ReviewCache

if TYPE_CHECKING:
    from bot.github_pacing import WritePacer
    from bot.jobs_sqlite import SqliteJobQueue
    from bot.redis_jobs import RedisJobQueue

DAY = 24 * 3600


class ClosableState(StateStore, Protocol):
    def close(self) -> None: ...


class ClosableCache(ReviewCache, Protocol):
    def close(self) -> None: ...


class JobAdmin(Protocol):
    """What `prbot jobs` needs from either queue."""

    def list(self, status: JobStatus | None = None) -> builtins.list[JobRecord]: ...

    def requeue(self, job_id: str) -> bool: ...

    def close(self) -> None: ...


def is_redis(settings: Settings) -> bool:
    """True for backend = "redis"; ConfigError if its packages are not installed."""
    if settings.backend != "redis":
        return False
    if importlib.util.find_spec("redis") is None:
        raise ConfigError("backend = redis needs redis: pip install 'prbot[redis]'")
    return True


def open_state(settings: Settings) -> ClosableState:
    if is_redis(settings):
        from bot.redis_store import RedisState, redis_client

        return RedisState(redis_client(settings), settings.redis_prefix)
    return SqliteState(settings.data_dir / "state.sqlite3").open()


def open_cache(settings: Settings) -> ClosableCache:
    if is_redis(settings):
        from bot.redis_store import RedisCache, redis_client

        ttl = settings.redis_cache_days * DAY
        return RedisCache(redis_client(settings), settings.redis_prefix, ttl)
    return DiskCache(settings.review_cache_dir)


def open_pacer(settings: Settings, gap: float) -> WritePacer | None:
    """Who spaces GitHub writes per installation: Redis for every process of the redis
    backend; None for embedded (each GitHubApp paces its own threads)."""
    if not is_redis(settings):
        return None
    from bot.github_pacing import RedisPacer
    from bot.redis_store import redis_client

    return RedisPacer(redis_client(settings), settings.redis_prefix, gap)


def redis_queue(settings: Settings) -> RedisJobQueue:
    """The job queue of the redis backend: the server enqueues, `prbot worker` leases."""
    from bot.redis_jobs import RedisJobQueue
    from bot.redis_store import redis_client

    return RedisJobQueue(
        redis_client(settings),
        settings.redis_prefix,
        url=settings.redis_url,
        max_attempts=settings.job_max_attempts,
        backoff_base=settings.job_backoff_seconds,
        retention_seconds=settings.job_retention_days * DAY,
        installation_cap=settings.installation_concurrency or None,
    )


def sqlite_queue(settings: Settings) -> SqliteJobQueue:
    """The embedded job queue (not opened yet)."""
    from bot.jobs_sqlite import SqliteJobQueue

    return SqliteJobQueue(
        settings.jobs_path,
        max_attempts=settings.job_max_attempts,
        backoff_base=settings.job_backoff_seconds,
        retention_seconds=settings.job_retention_days * DAY,
        installation_cap=settings.installation_concurrency or None,
    )


def open_queue(settings: Settings) -> StoredQueue | None:
    """The queue to hand create_app: None for embedded (the app opens its SQLite queue)."""
    return redis_queue(settings) if is_redis(settings) else None


def open_job_admin(settings: Settings) -> JobAdmin:
    if is_redis(settings):
        return redis_queue(settings)
    return sqlite_queue(settings).open()
