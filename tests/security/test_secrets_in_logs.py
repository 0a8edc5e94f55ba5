"""No secret in the logs: a hostile PR reviewed end to end at DEBUG, a failure echoing a token."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot import markers
from bot.logs import build_handler, secret_values
from tests.fakes.app_keys import AppKey
from tests.fakes.github_server import FakeGitHub
from tests.fakes.llm_server import FakeLLM
from tests.fakes.webhook_sender import pull_request_payload
from tests.integration.bot_harness import NUMBER, REPO, SECRET, wait_for
from tests.security.hostile import (
    API_KEY,
    AWS_KEY,
    GITHUB_TOKEN,
    HostileRun,
    obedient_model,
    running_hostile_bot,
    seed_hostile_pull,
)

INSTALLATION_TOKEN = "ghs_" + "Yp8Wo7Vn6Um5Tl4Sk3Rj2Qi1Ph0Og9Nf8Me7"


@pytest.fixture
def log_stream() -> Iterator[io.StringIO]:
    """Filled once the bot's settings are known (see attach); removed after the test."""
    stream = io.StringIO()
    yield stream


@pytest.fixture(params=["embedded", "redis"])
def hostile(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    fake_github: FakeGitHub,
    fake_github_url: str,
    fake_llm: FakeLLM,
    fake_llm_url: str,
    app_key: AppKey,
    log_stream: io.StringIO,
) -> Iterator[HostileRun]:
    seed_hostile_pull(fake_github)
    fake_llm.responder = obedient_model
    root = logging.getLogger()
    level = root.level
    redis_url = request.getfixturevalue("redis_url") if request.param == "redis" else None
    with running_hostile_bot(
        tmp_path, fake_github, fake_github_url, fake_llm_url, app_key, request.param, redis_url
    ) as run:
        # The handler `prbot serve` installs, with the secrets it would gather, at DEBUG.
        handler = build_handler(log_stream, json=True, secrets=secret_values(run.settings, run.env))
        root.addHandler(handler)
        root.setLevel(logging.DEBUG)
        try:
            yield run
        finally:
            root.removeHandler(handler)
            root.setLevel(level)


def test_a_failing_then_retried_review_logs_no_secret(
    hostile: HostileRun, fake_github: FakeGitHub, log_stream: io.StringIO
) -> None:
    # A proxy in front of GitHub that echoes the request's credentials in its 401 page, to
    # the first token and to the renewed one: the job fails, its traceback is logged, and
    # the job's retry posts the review.
    echo = f"Bad credentials; Authorization: token {INSTALLATION_TOKEN}; secret={SECRET}"
    fake_github.inject("POST", r"/pulls/\d+/reviews$", 401, times=2, body={"message": echo})
    sent = hostile.sender.send("pull_request", pull_request_payload("opened", NUMBER))
    wait_for(
        lambda: any(markers.is_summary(c.body) for c in fake_github.issue_comments(REPO, NUMBER)),
        what="the retried review",
    )
    wait_for(lambda: "comment(s)" in log_stream.getvalue(), what="the handler's last log line")
    lines = [json.loads(line) for line in log_stream.getvalue().splitlines()]
    text = log_stream.getvalue()
    private_key = hostile.settings.private_key
    assert private_key is not None
    pem = [line for line in private_key.get_secret_value().splitlines() if len(line) > 20]
    for name, value in {
        "webhook secret": SECRET,
        "API key": API_KEY,
        "AWS key from the diff": AWS_KEY,
        "GitHub token from the diff": GITHUB_TOKEN,
        "token echoed by the proxy": INSTALLATION_TOKEN,
        **{f"private key line {i}": line for i, line in enumerate(pem)},
    }.items():
        assert value not in text, f"{name} logged"
    failed = [e for e in lines if "failed on attempt 1" in str(e["message"])]
    assert len(failed) == 1
    assert failed[0]["delivery"] == sent.delivery.delivery_id
    assert failed[0]["repo"] == REPO and failed[0]["pr"] == NUMBER
    assert "[REDACTED:configured-secret]" in str(failed[0]["message"])
    assert "[REDACTED:github-token]" in str(failed[0]["exception"])
    assert len(lines) > 50  # DEBUG from every library was on: plenty had the chance to leak
