"""API application."""

from __future__ import annotations

import redis
from starlette.applications import Starlette
from starlette.middleware.proxy_headers import ProxyHeadersMiddleware

from api.ratelimit.middleware import RateLimitMiddleware
from api.ratelimit.window import SlidingWindowLimiter
from api.routes import routes


def create_app(settings) -> Starlette:
    app = Starlette(routes=routes)
    limiter = SlidingWindowLimiter(
        redis.Redis.from_url(settings.redis_url),
        limit=settings.rate_limit,
        window=settings.rate_window,
    )
    # Middleware added last runs first: proxy headers must be resolved before limiting.
    app.add_middleware(
        RateLimitMiddleware, limiter=limiter, exempt=frozenset({"/healthz", "/readyz"})
    )
    app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
    return app
