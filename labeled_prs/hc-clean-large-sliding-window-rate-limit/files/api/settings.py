"""API settings."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="API_")

    trusted_proxies: list[str] = ["127.0.0.1"]
    redis_url: str = "redis://localhost:6379/0"
    rate_limit: int = 120
    rate_window: float = 60.0
