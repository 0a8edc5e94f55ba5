"""Password login."""

from __future__ import annotations

import sqlite3

from accounts.store import find_user
from auth.hashing import verify_password


class LoginFailed(Exception):
    pass


def login(db: sqlite3.Connection, email: str, password: str) -> int:
    user = find_user(db, email)
    if not user.active or not verify_password(password, user.password_hash):
        raise LoginFailed(email)
    return user.id
