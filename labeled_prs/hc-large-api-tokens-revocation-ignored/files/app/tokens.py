"""Personal API tokens: issue, authenticate, revoke."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import ApiToken, User

TOKEN_PREFIX = "acme_pat_"
KNOWN_SCOPES = frozenset({"read", "write", "admin"})
MAX_TOKENS_PER_USER = 20


class TokenError(Exception):
    pass


class InvalidToken(TokenError):
    pass


class ScopeError(TokenError):
    pass


@dataclass(frozen=True)
class IssuedToken:
    id: int
    secret: str  # shown once
    prefix: str
    expires_at: datetime | None


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _now() -> datetime:
    return datetime.now(timezone.utc)


def issue_token(
    session: Session, user: User, name: str, scopes: set[str], ttl_days: int | None = 90
) -> IssuedToken:
    unknown = scopes - KNOWN_SCOPES
    if unknown:
        raise ScopeError(f"unknown scopes: {sorted(unknown)}")
    active = session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    ).all()
    if len(active) >= MAX_TOKENS_PER_USER:
        raise TokenError(f"at most {MAX_TOKENS_PER_USER} active tokens per user")
    prefix = secrets.token_hex(4)
    secret = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    now = _now()
    token = ApiToken(
        user_id=user.id,
        name=name.strip()[:100] or "token",
        prefix=prefix,
        token_hash=_hash(secret),
        scopes=" ".join(sorted(scopes)),
        created_at=now,
        expires_at=now + timedelta(days=ttl_days) if ttl_days else None,
    )
    session.add(token)
    session.flush()
    return IssuedToken(token.id, secret, prefix, token.expires_at)


def _parse(secret: str) -> str:
    if not secret.startswith(TOKEN_PREFIX):
        raise InvalidToken("not an API token")
    prefix, sep, _ = secret[len(TOKEN_PREFIX) :].partition("_")
    if not sep or len(prefix) != 8:
        raise InvalidToken("malformed token")
    return prefix


def authenticate(session: Session, secret: str, required_scope: str) -> User:
    prefix = _parse(secret)
    token = session.scalars(select(ApiToken).where(ApiToken.prefix == prefix)).one_or_none()
    if token is None or not hmac.compare_digest(token.token_hash, _hash(secret)):
        raise InvalidToken("unknown token")
    now = _now()
    if token.expires_at is not None and token.expires_at < now:
        raise InvalidToken("token expired")
    if required_scope not in token.scopes.split():
        raise ScopeError(f"token lacks scope {required_scope!r}")
    token.last_used_at = now
    user = session.get(User, token.user_id)
    if user is None:
        raise InvalidToken("token owner no longer exists")
    return user


def revoke_token(session: Session, user: User, token_id: int) -> None:
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise TokenError("no such token")
    if token.revoked_at is None:
        token.revoked_at = _now()


def list_tokens(session: Session, user: User) -> list[ApiToken]:
    return list(
        session.scalars(
            select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc())
        )
    )
