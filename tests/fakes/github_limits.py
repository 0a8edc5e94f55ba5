"""GitHub's rate limits in front of the fake GitHub: an ASGI wrapper, switchable per test.

Per installation (the installation of the request's token), as GitHub documents them
(docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api and
.../best-practices-for-using-the-rest-api):
  primary    `primary` requests per window (an installation: 5,000 an hour); every answer
             carries x-ratelimit-limit/-remaining/-used/-reset/-resource; past zero a 403
             with x-ratelimit-remaining: 0 and the reset time.
  secondary  writes (POST, PATCH, PUT, DELETE) one at a time and `write_gap` seconds apart
             (arrival to arrival); at most `points_per_minute` points a minute (a read 1,
             a write 5); at most `concurrency` requests at once. A refusal is a 403 "You
             have exceeded a secondary rate limit" with retry-after.
Every refusal is counted in `violations` by kind. GraphQL and the App's own (JWT) calls
pass through. Wrap the fake's app: ServerThread(GitHubLimits(fake.app, fake.state)).
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tests.fakes.github_auth import bearer
from tests.fakes.github_state import GitHubState

WRITES = frozenset({"POST", "PATCH", "PUT", "DELETE"})
SECONDARY = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."
)
PRIMARY = "API rate limit exceeded for installation."
DOCS = "https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api"


@dataclass
class Installation:
    """What one installation spent."""

    window_start: float = 0.0
    used: int = 0
    points: deque[tuple[float, int]] = field(default_factory=deque)
    in_flight: int = 0
    writing: bool = False
    last_write: float | None = None
    writes: list[float] = field(default_factory=list)  # arrival times of admitted writes


@dataclass(frozen=True, slots=True)
class Refusal:
    kind: str
    status: int
    message: str
    headers: dict[str, str]


class GitHubLimits:
    """The limits; `enabled` switches them off (then it only passes requests through)."""

    def __init__(
        self,
        app: ASGIApp,
        state: GitHubState,
        *,
        enabled: bool = True,
        primary: int = 5000,
        window_seconds: float = 3600.0,
        write_gap: float = 1.0,
        points_per_minute: int = 900,
        concurrency: int = 100,
        retry_after: int = 60,
        clock: Callable[[], float] = time.monotonic,
        epoch: Callable[[], float] = time.time,
    ) -> None:
        self.app = app
        self.state = state
        self.enabled = enabled
        self.primary = primary
        self.window_seconds = window_seconds
        self.write_gap = write_gap
        self.points_per_minute = points_per_minute
        self.concurrency = concurrency
        self.retry_after = retry_after
        self.clock = clock
        self.epoch = epoch
        self.violations: Counter[str] = Counter()
        self.installations: dict[int, Installation] = {}
        self._lock = threading.Lock()

    def reset(self) -> None:
        with self._lock:
            self.violations.clear()
            self.installations.clear()

    def writes_of(self, installation: int) -> list[float]:
        with self._lock:
            spent = self.installations.get(installation)
            return list(spent.writes) if spent else []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        installation = self._installation(scope) if self.enabled else None
        if installation is None:
            await self.app(scope, receive, send)
            return
        method = str(scope["method"])
        write = method in WRITES
        refusal, headers = self._admit(installation, write)
        if refusal is not None:
            await self._refuse(send, refusal)
            return

        finished = False

        def finish() -> None:
            nonlocal finished
            if not finished:
                finished = True
                self._done(installation, write)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [(k, v) for k, v in message["headers"] if not k.startswith(b"x-ratelimit-")]
                extra = [(k.encode(), v.encode()) for k, v in headers.items()]
                message = {**message, "headers": kept + extra}
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                finish()  # before the client can see the answer and send the next write
            await send(message)

        try:
            await self.app(scope, receive, with_headers)
        finally:
            finish()

    def _installation(self, scope: Scope) -> int | None:
        if scope["type"] != "http" or str(scope["path"]).endswith("/graphql"):
            return None
        authorization = dict(scope["headers"]).get(b"authorization", b"").decode()
        value = bearer(authorization)
        with self.state.lock:
            token = self.state.tokens.get(value) if value else None
        return token.installation_id if token is not None else None

    def _admit(self, installation: int, write: bool) -> tuple[Refusal | None, dict[str, str]]:
        now = self.clock()
        with self._lock:
            spent = self.installations.setdefault(installation, Installation(window_start=now))
            if now - spent.window_start >= self.window_seconds:
                spent.window_start, spent.used = now, 0
            reset = int(self.epoch() + self.window_seconds - (now - spent.window_start)) + 1
            refusal = self._check(spent, now, write, reset)
            if refusal is not None:
                self.violations[refusal.kind] += 1
                return refusal, {}
            spent.used += 1
            spent.points.append((now, 5 if write else 1))
            spent.in_flight += 1
            if write:
                spent.writing, spent.last_write = True, now
                spent.writes.append(now)
            return None, self._rate_headers(spent, reset)

    def _check(self, spent: Installation, now: float, write: bool, reset: int) -> Refusal | None:
        if spent.used >= self.primary:
            headers = {**self._rate_headers(spent, reset), "x-ratelimit-remaining": "0"}
            return Refusal("primary", 403, PRIMARY, headers)
        while spent.points and spent.points[0][0] <= now - 60:
            spent.points.popleft()
        retry = {"retry-after": str(self.retry_after)}
        if sum(p for _, p in spent.points) + (5 if write else 1) > self.points_per_minute:
            return Refusal("points", 403, SECONDARY, retry)
        if spent.in_flight >= self.concurrency:
            return Refusal("concurrency", 403, SECONDARY, retry)
        if write and spent.writing:
            return Refusal("concurrent_write", 403, SECONDARY, retry)
        if write and spent.last_write is not None and now - spent.last_write < self.write_gap:
            return Refusal("write_gap", 403, SECONDARY, retry)
        return None

    def _rate_headers(self, spent: Installation, reset: int) -> dict[str, str]:
        return {
            "x-ratelimit-limit": str(self.primary),
            "x-ratelimit-remaining": str(max(0, self.primary - spent.used)),
            "x-ratelimit-used": str(spent.used),
            "x-ratelimit-reset": str(reset),
            "x-ratelimit-resource": "core",
        }

    def _done(self, installation: int, write: bool) -> None:
        with self._lock:
            spent = self.installations[installation]
            spent.in_flight -= 1
            if write:
                spent.writing = False

    async def _refuse(self, send: Send, refusal: Refusal) -> None:
        body = json.dumps({"message": refusal.message, "documentation_url": DOCS}).encode()
        headers = [(b"content-type", b"application/json")]
        headers += [(k.encode(), v.encode()) for k, v in refusal.headers.items()]
        await send({"type": "http.response.start", "status": refusal.status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
