"""User storage."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass


@dataclass(frozen=True)
class User:
    id: int
    email: str
    password_hash: str
    active: bool


def find_user(db: sqlite3.Connection, email: str) -> User | None:
    row = db.execute(
        "SELECT id, email, password_hash, active FROM users WHERE email = ?",
        (email.lower(),),
    ).fetchone()
    if row is None:
        return None
    return User(row[0], row[1], row[2], bool(row[3]))
