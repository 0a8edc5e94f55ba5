"""Signup form helpers."""

from __future__ import annotations

import sqlite3

from accounts.store import find_user


def email_available(db: sqlite3.Connection, email: str) -> bool:
    return find_user(db, email) is None
