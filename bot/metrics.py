"""Prometheus metrics of one app: deliveries, jobs, reviews, findings, model calls, tokens and $.

create_app builds one Metrics (its own CollectorRegistry, never the library's global one)
and serves it at GET /metrics. The job runner makes it the active Metrics while a job runs
(`recording`), so the review code records into it without every constructor on the way
having to carry it; outside a job nothing is recorded.

Label values are bounded: event names outside KNOWN_EVENTS become "other" (a request's
headers are not trusted before its signature is checked), routes, categories and outcomes
are enums, and models are the configured ones.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import replace
from typing import Final, Literal

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from reviewers.llm.base import (
    LLM,
    Completion,
    CompletionRequest,
    LLMError,
    LLMRejected,
    LLMUnavailable,
)
from reviewers.models import Review, Route
from reviewers.review import Models

log = logging.getLogger(__name__)

DeliveryOutcome = Literal[
    "queued", "duplicate", "ping", "too_large", "bad_signature", "bad_delivery", "queue_unavailable"
]
JobOutcome = Literal["completed", "failed", "retry"]

KNOWN_EVENTS: Final = frozenset(
    {
        "ping",
        "pull_request",
        "pull_request_review",
        "pull_request_review_comment",
        "pull_request_review_thread",
        "issue_comment",
        "installation",
        "installation_repositories",
        "installation_target",
        "check_run",
        "check_suite",
        "push",
        "github_app_authorization",
        "meta",
    }
)
JOB_BUCKETS: Final = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0)
MODEL_BUCKETS: Final = (0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 40.0, 80.0, 160.0)
TOKEN_KINDS: Final = ("input", "output", "cache_read", "cache_write")


def event_label(name: str | None) -> str:
    return name if name in KNOWN_EVENTS else "other"


class Metrics:
    """Every metric prbot exports, registered on one registry."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        r = self.registry = registry if registry is not None else CollectorRegistry()
        self.deliveries = Counter(
            "prbot_deliveries", "Webhook deliveries received.", ("event", "outcome"), registry=r
        )
        self.job_seconds = Histogram(
            "prbot_job_seconds",
            "Time spent handling one job.",
            ("event", "outcome"),
            buckets=JOB_BUCKETS,
            registry=r,
        )
        self.job_failures = Counter(
            "prbot_job_failures", "Jobs whose handler raised.", ("event", "retry"), registry=r
        )
        self.reviews = Counter(
            "prbot_reviews",
            "Pull request reviews completed; partial when a hunk meant for a model was not.",
            ("coverage",),
            registry=r,
        )
        self.findings = Counter(
            "prbot_findings", "Findings in completed reviews.", ("route", "category"), registry=r
        )
        self.unreviewed = Counter(
            "prbot_unreviewed",
            "Files or hunks meant for a model left unreviewed.",
            ("route",),
            registry=r,
        )
        self.tokens = Counter(
            "prbot_model_tokens", "Model tokens spent.", ("model", "kind"), registry=r
        )
        self.cost = Counter("prbot_model_cost_usd", "Model spend in USD.", ("model",), registry=r)
        self.cache_hits = Counter(
            "prbot_cache_hits", "Hunks answered from the review cache.", ("route",), registry=r
        )
        self.cache_saved = Counter(
            "prbot_cache_saved_usd",
            "What the cache hits cost when first judged.",
            ("route",),
            registry=r,
        )
        self.model_calls = Counter(
            "prbot_model_calls",
            "Model calls, SDK retries included.",
            ("route", "outcome"),
            registry=r,
        )
        self.model_seconds = Histogram(
            "prbot_model_call_seconds",
            "Model call latency, SDK retries included.",
            ("route",),
            buckets=MODEL_BUCKETS,
            registry=r,
        )
        self.dropped = Counter(
            "prbot_model_answers_dropped",
            "Model answers or findings that failed the schema.",
            registry=r,
        )

    def delivery(self, event: str | None, outcome: DeliveryOutcome) -> None:
        self.deliveries.labels(event_label(event), outcome).inc()

    def job_finished(self, event: str, outcome: JobOutcome, seconds: float) -> None:
        self.job_seconds.labels(event_label(event), outcome).observe(seconds)
        if outcome != "completed":
            retry = "true" if outcome == "retry" else "false"
            self.job_failures.labels(event_label(event), retry).inc()

    def model_call(self, route: Route, outcome: str, seconds: float) -> None:
        self.model_calls.labels(route.value, outcome).inc()
        self.model_seconds.labels(route.value).observe(seconds)

    def review_done(self, review: Review) -> None:
        """Findings, coverage, tokens, $ and cache hits of one finished review."""
        for finding in review.findings:
            self.findings.labels(finding.route.value, finding.category.value).inc()
        missed = [u for u in review.coverage.unreviewed if u.route is not Route.SKIP]
        for item in missed:
            self.unreviewed.labels(item.route.value).inc()
        self.reviews.labels("partial" if missed else "complete").inc()
        for usage in review.usage:
            t = usage.tokens
            amounts = (t.input_tokens, t.output_tokens, t.cache_read_tokens, t.cache_write_tokens)
            for kind, amount in zip(TOKEN_KINDS, amounts, strict=True):
                self.tokens.labels(usage.model, kind).inc(amount)
            self.cost.labels(usage.model).inc(usage.cost_usd)
            self.cache_hits.labels(usage.route.value).inc(usage.cache_hits)
            self.cache_saved.labels(usage.route.value).inc(usage.saved_usd)
        self.dropped.inc(review.dropped_outputs)

    def watch_queue(
        self, depth: Callable[[], int], errors: tuple[type[Exception], ...] = ()
    ) -> None:
        """Export the queue's depth, read on each scrape."""
        self.registry.register(QueueCollector(depth, errors))

    def exposition(self) -> bytes:
        """The registry in the Prometheus text format (reads the queue: call off the loop)."""
        return generate_latest(self.registry)


class QueueCollector(Collector):
    """prbot_queue_depth (jobs queued or running) and prbot_queue_up, read at scrape time."""

    def __init__(self, depth: Callable[[], int], errors: tuple[type[Exception], ...]) -> None:
        self.depth = depth
        self.errors = errors

    def describe(self) -> Iterable[Metric]:
        # Without this the registry would call collect() (and the queue) on register().
        return [
            GaugeMetricFamily("prbot_queue_depth", "Jobs queued or running."),
            GaugeMetricFamily("prbot_queue_up", "1 when the queue's storage answered."),
        ]

    def collect(self) -> Iterable[Metric]:
        try:
            depth = self.depth()
        except self.errors:
            yield GaugeMetricFamily("prbot_queue_up", "1 when the queue's storage answered.", 0)
            return
        yield GaugeMetricFamily("prbot_queue_depth", "Jobs queued or running.", depth)
        yield GaugeMetricFamily("prbot_queue_up", "1 when the queue's storage answered.", 1)


_active: ContextVar[Metrics | None] = ContextVar("prbot_metrics", default=None)


@contextmanager
def recording(metrics: Metrics | None) -> Iterator[None]:
    """Make `metrics` the active Metrics inside the block (the job runner, around a job)."""
    token = _active.set(metrics)
    try:
        yield
    finally:
        _active.reset(token)


def active_metrics() -> Metrics | None:
    return _active.get()


def call_outcome(error: LLMError) -> str:
    if isinstance(error, LLMUnavailable):
        return "unavailable"
    if isinstance(error, LLMRejected):
        return "rejected"
    return "error"


class ObservedLLM:
    """An LLM whose failed calls are logged and whose calls are counted (with `metrics`)."""

    def __init__(self, inner: LLM, route: Route, metrics: Metrics | None) -> None:
        self.inner = inner
        self.route = route
        self.metrics = metrics

    @property
    def model_id(self) -> str:
        return self.inner.model_id

    async def complete(self, request: CompletionRequest) -> Completion:
        started = time.perf_counter()
        try:
            completion = await self.inner.complete(request)
        except LLMError as error:
            outcome = call_outcome(error)
            # The review goes on without this call's hunks; they are listed as unreviewed.
            log.warning(
                "%s model %s %s: %s", self.route.value, self.model_id, outcome, describe(error)
            )
            self.count(outcome, started)
            raise
        self.count("ok", started)
        return completion

    def count(self, outcome: str, started: float) -> None:
        if self.metrics is not None:
            self.metrics.model_call(self.route, outcome, time.perf_counter() - started)


def describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:500]


def observed_models(models: Models, metrics: Metrics | None) -> Models:
    """The same roles, each failed call logged and, with `metrics`, each call counted."""
    small = ObservedLLM(models.small, Route.SMALL, metrics) if models.small else None
    frontier = ObservedLLM(models.frontier, Route.FRONTIER, metrics) if models.frontier else None
    return replace(models, small=small, frontier=frontier)
