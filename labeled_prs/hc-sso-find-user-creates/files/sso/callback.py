"""SSO callback."""

from __future__ import annotations

from sso.db import Database
from sso.http import Request, Response
from sso.oidc import exchange_code
from sso.users import find_user_by_email


def callback(request: Request, db: Database) -> Response:
    claims = exchange_code(request.query["code"])
    user = find_user_by_email(db, claims["email"], claims.get("name", ""))
    return Response.login(user)
