"""A bot process killed mid-review: after a restart the review is posted exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import yaml

from bot import markers
from tests.fakes.app_keys import AppKey
from tests.fakes.github_server import FakeGitHub
from tests.fakes.llm_reviewer import Rule, pattern_reviewer
from tests.fakes.llm_server import AnswerReply, DelayReply, FakeLLM
from tests.fakes.servers import free_port
from tests.fakes.webhook_sender import WebhookSender, pull_request_payload
from tests.integration.bot_harness import NUMBER, REPO, SECRET, seed_pull, settings_for, wait_for

ROOT = Path(__file__).resolve().parents[2]


def summaries(fake: FakeGitHub) -> list[str]:
    return [c.body for c in fake.issue_comments(REPO, NUMBER) if markers.is_summary(c.body)]


def start_bot(settings_file: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "TEST_ANTHROPIC_KEY": "test-key", "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.integration.serve_bot", str(settings_file), str(port)],
        cwd=ROOT,
        env=env,
    )

    def up() -> bool:
        try:
            return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    wait_for(up, what="bot process to start")
    return process


def test_killed_mid_job_posts_exactly_once_after_restart(
    tmp_path: Path,
    fake_github: FakeGitHub,
    fake_github_url: str,
    fake_llm: FakeLLM,
    fake_llm_url: str,
    app_key: AppKey,
) -> None:
    seed_pull(fake_github)
    fake_llm.responder = pattern_reviewer(Rule(r"SELECT .*%", "SQL built by string formatting"))
    # The first model call hangs long enough for the process to be killed during it.
    fake_llm.enqueue(DelayReply(30, AnswerReply()))
    settings = settings_for(
        tmp_path, fake_github_url, fake_llm_url, app_key, job_lease_seconds=1.5
    ).model_dump(mode="json", exclude={"settings_file"})
    settings["webhook_secret"] = SECRET
    settings["private_key"] = app_key.private_pem
    settings_file = tmp_path / "settings.yaml"
    settings_file.write_text(yaml.safe_dump(settings))
    port = free_port()

    first = start_bot(settings_file, port)
    try:
        sender = WebhookSender(f"http://127.0.0.1:{port}", SECRET.encode())
        assert (
            sender.send("pull_request", pull_request_payload("opened", NUMBER)).response.status_code
            == 202
        )
        wait_for(lambda: len(fake_llm.requests) == 1, what="the review to reach the model")
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    assert fake_github.reviews(REPO, NUMBER) == []

    second = start_bot(settings_file, port)
    try:
        wait_for(lambda: summaries(fake_github), what="the retried review")
    finally:
        second.terminate()
        second.wait(timeout=15)
    assert len(fake_github.reviews(REPO, NUMBER)) == 1
    assert len(summaries(fake_github)) == 1
    sql = [c for c in fake_github.review_comments(REPO, NUMBER) if "SQL built" in c.body]
    assert [(c.path, c.line) for c in sql] == [("app/users.py", 4)]
