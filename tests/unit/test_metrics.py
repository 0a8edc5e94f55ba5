"""Prometheus metrics: what a review, a job, a model call and a delivery add, and GET /metrics."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr

from bot.app import create_app
from bot.jobs import QueueError
from bot.jobs_sqlite import SqliteJobQueue
from bot.metrics import Metrics, ObservedLLM, active_metrics, event_label, recording
from bot.settings import Settings
from reviewers.llm.base import (
    Completion,
    CompletionRequest,
    LLMError,
    LLMRejected,
    LLMUnavailable,
)
from reviewers.models import (
    Category,
    Coverage,
    Finding,
    Review,
    ReviewComment,
    Route,
    Severity,
    Side,
    TokenUsage,
    Unreviewed,
    Usage,
)
from tests.fakes import webhook_sender as gh
from tests.fakes.servers import serve
from tests.fakes.webhook_sender import WebhookSender

SECRET = b"metrics-test-secret"


def finding(route: Route, category: Category, line: int = 3) -> Finding:
    return Finding(
        "a.py", Side.RIGHT, line, line, category, Severity.HIGH, 0.9, "t", "b", route, "m"
    )


def sample_review() -> Review:
    comments = tuple(
        ReviewComment(f, f.path, f.side, f.start_line, None, f"fp{i}")
        for i, f in enumerate(
            [
                finding(Route.FRONTIER, Category.SECURITY),
                finding(Route.FRONTIER, Category.SECURITY, 5),
                finding(Route.SMALL, Category.FORMATTING),
            ]
        )
    )
    coverage = Coverage(
        files_total=3,
        files_reviewed=2,
        hunks_by_route={},
        lines_by_route={},
        unreviewed=(
            Unreviewed("poetry.lock", None, Route.SKIP, "lock file"),
            Unreviewed("b.py", 1, Route.FRONTIER, "model unavailable (LLMUnavailable)"),
        ),
    )
    usage = (
        Usage(Route.FRONTIER, "claude-sonnet-5-5", 2, TokenUsage(100, 20, 300, 50), 0.25, 1, 0.5),
        Usage(Route.SMALL, "claude-haiku-5-5", 1, TokenUsage(10, 5), 0.01, 0, 0.0),
    )
    return Review(
        comments,
        (finding(Route.FRONTIER, Category.DEFECT, 9),),
        coverage,
        usage,
        dropped_outputs=2,
    )


def test_a_review_adds_findings_tokens_cost_cache_hits_and_coverage() -> None:
    metrics = Metrics()
    metrics.review_done(sample_review())
    value = metrics.registry.get_sample_value
    assert value("prbot_reviews_total", {"coverage": "partial"}) == 1
    assert value("prbot_reviews_total", {"coverage": "complete"}) is None
    assert value("prbot_findings_total", {"route": "frontier", "category": "security"}) == 2
    assert value("prbot_findings_total", {"route": "frontier", "category": "defect"}) == 1
    assert value("prbot_findings_total", {"route": "small", "category": "formatting"}) == 1
    assert value("prbot_unreviewed_total", {"route": "frontier"}) == 1
    assert value("prbot_unreviewed_total", {"route": "skip"}) is None  # skipped by design
    model = "claude-sonnet-5-5"
    tokens = [
        value("prbot_model_tokens_total", {"model": model, "kind": kind})
        for kind in ("input", "output", "cache_read", "cache_write")
    ]
    assert tokens == [100, 20, 300, 50]
    assert value("prbot_model_cost_usd_total", {"model": model}) == 0.25
    assert value("prbot_model_cost_usd_total", {"model": "claude-haiku-5-5"}) == 0.01
    assert value("prbot_cache_hits_total", {"route": "frontier"}) == 1
    assert value("prbot_cache_saved_usd_total", {"route": "frontier"}) == 0.5
    assert value("prbot_model_answers_dropped_total") == 2


def test_each_app_has_its_own_registry() -> None:
    first, second = Metrics(), Metrics()
    first.delivery("ping", "ping")
    assert (
        first.registry.get_sample_value(
            "prbot_deliveries_total", {"event": "ping", "outcome": "ping"}
        )
        == 1
    )
    assert second.registry.get_sample_value(
        "prbot_deliveries_total", {"event": "ping", "outcome": "ping"}
    ) is None  # fmt: skip


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("pull_request", "pull_request"),
        ("issue_comment", "issue_comment"),
        ("ping", "ping"),
        ("x" * 500, "other"),  # unverified header text never becomes a label value
        ("Pull_Request", "other"),
        ("", "other"),
        (None, "other"),
    ],
)
def test_event_labels_are_bounded(name: str | None, label: str) -> None:
    assert event_label(name) == label


@pytest.mark.parametrize(
    ("outcome", "failures"),
    [("completed", None), ("retry", ("true", 1.0)), ("failed", ("false", 1.0))],
)
def test_job_outcomes(outcome: str, failures: tuple[str, float] | None) -> None:
    metrics = Metrics()
    metrics.job_finished("pull_request", outcome, 0.3)  # type: ignore[arg-type]
    value = metrics.registry.get_sample_value
    labels = {"event": "pull_request", "outcome": outcome}
    assert value("prbot_job_seconds_count", labels) == 1
    assert value("prbot_job_seconds_bucket", {**labels, "le": "0.25"}) == 0
    assert value("prbot_job_seconds_bucket", {**labels, "le": "0.5"}) == 1
    if failures is None:
        assert value("prbot_job_failures_total", {"event": "pull_request", "retry": "true"}) is None
    else:
        retry, count = failures
        assert value("prbot_job_failures_total", {"event": "pull_request", "retry": retry}) == count


def test_queue_depth_is_read_at_scrape_time_and_a_dead_queue_reports_down() -> None:
    depth = [3]

    def read_depth() -> int:
        if depth[0] < 0:
            raise QueueError("database is locked")
        return depth[0]

    metrics = Metrics()
    metrics.watch_queue(read_depth, (QueueError,))
    assert metrics.registry.get_sample_value("prbot_queue_depth") == 3
    depth[0] = 5
    assert metrics.registry.get_sample_value("prbot_queue_depth") == 5
    assert metrics.registry.get_sample_value("prbot_queue_up") == 1
    depth[0] = -1
    assert metrics.registry.get_sample_value("prbot_queue_depth") is None
    assert metrics.registry.get_sample_value("prbot_queue_up") == 0


class ScriptedLLM:
    """A model that answers, or raises the error it was given."""

    def __init__(self, error: LLMError | None = None) -> None:
        self.error = error

    @property
    def model_id(self) -> str:
        return "scripted-1"

    async def complete(self, request: CompletionRequest) -> Completion:
        if self.error is not None:
            raise self.error
        return Completion('{"findings": []}', TokenUsage(1, 1), "scripted-1")


REQUEST = CompletionRequest(system="s", prompt="p", schema={})


@pytest.mark.parametrize(
    ("error", "outcome"),
    [
        (None, "ok"),
        (LLMUnavailable("429 after 2 retries"), "unavailable"),
        (LLMRejected("invalid x-api-key"), "rejected"),
        (LLMError("other"), "error"),
    ],
)
async def test_model_calls_are_counted_and_failures_logged(
    error: LLMError | None, outcome: str, caplog: pytest.LogCaptureFixture
) -> None:
    metrics = Metrics()
    llm = ObservedLLM(ScriptedLLM(error), Route.FRONTIER, metrics)
    assert llm.model_id == "scripted-1"
    caplog.set_level(logging.WARNING, logger="bot.metrics")
    if error is None:
        assert (await llm.complete(REQUEST)).text == '{"findings": []}'
    else:
        with pytest.raises(type(error)):
            await llm.complete(REQUEST)
    labels = {"route": "frontier", "outcome": outcome}
    assert metrics.registry.get_sample_value("prbot_model_calls_total", labels) == 1
    latency = metrics.registry.get_sample_value(
        "prbot_model_call_seconds_count", {"route": "frontier"}
    )
    assert latency == 1
    warnings = [r.getMessage() for r in caplog.records]
    if error is None:
        assert warnings == []
    else:
        assert warnings == [f"frontier model scripted-1 {outcome}: {type(error).__name__}: {error}"]


def test_recording_sets_the_active_metrics_for_a_block() -> None:
    metrics = Metrics()
    assert active_metrics() is None
    with recording(metrics):
        assert active_metrics() is metrics
    assert active_metrics() is None


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[WebhookSender, httpx.Client, SqliteJobQueue]]:
    settings = Settings(
        webhook_secret=SecretStr(SECRET.decode()), data_dir=tmp_path, max_body_bytes=4096
    )
    with (
        SqliteJobQueue(tmp_path / "jobs.sqlite3") as queue,
        serve(create_app(settings, queue=queue)) as server,
        WebhookSender(server.base_url, SECRET) as sender,
        httpx.Client(base_url=server.base_url) as client,
    ):
        yield sender, client, queue


def scrape(client: httpx.Client) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
    }


def test_get_metrics_counts_deliveries_by_event_and_outcome_and_reads_the_queue(
    served: tuple[WebhookSender, httpx.Client, SqliteJobQueue],
) -> None:
    sender, client, _ = served
    first = sender.send("pull_request", gh.pull_request_payload("opened"))
    assert sender.resend(first.delivery).status_code == 202
    assert sender.send("ping", gh.ping_payload()).response.status_code == 200
    unsigned = {"X-GitHub-Event": "pull_request", "X-GitHub-Delivery": "u-1"}
    assert sender.post_raw(b"{}", unsigned).status_code == 401
    assert sender.post_raw(b"x" * 5000, {"X-GitHub-Event": "made_up"}).status_code == 413
    samples = scrape(client)

    def deliveries(event: str, outcome: str) -> float | None:
        labels = (("event", event), ("outcome", outcome))
        return samples.get(("prbot_deliveries_total", labels))

    assert deliveries("pull_request", "queued") == 1
    assert deliveries("pull_request", "duplicate") == 1
    assert deliveries("ping", "ping") == 1
    assert deliveries("pull_request", "bad_signature") == 1
    assert deliveries("other", "too_large") == 1
    assert samples[("prbot_queue_depth", ())] == 1
    assert samples[("prbot_queue_up", ())] == 1
