"""What the bot remembers per repository and PR: suppressions, pauses and spend.

The last reviewed commit is not kept here: it lives in a hidden marker in the bot's own
summary comment on the PR, so it survives the loss of this store.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

SCHEMA = """
CREATE TABLE IF NOT EXISTS suppressed (
    repo TEXT NOT NULL, kind TEXT NOT NULL, value TEXT NOT NULL, by TEXT NOT NULL,
    PRIMARY KEY (repo, kind, value));
CREATE TABLE IF NOT EXISTS paused (repo TEXT NOT NULL, pr INTEGER NOT NULL,
    PRIMARY KEY (repo, pr));
CREATE TABLE IF NOT EXISTS spend (repo TEXT NOT NULL, pr INTEGER NOT NULL,
    reviews INTEGER NOT NULL, tokens INTEGER NOT NULL, usd REAL NOT NULL,
    saved_usd REAL NOT NULL, PRIMARY KEY (repo, pr));
"""


@dataclass(frozen=True, slots=True)
class Spend:
    reviews: int = 0
    tokens: int = 0
    usd: float = 0.0
    saved_usd: float = 0.0


@dataclass(frozen=True, slots=True)
class Suppressions:
    fingerprints: frozenset[str] = frozenset()
    rules: frozenset[str] = frozenset()


class StateStore(Protocol):
    def suppress(self, repo: str, kind: str, value: str, by: str) -> None: ...
    def suppressions(self, repo: str) -> Suppressions: ...
    def set_paused(self, repo: str, pr: int, paused: bool) -> None: ...
    def is_paused(self, repo: str, pr: int) -> bool: ...
    def add_spend(self, repo: str, pr: int, tokens: int, usd: float, saved_usd: float) -> None: ...
    def spend(self, repo: str, pr: int) -> Spend: ...


class SqliteState:
    """The embedded default: one SQLite file beside the job queue."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None

    def open(self) -> SqliteState:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.executescript(SCHEMA)
        return self

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        if self._conn is None:
            raise RuntimeError(f"state store {self.path} is not open")
        with self._lock:
            yield self._conn

    def suppress(self, repo: str, kind: str, value: str, by: str) -> None:
        if kind not in ("fingerprint", "rule"):
            raise ValueError(f"unknown suppression kind {kind!r}")
        with self._db() as db:
            db.execute(
                "INSERT OR IGNORE INTO suppressed VALUES (?, ?, ?, ?)", (repo, kind, value, by)
            )

    def suppressions(self, repo: str) -> Suppressions:
        with self._db() as db:
            rows = db.execute(
                "SELECT kind, value FROM suppressed WHERE repo = ?", (repo,)
            ).fetchall()
        return Suppressions(
            fingerprints=frozenset(v for k, v in rows if k == "fingerprint"),
            rules=frozenset(v for k, v in rows if k == "rule"),
        )

    def set_paused(self, repo: str, pr: int, paused: bool) -> None:
        with self._db() as db:
            if paused:
                db.execute("INSERT OR IGNORE INTO paused VALUES (?, ?)", (repo, pr))
            else:
                db.execute("DELETE FROM paused WHERE repo = ? AND pr = ?", (repo, pr))

    def is_paused(self, repo: str, pr: int) -> bool:
        with self._db() as db:
            row = db.execute(
                "SELECT 1 FROM paused WHERE repo = ? AND pr = ?", (repo, pr)
            ).fetchone()
        return row is not None

    def add_spend(self, repo: str, pr: int, tokens: int, usd: float, saved_usd: float) -> None:
        with self._db() as db:
            db.execute(
                "INSERT INTO spend VALUES (?, ?, 1, ?, ?, ?) ON CONFLICT (repo, pr) DO UPDATE SET "
                "reviews = reviews + 1, tokens = tokens + excluded.tokens, "
                "usd = usd + excluded.usd, saved_usd = saved_usd + excluded.saved_usd",
                (repo, pr, tokens, usd, saved_usd),
            )

    def spend(self, repo: str, pr: int) -> Spend:
        with self._db() as db:
            row = db.execute(
                "SELECT reviews, tokens, usd, saved_usd FROM spend WHERE repo = ? AND pr = ?",
                (repo, pr),
            ).fetchone()
        return Spend(*row) if row else Spend()
