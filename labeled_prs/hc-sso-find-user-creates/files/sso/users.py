"""User lookups for the SSO callback."""

from __future__ import annotations

from sso.db import Database
from sso.models import User


def find_user_by_email(db: Database, email: str, name: str = "") -> User:
    user = db.users.get_by_email(email.lower())
    if user is None:
        user = User(email=email.lower(), display_name=name or email.split("@")[0])
        db.users.insert(user)
        db.audit.record("user.created", user.email, source="sso")
    return user
