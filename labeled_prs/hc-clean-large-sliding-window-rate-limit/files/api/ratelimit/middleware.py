"""Starlette middleware applying the sliding-window limiter per client IP."""

from __future__ import annotations

from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp

from api.ratelimit.window import SlidingWindowLimiter


class RateLimitMiddleware(BaseHTTPMiddleware):
    def __init__(
        self, app: ASGIApp, limiter: SlidingWindowLimiter, exempt: frozenset[str] = frozenset()
    ) -> None:
        super().__init__(app)
        self._limiter = limiter
        self._exempt = exempt

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        if request.url.path in self._exempt:
            return await call_next(request)
        client = request.client.host if request.client else "unknown"
        decision = self._limiter.hit(client)
        if not decision.allowed:
            return JSONResponse(
                {"error": "rate limit exceeded"},
                status_code=429,
                headers={"Retry-After": str(int(decision.retry_after) or 1)},
            )
        response = await call_next(request)
        response.headers["X-RateLimit-Remaining"] = str(decision.remaining)
        return response
