"""App authentication in the fake GitHub: RS256 JWTs, installation tokens, token checks."""

from __future__ import annotations

import secrets
import time
from datetime import UTC, datetime

import jwt

from tests.fakes.github_state import ApiError, FakeApp, FakeToken, GitHubState

MAX_JWT_LIFETIME = 600  # GitHub: exp at most 10 minutes after iat


def bearer(authorization: str | None) -> str | None:
    """The credential of `Authorization: token X` or `Authorization: Bearer X`."""
    if not authorization:
        return None
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() not in ("token", "bearer") or not value.strip():
        return None
    return value.strip()


def verify_app_jwt(state: GitHubState, authorization: str | None) -> FakeApp:
    """The App whose key signed the JWT; refuse anything else, or a JWT living > 600 s."""
    token = bearer(authorization)
    if token is None:
        raise ApiError(401, "A JSON web token could not be decoded")
    try:
        issuer = str(jwt.decode(token, options={"verify_signature": False}).get("iss"))
    except jwt.PyJWTError as err:
        raise ApiError(401, "A JSON web token could not be decoded") from err
    app = next((a for a in state.apps() if issuer in (str(a.id), a.client_id)), None)
    if app is None:
        raise ApiError(401, "'Issuer' claim ('iss') must be an Integer")
    try:
        claims = jwt.decode(
            token,
            app.public_key_pem,
            algorithms=["RS256"],
            options={"require": ["iat", "exp", "iss"], "verify_iss": False},
            leeway=60,
        )
    except jwt.ExpiredSignatureError as err:
        raise ApiError(401, "'Expiration time' claim ('exp') must be a future time") from err
    except jwt.PyJWTError as err:
        raise ApiError(401, "A JSON web token could not be decoded") from err
    if int(claims["exp"]) - int(claims["iat"]) > MAX_JWT_LIFETIME:
        raise ApiError(401, "'Expiration time' claim ('exp') is too far in the future")
    return app


def issue_installation_token(state: GitHubState, installation_id: int, app: FakeApp) -> FakeToken:
    """A token for one of `app`'s installations (another App's installation: 404)."""
    installation = state.installations.get(installation_id)
    if installation is None or (installation.app_id or state.app_id) != app.id:
        raise ApiError(404, "Not Found")
    token = FakeToken(
        token="ghs_" + secrets.token_hex(18),
        installation_id=installation_id,
        login=app.login,
        expires_at=time.time() + state.token_ttl,
        app_id=app.id,
    )
    state.tokens[token.token] = token
    return token


def check_token(state: GitHubState, authorization: str | None) -> FakeToken:
    """The caller's token, or 401 "Bad credentials" when unknown, revoked or expired."""
    value = bearer(authorization)
    token = state.tokens.get(value) if value else None
    if token is None:
        if value is None:
            raise ApiError(401, "Requires authentication")
        raise ApiError(401, "Bad credentials")
    expired = token.expires_at is not None and token.expires_at <= time.time()
    if token.revoked or expired:
        raise ApiError(401, "Bad credentials")
    return token


def check_repo_access(state: GitHubState, token: FakeToken, owner: str, name: str) -> None:
    """An installation token only sees its installation's repositories (else 404)."""
    repo = state.repos.get(f"{owner}/{name}".lower())
    if repo is None:
        raise ApiError(404, "Not Found")
    if token.installation_id is not None and token.installation_id not in repo.installations():
        raise ApiError(404, "Not Found")


def iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
