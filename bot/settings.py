"""Settings from PRBOT_* environment variables and an optional TOML or YAML settings file.

Precedence, highest first: values passed to Settings(...), environment variables
(PRBOT_WEBHOOK_SECRET, ...), the settings file named by `settings_file` /
PRBOT_SETTINGS_FILE, then the defaults below. Built once by the CLI or create_app's
caller and passed down; there is no module-level instance.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import (
    BaseSettings,
    InitSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
    YamlConfigSettingsSource,
)

from reviewers.llm.spec import ModelSpec
from reviewers.settings import ReviewSettings


class ConfigError(ValueError):
    """The configuration cannot work: a missing secret, an unreadable settings file, ..."""


class Settings(ReviewSettings, BaseSettings):
    """Everything prbot reads from its environment: the review's settings (models, prices,
    budget, cache: reviewers/settings.py) and the server's own below."""

    # extra="forbid": a misspelt key in the settings file is an error, not silently ignored.
    # protected_namespaces: `settings_file` is ours; older pydantic-settings reserve the
    # whole `settings_` prefix and warn on every start.
    model_config = SettingsConfigDict(
        env_prefix="PRBOT_",
        extra="forbid",
        protected_namespaces=("model_validate", "model_dump", "settings_customise_sources"),
    )

    settings_file: Path | None = None

    # --- server: webhook intake, GitHub App identity, job queue ---
    webhook_secret: SecretStr | None = None
    allow_unsigned_dev: bool = False  # accept unsigned deliveries: local development only
    app_id: str | None = None
    client_id: str | None = None  # preferred JWT issuer (GitHub recommends the client ID)
    private_key: SecretStr | None = None  # PEM text; or private_key_path
    private_key_path: Path | None = None
    github_url: str = "https://api.github.com"
    github_write_gap_seconds: float = Field(default=1.0, ge=0)  # GitHub: >= 1 s between writes
    workers: int = Field(default=2, ge=0)  # in-process worker tasks
    max_body_bytes: int = Field(default=25 * 1024 * 1024, gt=0)  # GitHub caps payloads at 25 MB
    # The HTTP listener's limits (bot/listener.py, docs/reliability.md): what an unsigned
    # stranger can make the server hold before the signature is checked.
    max_header_bytes: int = Field(default=64 * 1024, gt=0)  # GitHub sends about 2 KB
    request_timeout_seconds: float = Field(default=10.0, gt=0)  # head and body; GitHub: 10 s
    keep_alive_seconds: int = Field(default=5, ge=1)  # idle between requests
    max_connections: int = Field(default=512, ge=1)  # one more evicts the longest-waiting
    job_lease_seconds: float = Field(default=60.0, gt=0)  # renewed while a job runs
    job_poll_seconds: float = Field(default=0.5, gt=0)  # idle workers look for jobs this often
    job_max_attempts: int = Field(default=5, ge=1)
    job_backoff_seconds: float = Field(default=10.0, ge=0)  # first retry delay, then doubled
    job_retention_days: float = Field(default=7.0, gt=0)  # redeliveries refused this long
    shutdown_grace_seconds: float = Field(default=10.0, ge=0)  # for running jobs to finish

    # --- scale-out (docs/scaling.md): `prbot worker` processes on Redis, shared cache ---
    backend: Literal["embedded", "redis"] = "embedded"  # embedded = SQLite queue + diskcache
    redis_url: str = "redis://127.0.0.1:6379/0"  # job queue, state, cache and budgets
    redis_prefix: str = "prbot:"  # on every key: one Redis can serve several bots
    redis_cache_days: float = Field(default=30.0, gt=0)  # review cache entries expire after
    # Fairness (docs/scaling.md): most jobs one installation runs at once (0: no cap).
    installation_concurrency: int = Field(default=4, ge=0)

    # --- logs (bot/logs.py, docs/observability.md); metrics are always on at GET /metrics ---
    log_format: Literal["json", "text"] = "json"  # json: one object per line, with delivery id
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    # --- review settings beyond ReviewSettings' ---
    # Models a repository's .github/prbot.yml may pick by name (`models: {frontier: NAME}`);
    # the server decides provider, endpoint and key. Empty: the roles above only.
    allowed_models: list[ModelSpec] = Field(default_factory=list)

    @property
    def jobs_path(self) -> Path:
        return self.data_dir / "jobs.sqlite3"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        path = settings_file_path(init_settings, env_settings)
        if path is None:
            return init_settings, env_settings, dotenv_settings, file_secret_settings
        file_settings = file_source(settings_cls, path)
        return init_settings, env_settings, dotenv_settings, file_settings, file_secret_settings


def settings_file_path(
    init_settings: PydanticBaseSettingsSource, env_settings: PydanticBaseSettingsSource
) -> Path | None:
    """The settings file named explicitly, else by PRBOT_SETTINGS_FILE, else None."""
    explicit = (
        init_settings.init_kwargs.get("settings_file")
        if isinstance(init_settings, InitSettingsSource)
        else None
    )
    value = explicit if explicit is not None else env_settings().get("settings_file")
    return Path(value) if value else None


def file_source(settings_cls: type[BaseSettings], path: Path) -> PydanticBaseSettingsSource:
    """A TOML (.toml) or YAML (.yaml, .yml) source; ConfigError if it cannot be read."""
    # pydantic-settings skips a missing file silently; a named file that is missing is
    # a mistake worth stopping for.
    if not path.is_file():
        raise ConfigError(f"settings file {path} does not exist")
    suffix = path.suffix.lower()
    if suffix == ".toml":
        return TomlConfigSettingsSource(settings_cls, toml_file=path)
    if suffix in (".yaml", ".yml"):
        return YamlConfigSettingsSource(settings_cls, yaml_file=path)
    raise ConfigError(f"settings file {path}: expected a .toml, .yaml or .yml file")
