"""Pick the backend from Settings: embedded (SQLite queue and state, diskcache) or redis.

The redis modules (and so the `redis` and `celery` packages, the `redis` extra) are
imported only when settings.backend is "redis": the embedded default needs neither.
"""

from __future__ import annotations

import builtins
import importlib.util
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from bot.jobs import Handle, JobRecord, JobStatus
from bot.settings import ConfigError, Settings
from bot.state import SqliteState, StateStore
from reviewers.cache import DiskCache, ReviewCache

if TYPE_CHECKING:
    from celery import Celery

    from bot.jobs_celery import CeleryJobQueue, DeliveryRunner
    from bot.redis_jobs import RedisJobs

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
    missing = [name for name in ("celery", "redis") if importlib.util.find_spec(name) is None]
    if missing:
        raise ConfigError(
            f"backend = redis needs {' and '.join(missing)}: pip install 'prbot[redis]'"
        )
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


def redis_jobs(settings: Settings) -> RedisJobs:
    from bot.redis_jobs import RedisJobs
    from bot.redis_store import redis_client

    return RedisJobs(
        redis_client(settings),
        settings.redis_prefix,
        url=settings.redis_url,
        max_attempts=settings.job_max_attempts,
        backoff_base=settings.job_backoff_seconds,
        retention_seconds=settings.job_retention_days * DAY,
    )


def celery_queue(settings: Settings, app: Celery | None = None) -> CeleryJobQueue:
    """The enqueue side of the redis backend (for create_app and `prbot jobs`)."""
    from bot.jobs_celery import CeleryJobQueue, create_celery

    app = app or create_celery(settings)
    return CeleryJobQueue(redis_jobs(settings), app, settings.celery_queue)


def open_queue(settings: Settings) -> CeleryJobQueue | None:
    """The queue to hand create_app: None for embedded (the app opens its SQLite queue)."""
    return celery_queue(settings) if is_redis(settings) else None


def open_job_admin(settings: Settings) -> JobAdmin:
    if is_redis(settings):
        return celery_queue(settings)
    from bot.jobs_sqlite import SqliteJobQueue

    return SqliteJobQueue(
        settings.jobs_path,
        max_attempts=settings.job_max_attempts,
        backoff_base=settings.job_backoff_seconds,
        retention_seconds=settings.job_retention_days * DAY,
    ).open()


def celery_worker(
    settings: Settings, make_handle: Callable[[], Handle]
) -> tuple[Celery, DeliveryRunner]:
    """A Celery app with `prbot.run_delivery` registered, and the runner behind it.
    `make_handle` runs once per worker process, on its first job, to build the handler
    and its clients."""
    from bot.jobs_celery import DeliveryRunner, create_celery, register_delivery_task

    app = create_celery(settings)
    runner = DeliveryRunner(celery_queue(settings, app), make_handle, settings)
    register_delivery_task(app, runner)
    return app, runner
