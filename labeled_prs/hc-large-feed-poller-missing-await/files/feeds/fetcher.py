"""Fetch RSS/Atom feeds concurrently and store new entries."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timezone

import httpx

from feeds.parser import FeedParseError, parse_feed
from feeds.store import FeedStore, Subscription

log = logging.getLogger(__name__)

USER_AGENT = "acme-reader/2.3 (+https://reader.example.com/bot)"


@dataclass(frozen=True)
class FetchResult:
    subscription_id: int
    status: int
    new_entries: int
    error: str | None = None


class FeedFetcher:
    """Polls subscriptions with conditional GETs, at most `concurrency` at a time."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        store: FeedStore,
        concurrency: int = 16,
        timeout: float = 20.0,
    ) -> None:
        self._client = client
        self._store = store
        self._semaphore = asyncio.Semaphore(concurrency)
        self._timeout = timeout

    async def fetch_all(self, subscriptions: list[Subscription]) -> list[FetchResult]:
        tasks = [self._fetch_one(sub) for sub in subscriptions]
        return await asyncio.gather(*tasks)

    async def _fetch_one(self, sub: Subscription) -> FetchResult:
        async with self._semaphore:
            headers = {"User-Agent": USER_AGENT}
            if sub.etag:
                headers["If-None-Match"] = sub.etag
            if sub.last_modified:
                headers["If-Modified-Since"] = sub.last_modified
            try:
                response = await self._client.get(
                    sub.url, headers=headers, timeout=self._timeout, follow_redirects=True
                )
            except httpx.HTTPError as exc:
                log.info("fetch failed for %s: %s", sub.url, exc)
                await self._store.mark_error(sub.id, str(exc))
                return FetchResult(sub.id, 0, 0, str(exc))
            return await self._handle_response(sub, response)

    async def _handle_response(self, sub: Subscription, response: httpx.Response) -> FetchResult:
        if response.status_code == 304:
            await self._store.touch(sub.id, datetime.now(timezone.utc))
            return FetchResult(sub.id, 304, 0)
        if response.status_code == 410:
            await self._store.deactivate(sub.id, "gone")
            return FetchResult(sub.id, 410, 0, "gone")
        if response.status_code >= 400:
            error = f"HTTP {response.status_code}"
            await self._store.mark_error(sub.id, error)
            return FetchResult(sub.id, response.status_code, 0, error)
        try:
            feed = parse_feed(response.content, base_url=str(response.url))
        except FeedParseError as exc:
            await self._store.mark_error(sub.id, f"parse error: {exc}")
            return FetchResult(sub.id, response.status_code, 0, str(exc))
        known = await self._store.known_entry_ids(sub.id)
        new = [e for e in feed.entries if e.id not in known]
        if new:
            self._store.save_entries(sub.id, new)
        await self._store.update_validators(
            sub.id,
            etag=response.headers.get("ETag"),
            last_modified=response.headers.get("Last-Modified"),
            title=feed.title,
        )
        return FetchResult(sub.id, response.status_code, len(new))
