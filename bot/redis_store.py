"""The review cache and the bot's state on Redis, shared by every worker of the redis backend.

Same meaning as reviewers.cache.DiskCache and bot.state.SqliteState (the tests run one set
of assertions against both); only the storage differs. Keys start with the configured
prefix, so one Redis can hold several bots. Cache values are the same JSON text DiskCache
stores (dump_hunk / load_hunk): never pickle.
"""

from __future__ import annotations

import redis
from redis.backoff import ExponentialBackoff
from redis.retry import Retry

from bot.settings import Settings
from bot.state import Spend, Suppressions
from reviewers.cache import CachedHunk, dump_hunk, load_hunk

SUPPRESSION_KINDS = ("fingerprint", "rule")


def redis_client(settings: Settings) -> redis.Redis:
    """A client for settings.redis_url; it connects on its first command, not here.

    The webhook must answer GitHub within 10 s, so a Redis that is down has to fail fast:
    redis-py's default retries back off for seconds, hence two quick retries only.
    """
    return redis.Redis.from_url(
        settings.redis_url,
        decode_responses=True,
        socket_connect_timeout=2.0,
        socket_timeout=5.0,
        retry=Retry(ExponentialBackoff(cap=0.2, base=0.05), 2),
        health_check_interval=30,
    )


class RedisCache:
    """reviewers.cache.ReviewCache on Redis; entries expire `ttl_seconds` after their write."""

    def __init__(self, client: redis.Redis, prefix: str, ttl_seconds: float) -> None:
        self.client = client
        self.prefix = prefix
        self.ttl_seconds = ttl_seconds

    def _key(self, key: str) -> str:
        return f"{self.prefix}cache:{key}"

    def get(self, key: str) -> CachedHunk | None:
        text = self.client.get(self._key(key))
        return None if text is None else load_hunk(str(text))

    def set(self, key: str, value: CachedHunk) -> None:
        self.client.set(self._key(key), dump_hunk(value), ex=int(self.ttl_seconds))

    def close(self) -> None:
        self.client.close()


class RedisState:
    """bot.state.StateStore on Redis: per repository, a hash of suppressions (field
    "kind:value", value = who), a set of paused PRs and a spend hash per PR."""

    def __init__(self, client: redis.Redis, prefix: str) -> None:
        self.client = client
        self.prefix = prefix

    def _key(self, kind: str, repo: str, pr: int | None = None) -> str:
        return f"{self.prefix}state:{kind}:{repo}" + ("" if pr is None else f"#{pr}")

    def suppress(self, repo: str, kind: str, value: str, by: str) -> None:
        if kind not in SUPPRESSION_KINDS:
            raise ValueError(f"unknown suppression kind {kind!r}")
        # HSETNX: the first to suppress is kept, like SqliteState's INSERT OR IGNORE.
        self.client.hsetnx(self._key("suppressed", repo), f"{kind}:{value}", by)

    def suppressions(self, repo: str) -> Suppressions:
        fields = self.client.hkeys(self._key("suppressed", repo))
        pairs = [str(field).split(":", 1) for field in fields]
        return Suppressions(
            fingerprints=frozenset(v for k, v in pairs if k == "fingerprint"),
            rules=frozenset(v for k, v in pairs if k == "rule"),
        )

    def set_paused(self, repo: str, pr: int, paused: bool) -> None:
        if paused:
            self.client.sadd(self._key("paused", repo), str(pr))
        else:
            self.client.srem(self._key("paused", repo), str(pr))

    def is_paused(self, repo: str, pr: int) -> bool:
        return bool(self.client.sismember(self._key("paused", repo), str(pr)))

    def add_spend(self, repo: str, pr: int, tokens: int, usd: float, saved_usd: float) -> None:
        key = self._key("spend", repo, pr)
        # MULTI/EXEC: two workers adding at once never lose an increment or half-apply one.
        with self.client.pipeline(transaction=True) as pipe:
            pipe.hincrby(key, "reviews", 1)
            pipe.hincrby(key, "tokens", tokens)
            pipe.hincrbyfloat(key, "usd", usd)
            pipe.hincrbyfloat(key, "saved_usd", saved_usd)
            pipe.execute()

    def spend(self, repo: str, pr: int) -> Spend:
        row = self.client.hgetall(self._key("spend", repo, pr))
        if not row:
            return Spend()
        return Spend(
            reviews=int(row["reviews"]),
            tokens=int(row["tokens"]),
            usd=float(row["usd"]),
            saved_usd=float(row["saved_usd"]),
        )

    def close(self) -> None:
        self.client.close()
