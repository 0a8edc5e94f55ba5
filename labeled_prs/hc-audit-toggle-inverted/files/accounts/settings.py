"""Settings for the accounts service."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    database_url: str
    session_ttl_minutes: int = 60
    # Audit logging can be switched off in local development.
    audit_enabled: bool = True
