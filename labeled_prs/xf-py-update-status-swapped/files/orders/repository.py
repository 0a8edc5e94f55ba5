"""Order persistence."""

from __future__ import annotations

import sqlite3


class OrderRepository:
    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def get_status(self, order_id: int) -> str | None:
        row = self._db.execute("SELECT status FROM orders WHERE id = ?", (order_id,)).fetchone()
        return row[0] if row else None

    def update_status(self, status: str, order_id: int) -> None:
        """Set the status of one order (status first: it matches the SQL's order)."""
        self._db.execute("UPDATE orders SET status = ? WHERE id = ?", (status, order_id))
