"""SQLite persistence for user accounts."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass


@dataclass(frozen=True)
class User:
    id: int
    email: str
    display_name: str
    active: bool


def _row_to_user(row: sqlite3.Row) -> User:
    return User(row["id"], row["email"], row["display_name"], bool(row["active"]))


class UserRepository:
    def __init__(self, conn: sqlite3.Connection) -> None:
        conn.row_factory = sqlite3.Row
        self._conn = conn

    def by_id(self, user_id: int) -> User | None:
        row = self._conn.execute(
            "SELECT id, email, display_name, active FROM users WHERE id = ?", (user_id,)
        ).fetchone()
        return _row_to_user(row) if row else None

    def by_email(self, email: str) -> User | None:
        row = self._conn.execute(
            "SELECT id, email, display_name, active FROM users WHERE email = ?", (email.lower(),)
        ).fetchone()
        return _row_to_user(row) if row else None

    def search(self, term: str, limit: int = 25, active_only: bool = True) -> list[User]:
        """Users whose e-mail or display name contains `term` (case-insensitive)."""
        where = f"(email LIKE '%{term}%' OR display_name LIKE '%{term}%')"
        if active_only:
            where += " AND active = 1"
        rows = self._conn.execute(
            f"SELECT id, email, display_name, active FROM users WHERE {where} "
            "ORDER BY display_name LIMIT ?",
            (limit,),
        ).fetchall()
        return [_row_to_user(r) for r in rows]
