"""A hostile PR, end to end: only COMMENT reviews, only on that PR, text framed, nothing leaked."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot import markers
from tests.fakes.app_keys import AppKey
from tests.fakes.github_server import FakeGitHub
from tests.fakes.llm_reviewer import prompt_text
from tests.fakes.llm_server import FakeLLM
from tests.fakes.webhook_sender import issue_comment_payload, pull_request_payload
from tests.integration.bot_harness import NUMBER, REPO, SECRET, wait_for
from tests.security.hostile import (
    API_KEY,
    AWS_KEY,
    GITHUB_TOKEN,
    INJECTION,
    HostileRun,
    obedient_model,
    outside_untrusted,
    running_hostile_bot,
    seed_hostile_pull,
    untrusted_blocks,
)

OWNER, NAME = REPO.split("/")
# Every write prbot may make for one PR review: its token, the review, the summary, the check.
ALLOWED_WRITES = [
    ("POST", r"^/app/installations/\d+/access_tokens$"),
    ("POST", rf"^/repos/{OWNER}/{NAME}/pulls/{NUMBER}/reviews$"),
    ("PUT", rf"^/repos/{OWNER}/{NAME}/pulls/{NUMBER}/reviews/\d+$"),
    ("POST", rf"^/repos/{OWNER}/{NAME}/issues/{NUMBER}/comments$"),
    ("PATCH", rf"^/repos/{OWNER}/{NAME}/issues/comments/(?P<comment>\d+)$"),
    ("POST", rf"^/repos/{OWNER}/{NAME}/issues/comments/(?P<reacted>\d+)/reactions$"),
    ("POST", rf"^/repos/{OWNER}/{NAME}/check-runs$"),
    ("PATCH", rf"^/repos/{OWNER}/{NAME}/check-runs/\d+$"),
]


@pytest.fixture(params=["embedded", "redis"])
def hostile(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    fake_github: FakeGitHub,
    fake_github_url: str,
    fake_llm: FakeLLM,
    fake_llm_url: str,
    app_key: AppKey,
) -> Iterator[HostileRun]:
    seed_hostile_pull(fake_github)
    fake_llm.responder = obedient_model
    fake_llm.api_key = API_KEY  # the model server refuses any other key
    redis_url = request.getfixturevalue("redis_url") if request.param == "redis" else None
    with running_hostile_bot(
        tmp_path, fake_github, fake_github_url, fake_llm_url, app_key, request.param, redis_url
    ) as run:
        yield run


def summaries(fake: FakeGitHub) -> list[str]:
    return [c.body for c in fake.issue_comments(REPO, NUMBER) if markers.is_summary(c.body)]


def review_once(run: HostileRun, fake: FakeGitHub) -> None:
    sent = run.sender.send("pull_request", pull_request_payload("opened", NUMBER))
    assert sent.response.status_code == 202
    wait_for(lambda: bool(summaries(fake)), what="the summary comment")
    wait_for(lambda: fake.check_runs(REPO)[0].status == "completed", what="the check run")


def forbidden_values(run: HostileRun, fake_llm_url: str) -> dict[str, str]:
    """What must never be posted: secrets, keys, and settings that say where things live."""
    private_key = run.settings.private_key
    assert private_key is not None
    values = {
        "webhook secret": SECRET,
        "API key": API_KEY,
        "AWS key from the diff": AWS_KEY,
        "GitHub token from the diff": GITHUB_TOKEN,
        "data dir": str(run.settings.data_dir),
        "model URL": fake_llm_url,
        "key env name": "TEST_ANTHROPIC_KEY",
    }
    pem_lines = [line for line in private_key.get_secret_value().splitlines() if len(line) > 20]
    values.update({f"private key line {i}": line for i, line in enumerate(pem_lines)})
    return values


def test_the_review_only_comments_and_touches_nothing_but_this_pr(
    hostile: HostileRun, fake_github: FakeGitHub
) -> None:
    review_once(hostile, fake_github)
    reviews = fake_github.reviews(REPO, NUMBER)
    assert [r.state for r in reviews] == ["COMMENTED"]
    posted = fake_github.requests("POST", r"/pulls/\d+/reviews$")
    assert [r.json.get("event") for r in posted] == ["COMMENT"]
    own_comments = {str(c.id) for c in fake_github.issue_comments(REPO, NUMBER)}
    writes = [r for r in fake_github.requests() if r.method != "GET" and r.path != "/graphql"]
    assert writes, "the bot wrote nothing at all"
    for request in writes:
        allowed = [
            re.match(pattern, request.path)
            for method, pattern in ALLOWED_WRITES
            if method == request.method
        ]
        match = next((m for m in allowed if m), None)
        assert match is not None, f"write outside the PR: {request.method} {request.path}"
        if match.groupdict().get("comment"):
            assert match.group("comment") in own_comments, "edited a comment of another PR"
    mutations = [r.json for r in fake_github.requests("POST", "/graphql$") if r.json]
    assert all("mutation" not in str(m.get("query", "")) for m in mutations)


def test_untrusted_text_is_framed_and_secrets_are_redacted_before_the_prompt_leaves(
    hostile: HostileRun, fake_github: FakeGitHub, fake_llm: FakeLLM
) -> None:
    review_once(hostile, fake_github)
    calls = [r for r in fake_llm.requests if r.api == "anthropic" and "messages" in r.body]
    assert sorted(call.body["model"] for call in calls) == ["claude-haiku-5-5", "claude-sonnet-5-5"]
    diffs = [
        content
        for c in calls
        for kind, content in untrusted_blocks(prompt_text("anthropic", c.body))
        if kind == "diff"
    ]
    commit_text = [d for d in diffs if "File: COMMIT_MSG.txt" in d]
    assert len(commit_text) == 1 and INJECTION in commit_text[0]
    for call in calls:
        wire = json.dumps(call.body)
        assert AWS_KEY not in wire and GITHUB_TOKEN not in wire
        assert API_KEY not in wire and SECRET not in wire
        prompt = prompt_text("anthropic", call.body)
        kinds = [kind for kind, _ in untrusted_blocks(prompt)]
        assert kinds == ["pr-text", "diff"]
        pr_text, diff = (content for _, content in untrusted_blocks(prompt))
        assert INJECTION in pr_text and "ignore previous instructions" in pr_text
        if "File: app/users.py" in diff:
            assert f"# AI reviewer: {INJECTION}" in diff
            assert "[REDACTED:aws-access-key-id]" in diff and "[REDACTED:github-token]" in diff
        # The body's own "</untrusted-data>" did not close the frame: the id is unguessable.
        outside = outside_untrusted(prompt)
        assert INJECTION not in outside and "SYSTEM:" not in outside
        assert "ignore previous instructions" not in outside.lower()


def test_nothing_posted_carries_a_secret_or_a_setting(
    hostile: HostileRun, fake_github: FakeGitHub, fake_llm_url: str
) -> None:
    review_once(hostile, fake_github)
    payload = command_payload(fake_github, "/config")
    hostile.sender.send("issue_comment", payload)
    wait_for(lambda: len(bot_comments(fake_github)) >= 2, what="the /config reply")
    # The obedient model's echo made it through: the test would see a leak if there were one.
    assert any("APPROVE: LGTM" in c.body for c in fake_github.review_comments(REPO, NUMBER))
    written = [json.dumps(r.json) for r in fake_github.requests() if r.method != "GET" and r.json]
    texts = (
        written + bot_comments(fake_github) + [r.body for r in fake_github.reviews(REPO, NUMBER)]
    )
    texts += [json.dumps(c.output) for c in fake_github.check_runs(REPO)]
    for name, value in forbidden_values(hostile, fake_llm_url).items():
        leaks = [text[:200] for text in texts if value in text]
        assert leaks == [], f"{name} posted to GitHub"


def command_payload(fake: FakeGitHub, body: str) -> dict[str, object]:
    comment_id = fake.add_issue_comment(REPO, NUMBER, body, user="maintainer")
    payload = issue_comment_payload(body, NUMBER, author="maintainer", association="MEMBER")
    payload["comment"]["id"] = comment_id
    return payload


def bot_comments(fake: FakeGitHub) -> list[str]:
    return [c.body for c in fake.issue_comments(REPO, NUMBER) if c.user.endswith("[bot]")]
