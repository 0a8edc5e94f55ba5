"""Model and GitHub faults during a full end-to-end review: nothing lost, nothing posted twice.

Each case arranges one fault on the fake model server or the fake GitHub, sends one signed
`pull_request.opened` delivery to the whole bot, and checks that the job completed (first
try or after the queue's retry), that exactly one review and one summary were posted, that
a log line bound to the delivery id tells what happened, and what /metrics counted.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot import markers
from bot.backends import open_job_admin
from bot.jobs import JobStatus
from bot.logs import ContextFilter
from reviewers.llm.spec import ModelSpec
from tests.fakes.app_keys import AppKey
from tests.fakes.github_server import FakeGitHub
from tests.fakes.llm_reviewer import Rule, pattern_reviewer
from tests.fakes.llm_server import (
    DelayReply,
    FakeLLM,
    TextReply,
    overloaded,
    rate_limited,
    server_error,
)
from tests.fakes.webhook_sender import pull_request_payload
from tests.integration.bot_harness import (
    NUMBER,
    REPO,
    USERS_HEAD,
    RunningBot,
    backend_settings,
    running_bot,
    seed_pull,
    settings_for,
    wait_for,
)

SQL = Rule(r"SELECT .*%", "SQL built by string formatting", "security")
Arrange = Callable[[FakeGitHub, FakeLLM], None]


@dataclass(frozen=True)
class Fault:
    name: str
    arrange: Arrange
    log: tuple[str, str]  # (logger name prefix, text in the message) of a record for the delivery
    attempts: int = 1  # the job's attempts until it completed
    reviewed_by_model: bool = True  # the SQL finding came from the model (else no review:
    # with nothing to say inline, only the summary is posted)
    metrics: dict[str, float] = field(default_factory=dict)  # 'name{labels}' -> value


def model_fault(*replies: object) -> Arrange:
    def arrange(_: FakeGitHub, llm: FakeLLM) -> None:
        llm.enqueue(*replies)  # type: ignore[arg-type]

    return arrange


def github_fault(method: str, path: str, status: int, times: int) -> Arrange:
    def arrange(gh: FakeGitHub, _: FakeLLM) -> None:
        gh.inject(method, path, status, times=times)

    return arrange


def secondary_rate_limit(gh: FakeGitHub, _: FakeLLM) -> None:
    gh.inject_secondary_rate_limit("POST", r"/pulls/\d+/reviews$", retry_after=1)


CALLS_OK = 'prbot_model_calls_total{outcome="ok",route="frontier"}'
RETRIED = 'prbot_job_failures_total{event="pull_request",retry="true"}'
FAULTS = [
    Fault(
        "model 429 then answer",
        model_fault(rate_limited()),
        ("anthropic", "Retrying request to /v1/messages"),
        metrics={CALLS_OK: 1},
    ),
    Fault(
        "model 529 overloaded then answer",
        model_fault(overloaded()),
        ("anthropic", "Retrying request to /v1/messages"),
        metrics={CALLS_OK: 1},
    ),
    Fault(
        "model 500 then answer",
        model_fault(server_error()),
        ("anthropic", "Retrying request to /v1/messages"),
        metrics={CALLS_OK: 1},
    ),
    Fault(
        "model timeout then answer",
        model_fault(DelayReply(3)),
        ("anthropic", "Retrying request to /v1/messages"),
        metrics={CALLS_OK: 1},
    ),
    Fault(
        "model 429 past the SDK's retries",
        model_fault(rate_limited(), rate_limited(), rate_limited()),
        ("bot.metrics", "frontier model claude-sonnet-5-5 unavailable"),
        reviewed_by_model=False,
        metrics={
            'prbot_model_calls_total{outcome="unavailable",route="frontier"}': 1,
            'prbot_unreviewed_total{route="frontier"}': 1,
            'prbot_reviews_total{coverage="partial"}': 1,
        },
    ),
    Fault(
        "model answers garbage",
        model_fault(TextReply("Sure! Here is my review: {findings: [oops")),
        ("bot.reviewing", "1 model answer(s) failed the schema, dropped"),
        reviewed_by_model=False,
        metrics={
            "prbot_model_answers_dropped_total": 1,
            'prbot_unreviewed_total{route="frontier"}': 1,
        },
    ),
    Fault(
        "GitHub 502 on reading the PR, once",
        github_fault("GET", rf"/pulls/{NUMBER}$", 502, times=1),
        ("urllib3", "Retry"),
    ),
    Fault(
        "GitHub 502 on create review (a write is never resent by the client)",
        github_fault("POST", r"/pulls/\d+/reviews$", 502, times=1),
        ("bot.jobs", "failed on attempt 1"),
        attempts=2,
        metrics={RETRIED: 1},
    ),
    Fault(
        "GitHub 502 on the summary, after the review was posted",
        github_fault("POST", rf"/issues/{NUMBER}/comments$", 502, times=1),
        ("bot.jobs", "failed on attempt 1"),
        attempts=2,
        metrics={RETRIED: 1},
    ),
    Fault(
        "GitHub secondary rate limit with retry-after",
        secondary_rate_limit,
        ("github.GithubRetry", "Retrying after 1 seconds"),
    ),
    Fault(
        "GitHub token refused (401) on reading the PR",
        github_fault("GET", rf"/pulls/{NUMBER}$", 401, times=1),
        ("urllib3", f"GET /repos/{REPO}/pulls/{NUMBER} HTTP/1.1"),
    ),
]


@pytest.fixture(params=["embedded", "redis"])
def bot(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    fake_github: FakeGitHub,
    fake_github_url: str,
    fake_llm: FakeLLM,
    fake_llm_url: str,
    app_key: AppKey,
) -> Iterator[RunningBot]:
    seed_pull(fake_github)
    fake_llm.responder = pattern_reviewer(SQL)
    frontier = ModelSpec(
        provider="anthropic",
        model="claude-sonnet-5-5",
        base_url=fake_llm_url,
        api_key_env="TEST_ANTHROPIC_KEY",
        max_retries=1,
        timeout_s=1.5,  # the timeout case's first call takes 3 s
    )
    redis_url = request.getfixturevalue("redis_url") if request.param == "redis" else None
    backend = backend_settings(request.param, redis_url)
    settings = settings_for(
        tmp_path, fake_github_url, fake_llm_url, app_key, frontier_models=[frontier], **backend
    )
    with running_bot(settings, fake_github_url) as running:
        yield running


@pytest.fixture
def records(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """caplog at DEBUG, each record carrying the delivery it was logged for."""
    caplog.set_level(logging.DEBUG)
    context = ContextFilter()
    caplog.handler.addFilter(context)
    try:
        yield caplog
    finally:
        caplog.handler.removeFilter(context)


def summaries(fake: FakeGitHub) -> list[str]:
    return [c.body for c in fake.issue_comments(REPO, NUMBER) if markers.is_summary(c.body)]


def sql_comments(fake: FakeGitHub) -> list[tuple[str, int | None]]:
    return [(c.path, c.line) for c in fake.review_comments(REPO, NUMBER) if "SQL built" in c.body]


def job_record(bot: RunningBot, delivery: str) -> tuple[JobStatus, int]:
    admin = open_job_admin(bot.server.context.settings)
    try:
        records = [r for r in admin.list() if r.delivery_id == delivery]
    finally:
        admin.close()
    return (records[0].status, records[0].attempts) if records else (JobStatus.QUEUED, 0)


def scrape(bot: RunningBot) -> dict[str, float]:
    base = bot.sender.url.removesuffix("/webhook")
    text = httpx.get(f"{base}/metrics", timeout=5).text
    samples = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            labels = ",".join(f'{k}="{v}"' for k, v in sorted(s.labels.items()))
            samples[f"{s.name}{{{labels}}}" if labels else s.name] = s.value
    return samples


@pytest.mark.parametrize("fault", FAULTS, ids=[f.name for f in FAULTS])
def test_a_fault_during_a_review_loses_nothing_and_posts_once(
    fault: Fault,
    bot: RunningBot,
    fake_github: FakeGitHub,
    fake_llm: FakeLLM,
    records: pytest.LogCaptureFixture,
) -> None:
    fault.arrange(fake_github, fake_llm)
    sent = bot.sender.send("pull_request", pull_request_payload("opened", NUMBER))
    assert sent.response.status_code == 202
    delivery = sent.delivery.delivery_id
    wait_for(lambda: job_record(bot, delivery)[0] is JobStatus.COMPLETED, what="the job")

    assert job_record(bot, delivery) == (JobStatus.COMPLETED, fault.attempts)
    # One review either way: the static tier flags the query string even when no model could.
    assert len(fake_github.reviews(REPO, NUMBER)) == 1
    assert len(summaries(fake_github)) == 1
    runs = fake_github.check_runs(REPO)
    assert [c.status for c in runs] == ["completed"] * len(runs)  # none left in progress
    final = [c for c in runs if not c.output.get("title", "").startswith("Review interrupted")]
    assert len(final) == 1
    if fault.reviewed_by_model:
        assert sql_comments(fake_github) == [("app/users.py", 4)]
    else:
        assert sql_comments(fake_github) == []
        assert "reviewed 0/1 files" in summaries(fake_github)[0]

    prefix, text = fault.log
    bound = [r for r in records.records if getattr(r, "delivery", None) == delivery]
    assert any(r.name.startswith(prefix) and text in r.getMessage() for r in bound), (
        f"no {prefix} record containing {text!r} for delivery {delivery}"
    )
    done = f"delivery {delivery}: {REPO}#{NUMBER} "
    assert any(r.getMessage().startswith(done) for r in bound)

    if bot.server.context.settings.backend == "redis":
        return  # `prbot worker` processes keep their metrics to themselves (docs/observability.md)
    samples = scrape(bot)
    for name, value in fault.metrics.items():
        assert samples.get(name) == value, name
    labels = 'event="pull_request",outcome="completed"'
    assert samples[f"prbot_job_seconds_count{{{labels}}}"] == 1


def test_an_expired_token_is_renewed_mid_run(
    bot: RunningBot, fake_github: FakeGitHub, records: pytest.LogCaptureFixture
) -> None:
    bot.sender.send("pull_request", pull_request_payload("opened", NUMBER))
    wait_for(lambda: bool(summaries(fake_github)), what="the first review")
    wait_for(bot.idle, what="the first job")  # its check run completes after the summary
    fake_github.expire_tokens()
    new_head = "e" * 40
    fake_github.push(REPO, NUMBER, new_head)
    fake_github.set_file_content(REPO, new_head, "app/users.py", USERS_HEAD)
    sent = bot.sender.send(
        "pull_request", pull_request_payload("synchronize", NUMBER, head_sha=new_head)
    )
    delivery = sent.delivery.delivery_id
    wait_for(lambda: job_record(bot, delivery)[0] is JobStatus.COMPLETED, what="the re-review")
    assert job_record(bot, delivery) == (JobStatus.COMPLETED, 1)
    assert len(fake_github.issued_tokens()) == 2
    assert markers.reviewed_head(summaries(fake_github)[0]) == new_head
    assert len(fake_github.reviews(REPO, NUMBER)) == 1  # the unchanged finding is not reposted
    refused = fake_github.requests(path_regex=rf"/pulls/{NUMBER}$")
    assert [r.status for r in refused][-2:] == [401, 200]
    bound = [r for r in records.records if getattr(r, "delivery", None) == delivery]
    assert any(r.getMessage().startswith(f"delivery {delivery}: ") for r in bound)
