"""reader command line."""

from __future__ import annotations

import argparse
import asyncio
import logging


async def _serve(port: int) -> None:
    from reader.web import serve

    await serve(port)


async def _poll(concurrency: int) -> int:
    import asyncpg
    import httpx

    from feeds.fetcher import FeedFetcher
    from feeds.store import FeedStore
    from reader.settings import database_url

    async with asyncpg.create_pool(database_url()) as pool, httpx.AsyncClient() as client:
        store = FeedStore(pool)
        fetcher = FeedFetcher(client, store, concurrency=concurrency)
        results = await fetcher.fetch_all(await store.active_subscriptions())
    failed = sum(1 for r in results if r.error)
    new = sum(r.new_entries for r in results)
    logging.getLogger("reader").info(
        "polled %d feeds: %d new entries, %d failed", len(results), new, failed
    )
    return 1 if results and failed == len(results) else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="reader")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve")
    serve.add_argument("--port", type=int, default=8080)
    poll = sub.add_parser("poll", help="fetch all active feeds once")
    poll.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    if args.command == "serve":
        asyncio.run(_serve(args.port))
    elif args.command == "poll":
        return asyncio.run(_poll(args.concurrency))
    return 0
