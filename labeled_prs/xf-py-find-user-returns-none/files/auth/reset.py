"""Password reset e-mails."""

from __future__ import annotations

import secrets
import sqlite3

from accounts.store import find_user
from auth.mail import send_reset_mail


def request_reset(db: sqlite3.Connection, email: str) -> None:
    """Always answers the same way, so nobody can probe which addresses exist."""
    user = find_user(db, email)
    if user is None:
        return
    token = secrets.token_urlsafe(32)
    db.execute("INSERT INTO resets (user_id, token) VALUES (?, ?)", (user.id, token))
    send_reset_mail(user.email, token)
