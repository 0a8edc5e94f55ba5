"""Persistence for subscriptions and entries (asyncpg)."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg


@dataclass(frozen=True)
class Subscription:
    id: int
    url: str
    etag: str | None
    last_modified: str | None


class FeedStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def active_subscriptions(self) -> list[Subscription]:
        rows = await self._pool.fetch(
            "SELECT id, url, etag, last_modified FROM subscriptions WHERE active"
        )
        return [Subscription(r["id"], r["url"], r["etag"], r["last_modified"]) for r in rows]

    async def known_entry_ids(self, subscription_id: int) -> set[str]:
        rows = await self._pool.fetch(
            "SELECT entry_id FROM entries WHERE subscription_id = $1", subscription_id
        )
        return {r["entry_id"] for r in rows}

    async def save_entries(self, subscription_id: int, entries: list) -> None:
        await self._pool.executemany(
            "INSERT INTO entries (subscription_id, entry_id, title, link, published) "
            "VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            [(subscription_id, e.id, e.title, e.link, e.published) for e in entries],
        )

    async def touch(self, subscription_id: int, when) -> None:
        await self._pool.execute(
            "UPDATE subscriptions SET checked_at = $2, error = NULL WHERE id = $1",
            subscription_id,
            when,
        )

    async def mark_error(self, subscription_id: int, error: str) -> None:
        await self._pool.execute(
            "UPDATE subscriptions SET checked_at = now(), error = $2, "
            "error_count = error_count + 1 WHERE id = $1",
            subscription_id,
            error[:500],
        )

    async def deactivate(self, subscription_id: int, reason: str) -> None:
        await self._pool.execute(
            "UPDATE subscriptions SET active = false, error = $2 WHERE id = $1",
            subscription_id,
            reason,
        )

    async def update_validators(
        self, subscription_id: int, etag: str | None, last_modified: str | None, title: str
    ) -> None:
        await self._pool.execute(
            "UPDATE subscriptions SET etag = $2, last_modified = $3, title = $4, "
            "checked_at = now(), error = NULL, error_count = 0 WHERE id = $1",
            subscription_id,
            etag,
            last_modified,
            title,
        )
