"""A summary longer than GitHub's 65,536-character limit is clipped, keeping its head marker."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from bot import markers
from tests.fakes.app_keys import AppKey
from tests.fakes.github_server import FakeGitHub
from tests.fakes.llm_server import AnswerReply, Api, FakeLLM, Reply
from tests.fakes.webhook_sender import HEAD_SHA, pull_request_payload
from tests.integration.bot_harness import (
    NUMBER,
    REPO,
    RunningBot,
    running_bot,
    seed_pull,
    settings_for,
    wait_for,
)


def far_away_findings(api: Api, body: Mapping[str, Any]) -> Reply:
    """50 findings (the schema's cap) on lines far outside the diff, each with a long body:
    none can be anchored, so all go to the summary, ~100,000 characters of it."""
    finding = {
        "path": "app/users.py",
        "side": "RIGHT",
        "category": "defect",
        "severity": "high",
        "confidence": 0.9,
        "title": "Far away",
        "body": "x" * 1990,
        "suggestion": None,
    }
    findings = [{**finding, "start_line": 500 + i, "end_line": 500 + i} for i in range(50)]
    return AnswerReply({"findings": findings})


@pytest.fixture
def bot(
    tmp_path: Path,
    fake_github: FakeGitHub,
    fake_github_url: str,
    fake_llm: FakeLLM,
    fake_llm_url: str,
    app_key: AppKey,
) -> Iterator[RunningBot]:
    seed_pull(fake_github)
    fake_llm.responder = far_away_findings
    settings = settings_for(tmp_path, fake_github_url, fake_llm_url, app_key)
    with running_bot(settings, fake_github_url) as running:
        yield running


def test_oversized_summary_is_clipped_and_keeps_its_marker(
    bot: RunningBot, fake_github: FakeGitHub
) -> None:
    bot.sender.send("pull_request", pull_request_payload("opened", NUMBER))

    def summary() -> str | None:
        bodies = [c.body for c in fake_github.issue_comments(REPO, NUMBER)]
        return next((b for b in bodies if markers.is_summary(b)), None)

    wait_for(lambda: summary() is not None, what="the summary comment")
    body = summary() or ""
    assert len(body) <= 65536
    assert "... (truncated)" in body
    assert markers.reviewed_head(body) == HEAD_SHA
    assert body.count("Far away") < 50  # clipped, not all 50 listed
