"""The HTTP app: POST /webhook verifies, parses and enqueues (202), workers run the jobs.

Nothing slow happens on the request path: no GitHub or model call, one SQLite insert.
GitHub cuts a delivery off after 10 s and never redelivers on its own, so the ack must
be fast, and the job must be on disk before the 202.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

from bot.backends import sqlite_queue
from bot.events import Event, PayloadError
from bot.jobs import Handle, JobQueue, QueueError, cancels_queued, job_for
from bot.jobs_workers import WorkerPool
from bot.metrics import DeliveryOutcome, Metrics
from bot.openapi import (
    METRICS_CONTENT_TYPE,
    METRICS_RESPONSES,
    READY_RESPONSES,
    WEBHOOK_OPERATION,
    WEBHOOK_RESPONSES,
)
from bot.settings import ConfigError, Settings
from bot.webhook import BadDelivery, SignatureError, parse_event, verify_signature

log = logging.getLogger(__name__)

UNSIGNED_WARNING = (
    "UNSIGNED WEBHOOKS ACCEPTED: no webhook secret is set and allow_unsigned_dev is on. "
    "Anyone who can reach this server can enqueue work. Never run this way in production."
)


PARSE_ON_LOOP_BYTES = 256 * 1024  # GitHub's payloads are mostly under 100 KB


class BodyTooLarge(ValueError):
    """The request body is larger than max_body_bytes."""


def webhook_secret(settings: Settings) -> bytes | None:
    """The secret as bytes; None only in explicit unsigned dev mode, else ConfigError."""
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else ""
    if secret:
        return secret.encode()
    if settings.allow_unsigned_dev:
        return None
    raise ConfigError(
        "no webhook secret: set PRBOT_WEBHOOK_SECRET (the App's webhook secret), or "
        "PRBOT_ALLOW_UNSIGNED_DEV=true for local development only"
    )


def error(status: int, code: str, detail: str) -> JSONResponse:
    return JSONResponse({"error": code, "detail": detail}, status_code=status)


async def read_body(request: Request, limit: int) -> bytes:
    """The raw body, read no further than `limit` bytes; BodyTooLarge past it."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit:
        raise BodyTooLarge(f"Content-Length {length} exceeds the {limit}-byte limit")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(f"body exceeds the {limit}-byte limit")
        chunks.append(chunk)
    return b"".join(chunks)


class Intake:
    """POST /webhook: size cap -> HMAC -> parse -> ping or enqueue."""

    def __init__(
        self,
        secret: bytes | None,
        queue: JobQueue,
        max_body_bytes: int,
        metrics: Metrics | None = None,
    ) -> None:
        self.secret = secret
        self.queue = queue
        self.max_body_bytes = max_body_bytes
        self.metrics = metrics or Metrics()

    async def receive(self, request: Request) -> JSONResponse:
        # The event header is only a label until the signature is checked (bounded there).
        event_name = request.headers.get("x-github-event")
        response, outcome = await self.answer(request)
        self.metrics.delivery(event_name, outcome)
        return response

    async def answer(self, request: Request) -> tuple[JSONResponse, DeliveryOutcome]:
        try:
            body = await read_body(request, self.max_body_bytes)
        except BodyTooLarge as too_large:
            return error(413, "too_large", str(too_large)), "too_large"
        if self.secret is not None:
            try:
                verify_signature(self.secret, body, request.headers.get("x-hub-signature-256"))
            except SignatureError as bad:
                return error(401, "bad_signature", str(bad)), "bad_signature"
        try:
            event = await self.parse(request, body)
            if self.secret is None:
                log.warning("UNSIGNED delivery %s accepted (allow_unsigned_dev)", event.delivery_id)
            if event.name == "ping":
                return JSONResponse({"pong": True, "delivery": event.delivery_id}), "ping"
            job = job_for(event)
        except (BadDelivery, PayloadError) as bad:
            return error(400, "bad_delivery", str(bad)), "bad_delivery"
        try:
            if cancels_queued(event) and job.key is not None:
                await asyncio.to_thread(self.queue.cancel_key, job.key)
            queued = await asyncio.to_thread(self.queue.enqueue, job)
        except QueueError as down:
            log.error("delivery %s not queued: %s", event.delivery_id, down)
            return error(503, "queue_unavailable", str(down)), "queue_unavailable"
        if not queued:
            log.info("delivery %s seen before: not queued again", event.delivery_id)
            seen = {"queued": False, "duplicate": True, "delivery": event.delivery_id}
            return JSONResponse(seen, 202), "duplicate"
        return JSONResponse({"queued": True, "delivery": event.delivery_id}, 202), "queued"

    async def parse(self, request: Request, body: bytes) -> Event:
        # Parsing (and bounding the nesting of) a body of many megabytes takes ~80 ms per
        # MB: off the loop, so the acks of other deliveries do not wait behind it.
        if len(body) > PARSE_ON_LOOP_BYTES:
            return await asyncio.to_thread(parse_event, request.headers, body)
        return parse_event(request.headers, body)


def create_app(
    settings: Settings,
    handle: Handle | None = None,
    queue: JobQueue | None = None,
    metrics: Metrics | None = None,
) -> FastAPI:
    """The webhook app. Without `handle`, no workers run: jobs wait for another process.
    A queue passed in is used as is (its owner opens and closes it); otherwise the app
    opens SQLite at settings.jobs_path on startup and closes it on shutdown. Its metrics
    live in a registry of their own (new unless `metrics` is given), served at /metrics."""
    secret = webhook_secret(settings)
    metrics = metrics or Metrics()
    owned = None
    if queue is None:
        queue = owned = sqlite_queue(settings)
    metrics.watch_queue(queue.depth, (QueueError,))
    intake = Intake(secret, queue, settings.max_body_bytes, metrics)
    # The workers run on a loop of their own: a review never stalls this loop's acks.
    workers = WorkerPool(
        queue,
        handle,
        settings.workers,
        lease_seconds=settings.job_lease_seconds,
        poll_interval=settings.job_poll_seconds,
        grace=settings.shutdown_grace_seconds,
        metrics=metrics,
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if secret is None:
            log.warning(UNSIGNED_WARNING)
        if owned is not None:
            await asyncio.to_thread(owned.open)
        # Everything loaded so far (FastAPI, pydantic, both model SDKs: ~220,000 objects)
        # lives as long as the process. Frozen, a full GC pass skips them: unfrozen, each
        # pass stalled the event loop ~150 ms, and the acks queued behind it.
        gc.freeze()
        workers.start()
        try:
            yield
        finally:
            await asyncio.to_thread(workers.stop)
            if owned is not None:
                owned.close()

    app = FastAPI(title="prbot", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.add_api_route(
        "/webhook",
        intake.receive,
        methods=["POST"],
        status_code=202,
        summary="Receive one GitHub webhook delivery",
        responses=WEBHOOK_RESPONSES,
        openapi_extra=WEBHOOK_OPERATION,
    )

    @app.get("/healthz", summary="The process is up")
    async def healthz() -> dict[str, bool]:
        return {"ok": True}

    @app.get(
        "/metrics",
        summary="Prometheus metrics",
        response_class=Response,
        responses=METRICS_RESPONSES,
    )
    async def metrics_endpoint() -> Response:
        # Off the loop: the scrape reads the queue's depth from its storage.
        body = await asyncio.to_thread(metrics.exposition)
        return Response(body, media_type=METRICS_CONTENT_TYPE)

    @app.get("/readyz", summary="The queue answers and the workers run", responses=READY_RESPONSES)
    async def readyz() -> JSONResponse:
        try:
            depth = await asyncio.to_thread(queue.depth)
        except QueueError as down:
            return JSONResponse({"ready": False, "error": str(down)}, 503)
        if workers.dead():
            return JSONResponse({"ready": False, "error": f"{workers.dead()} worker(s) died"}, 503)
        return JSONResponse({"ready": True, "depth": depth, "workers": len(workers.tasks)})

    return app
