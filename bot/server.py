"""Compose the running bot: settings -> GitHub App, pipeline, state, router -> FastAPI app."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from fastapi import FastAPI

from bot.app import create_app
from bot.context import Context
from bot.github import ClientOptions, GitHubApp
from bot.handlers import router
from bot.jobs import Job, JobQueue, run_job
from bot.pipeline import build_pipeline
from bot.settings import ConfigError, Settings
from bot.state import SqliteState


@dataclass(frozen=True, slots=True)
class Server:
    app: FastAPI
    context: Context
    github: GitHubApp
    state: SqliteState


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
    return GitHubApp(issuer, private_key(settings), options)


def build_server(
    settings: Settings,
    env: Mapping[str, str],
    options: ClientOptions | None = None,
    queue: JobQueue | None = None,
) -> Server:
    """Everything `prbot serve` runs. The state store is opened here, the queue by the app."""
    gh = github_app(settings, options)
    state = SqliteState(settings.data_dir / "state.sqlite3").open()
    pipeline = build_pipeline(settings, env)
    context = Context(settings, pipeline, state, gh.client)

    async def handle(job: Job) -> None:
        await run_job(job, router, context)

    return Server(create_app(settings, handle, queue), context, gh, state)
