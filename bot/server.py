"""Compose the running bot: settings -> GitHub App, pipeline, state, router -> FastAPI app.

build_runtime() is the one composition of what handlers get (the Context): the HTTP
server uses it, and so does each `prbot worker` process of the redis backend.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from fastapi import FastAPI

from bot.app import create_app
from bot.backends import (
    ClosableCache,
    ClosableState,
    is_redis,
    open_cache,
    open_pacer,
    open_queue,
    open_state,
)
from bot.context import Context
from bot.github import ClientOptions, GitHubApp
from bot.handlers import router
from bot.jobs import Handle, Job, JobQueue, run_job
from bot.jobs_queue import StoredQueue
from bot.pipeline import build_pipeline
from bot.settings import ConfigError, Settings


@dataclass(frozen=True, slots=True)
class Runtime:
    """The Context and the resources behind it, to close when done."""

    context: Context
    github: GitHubApp
    state: ClosableState
    cache: ClosableCache

    def close(self) -> None:
        self.state.close()
        self.cache.close()
        self.github.close()


@dataclass(frozen=True, slots=True)
class Server:
    app: FastAPI
    runtime: Runtime
    queue: StoredQueue | None = None  # the redis backend's queue (embedded: the app's own)

    @property
    def context(self) -> Context:
        return self.runtime.context

    @property
    def github(self) -> GitHubApp:
        return self.runtime.github

    @property
    def state(self) -> ClosableState:
        return self.runtime.state

    def close(self) -> None:
        self.runtime.close()
        if self.queue is not None:
            self.queue.close()


def private_key(settings: Settings) -> str:
    if settings.private_key is not None:
        return settings.private_key.get_secret_value()
    if settings.private_key_path is not None:
        try:
            return settings.private_key_path.read_text(encoding="utf-8")
        except OSError as error:
            raise ConfigError(
                f"cannot read private key {settings.private_key_path}: {error}"
            ) from error
    raise ConfigError("set PRBOT_PRIVATE_KEY or PRBOT_PRIVATE_KEY_PATH (the App's PEM key)")


def github_app(settings: Settings, options: ClientOptions | None = None) -> GitHubApp:
    issuer = settings.client_id or settings.app_id
    if not issuer:
        raise ConfigError("set PRBOT_CLIENT_ID or PRBOT_APP_ID (the GitHub App's identity)")
    options = options or ClientOptions(
        base_url=settings.github_url, seconds_between_writes=settings.github_write_gap_seconds
    )
    pacer = open_pacer(settings, options.seconds_between_writes)
    return GitHubApp(issuer, private_key(settings), options, pacer)


def build_runtime(
    settings: Settings, env: Mapping[str, str], options: ClientOptions | None = None
) -> Runtime:
    """The Context every handler gets, with the state and cache of settings.backend."""
    gh = github_app(settings, options)
    state = open_state(settings)
    cache = open_cache(settings)
    pipeline = build_pipeline(settings, env, cache=cache)
    return Runtime(Context(settings, pipeline, state, gh.client), gh, state, cache)


def job_handler(context: Context) -> Handle:
    """What a worker (in `prbot serve` or `prbot worker`) does with one job."""

    async def handle(job: Job) -> None:
        await run_job(job, router, context)

    return handle


def build_server(
    settings: Settings,
    env: Mapping[str, str],
    options: ClientOptions | None = None,
    queue: JobQueue | None = None,
) -> Server:
    """Everything `prbot serve` runs. The state store is opened here; the embedded queue
    by the app. With the redis backend, `prbot worker` processes run the jobs, not this one."""
    runtime = build_runtime(settings, env, options)
    owned = open_queue(settings) if queue is None else None
    handle = None if is_redis(settings) else job_handler(runtime.context)
    return Server(create_app(settings, handle, queue or owned), runtime, owned)
