"""End to end: signed delivery -> server -> queue -> pipeline -> review on the fake GitHub.

Every test runs on both backends: embedded (SQLite, in-process workers) and redis (workers
as `prbot worker` runs them).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import markers
from bot.jobs import JobStatus
from tests.fakes.app_keys import AppKey
from tests.fakes.github_server import FakeGitHub
from tests.fakes.llm_reviewer import Rule, pattern_reviewer
from tests.fakes.llm_server import FakeLLM
from tests.fakes.webhook_sender import (
    issue_comment_payload,
    pull_request_payload,
    review_comment_payload,
)
from tests.integration.bot_harness import (
    INSTALLATION,
    NUMBER,
    REPO,
    USERS_HEAD,
    USERS_PATCH,
    RunningBot,
    backend_settings,
    running_bot,
    seed_pull,
    settings_for,
    wait_for,
)

SQL = Rule(r"SELECT .*%", "SQL built by string formatting", "security")


@pytest.fixture(params=["embedded", "redis"])
def bot(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    fake_github: FakeGitHub,
    fake_github_url: str,
    fake_llm: FakeLLM,
    fake_llm_url: str,
    app_key: AppKey,
) -> RunningBot:
    seed_pull(fake_github)
    fake_llm.responder = pattern_reviewer(SQL)
    redis_url = request.getfixturevalue("redis_url") if request.param == "redis" else None
    backend = backend_settings(request.param, redis_url)
    settings = settings_for(tmp_path, fake_github_url, fake_llm_url, app_key, **backend)
    with running_bot(settings, fake_github_url) as running:
        yield running  # type: ignore[misc]


def summaries(fake: FakeGitHub) -> list[str]:
    return [c.body for c in fake.issue_comments(REPO, NUMBER) if markers.is_summary(c.body)]


def model_comments(fake: FakeGitHub) -> list[tuple[str, int, str]]:
    return sorted(
        (c.path, c.line, c.side)
        for c in fake.review_comments(REPO, NUMBER)
        if "SQL built by string formatting" in c.body
    )


def test_opened_pr_gets_one_review_at_the_right_line(
    bot: RunningBot, fake_github: FakeGitHub, fake_llm: FakeLLM
) -> None:
    sent = bot.sender.send("pull_request", pull_request_payload("opened", NUMBER))
    assert sent.response.status_code == 202
    wait_for(lambda: summaries(fake_github), what="summary comment")
    wait_for(bot.idle, what="the job to finish")  # the check run completes after the summary
    assert model_comments(fake_github) == [("app/users.py", 4, "RIGHT")]
    assert len(fake_github.reviews(REPO, NUMBER)) == 1
    review = fake_github.reviews(REPO, NUMBER)[0]
    assert review.state == "COMMENTED"
    assert all(c.position is None for c in fake_github.review_comments(REPO, NUMBER))
    summary = summaries(fake_github)[0]
    assert "reviewed 1/1 files" in summary
    assert (
        markers.reviewed_head(summary)
        == pull_request_payload("opened")["pull_request"]["head"]["sha"]
    )
    assert "| frontier | claude-sonnet-5-5 | 1 |" in summary
    checks = fake_github.check_runs(REPO)
    assert [(c.status, c.conclusion) for c in checks] == [("completed", "neutral")]
    assert len(fake_llm.requests) == 1
    assert "AKIA" not in str(fake_llm.requests[0].body)


def test_redelivery_changes_nothing(
    bot: RunningBot, fake_github: FakeGitHub, fake_llm: FakeLLM
) -> None:
    first = bot.sender.send("pull_request", pull_request_payload("opened", NUMBER))
    wait_for(lambda: summaries(fake_github), what="first review")
    again = bot.sender.resend(first.delivery)
    assert again.status_code == 202 and again.json().get("duplicate") is True
    bot.sender.send("pull_request", pull_request_payload("ready_for_review", NUMBER))
    wait_for(lambda: bot.server.app is not None and _queue_idle(bot), what="queue idle")
    assert len(fake_github.reviews(REPO, NUMBER)) == 1
    assert len(fake_llm.requests) == 1  # same head: "already reviewed"


def _queue_idle(bot: RunningBot) -> bool:
    return bot.idle()


def push(fake: FakeGitHub, head: str, patch: str, text: str) -> None:
    fake.push(REPO, NUMBER, head, patches={"app/users.py": patch})
    fake.set_file_content(REPO, head, "app/users.py", text)


def test_push_with_unchanged_code_posts_nothing_new_and_calls_no_model(
    bot: RunningBot, fake_github: FakeGitHub, fake_llm: FakeLLM
) -> None:
    bot.sender.send("pull_request", pull_request_payload("opened", NUMBER))
    wait_for(lambda: summaries(fake_github), what="first review")
    new_head = "c" * 40
    push(fake_github, new_head, USERS_PATCH, USERS_HEAD)
    bot.sender.send("pull_request", pull_request_payload("synchronize", NUMBER, head_sha=new_head))
    wait_for(lambda: markers.reviewed_head(summaries(fake_github)[0]) == new_head, what="re-review")
    assert len(model_comments(fake_github)) == 1
    assert len(fake_github.reviews(REPO, NUMBER)) == 1
    assert len(fake_llm.requests) == 1  # the unchanged hunk came from the cache
    assert "| frontier | claude-sonnet-5-5 | 0 |" in summaries(fake_github)[0]


def test_fixed_finding_has_its_thread_resolved(bot: RunningBot, fake_github: FakeGitHub) -> None:
    fake_github.set_permissions(INSTALLATION, contents="write")  # GitHub requires it to resolve
    bot.sender.send("pull_request", pull_request_payload("opened", NUMBER))
    wait_for(lambda: summaries(fake_github), what="first review")
    root = next(c for c in fake_github.review_comments(REPO, NUMBER) if "SQL" in c.body)
    fixed = USERS_PATCH.replace(
        "+    query = \"SELECT * FROM users WHERE name = '%s'\" % name\n"
        "+    return conn.execute(query).fetchone()\n",
        '+    return conn.execute("SELECT * FROM users WHERE name = ?", (name,)).fetchone()\n',
    ).replace("+1,6 @@", "+1,5 @@")
    new_head = "d" * 40
    # The head file as the fixed patch leaves it (the static tier reads the whole file).
    fixed_text = USERS_HEAD.replace(
        "    query = \"SELECT * FROM users WHERE name = '%s'\" % name\n"
        "    return conn.execute(query).fetchone()\n",
        '    return conn.execute("SELECT * FROM users WHERE name = ?", (name,)).fetchone()\n',
    )
    assert fixed_text != USERS_HEAD
    push(fake_github, new_head, fixed, fixed_text)
    bot.sender.send("pull_request", pull_request_payload("synchronize", NUMBER, head_sha=new_head))
    wait_for(lambda: fake_github.thread_resolved(root.id), what="thread resolved")
    wait_for(bot.idle, what="the job to finish")  # the summary is edited after resolving
    assert "1 outdated thread(s) resolved" in summaries(fake_github)[0]


def test_a_422_moves_comments_to_the_body_and_loses_nothing(
    bot: RunningBot, fake_github: FakeGitHub
) -> None:
    fake_github.inject(
        "POST",
        r"/pulls/12/reviews$",
        422,
        times=1,
        body={
            "message": "Unprocessable Entity",
            "errors": ["Pull request review thread line must be part of the diff"],
            "status": "422",
        },
    )
    bot.sender.send("pull_request", pull_request_payload("opened", NUMBER))
    wait_for(lambda: summaries(fake_github), what="summary")
    reviews = fake_github.reviews(REPO, NUMBER)
    assert len(reviews) == 1
    # GitHub does not say which comment it refused: the one comment moved into the body.
    assert model_comments(fake_github) == []
    assert "SQL built by string formatting" in reviews[0].body
    assert "1 moved into the review body" in summaries(fake_github)[0]


def command(
    fake: FakeGitHub, body: str, author: str = "maintainer", association: str = "MEMBER"
) -> dict:
    """A conversation comment that exists on the fake, and its webhook payload."""
    comment_id = fake.add_issue_comment(REPO, NUMBER, body, user=author)
    payload = issue_comment_payload(body, NUMBER, author=author, association=association)
    payload["comment"]["id"] = comment_id
    return payload


def bot_comments(fake: FakeGitHub) -> list[str]:
    return [c.body for c in fake.issue_comments(REPO, NUMBER) if c.user.endswith("[bot]")]


def test_review_command_from_reader_is_refused(
    bot: RunningBot, fake_github: FakeGitHub, fake_llm: FakeLLM
) -> None:
    fake_github.set_permission(REPO, "drive-by", "read")
    payload = command(fake_github, "/review", author="drive-by", association="CONTRIBUTOR")
    bot.sender.send("issue_comment", payload)
    wait_for(lambda: bot_comments(fake_github), what="refusal")
    assert bot_comments(fake_github) == [
        "@drive-by prbot commands need write access to this repository."
    ]
    assert fake_github.reviews(REPO, NUMBER) == [] and fake_llm.requests == ()


def test_review_command_from_maintainer_reviews_and_acknowledges(
    bot: RunningBot, fake_github: FakeGitHub
) -> None:
    payload = command(fake_github, "/review")
    bot.sender.send("issue_comment", payload)
    wait_for(lambda: summaries(fake_github), what="review from command")
    reactions = fake_github.reactions("issues", payload["comment"]["id"])
    assert [r.content for r in reactions] == ["eyes"]
    assert model_comments(fake_github) == [("app/users.py", 4, "RIGHT")]


def test_cost_and_help_commands_reply(bot: RunningBot, fake_github: FakeGitHub) -> None:
    bot.sender.send("pull_request", pull_request_payload("opened", NUMBER))
    wait_for(lambda: summaries(fake_github), what="first review")
    bot.sender.send("issue_comment", command(fake_github, "/cost"))
    bot.sender.send("issue_comment", command(fake_github, "@prbot frobnicate"))
    wait_for(lambda: len(bot_comments(fake_github)) >= 3, what="replies")
    bodies = bot_comments(fake_github)
    assert any(b.startswith("prbot spent **$") and "over 1 review(s)" in b for b in bodies)
    assert any(b.startswith("**prbot commands**") for b in bodies)


def test_pause_stops_automatic_reviews(
    bot: RunningBot, fake_github: FakeGitHub, fake_llm: FakeLLM
) -> None:
    bot.sender.send("issue_comment", command(fake_github, "/pause"))
    wait_for(lambda: bot_comments(fake_github), what="pause reply")
    bot.sender.send("pull_request", pull_request_payload("opened", NUMBER))
    wait_for(lambda: _queue_idle(bot), what="queue idle")
    assert fake_github.reviews(REPO, NUMBER) == [] and fake_llm.requests == ()


def test_ignore_in_a_thread_is_confirmed_on_the_top_level_comment(
    bot: RunningBot, fake_github: FakeGitHub
) -> None:
    """Item 1: the confirmation went to the user's reply; GitHub refuses replies to
    replies (422), and the job was retried until it failed."""
    bot.sender.send("pull_request", pull_request_payload("opened", NUMBER))
    wait_for(lambda: summaries(fake_github), what="first review")
    wait_for(bot.idle, what="the review job")
    root = next(c for c in fake_github.review_comments(REPO, NUMBER) if "SQL" in c.body)
    said = "Please ignore this one."
    fake_github.add_review_comment(
        REPO, NUMBER, root.path, root.line or 0, said, "x", "RIGHT", root.id
    )
    reply_id = fake_github.add_review_comment(
        REPO, NUMBER, root.path, root.line or 0, "/ignore", "maintainer", "RIGHT", root.id
    )
    payload = review_comment_payload("/ignore", NUMBER, in_reply_to_id=root.id)
    payload["comment"]["id"] = reply_id

    sent = bot.sender.send("pull_request_review_comment", payload)

    record = bot.finished(sent.delivery.delivery_id)
    assert (record.status, record.attempts) == (JobStatus.COMPLETED, 1)
    confirmations = [c for c in fake_github.review_comments(REPO, NUMBER) if c.user == "prbot[bot]"]
    confirmations = [c for c in confirmations if c.in_reply_to_id is not None]
    assert [(c.in_reply_to_id, c.body) for c in confirmations] == [
        (root.id, "This finding will no longer be posted in this repository.")
    ]
    assert [r.content for r in fake_github.reactions("pulls", reply_id)] == ["eyes"]


VALIDATION_FAILED = {
    "message": "Validation Failed",
    "errors": [{"resource": "IssueComment", "code": "custom", "field": "body", "message": "no"}],
    "documentation_url": "https://docs.github.com/rest",
    "status": "422",
}


def test_a_permanent_refusal_fails_the_job_at_once_with_the_reason(
    bot: RunningBot, fake_github: FakeGitHub
) -> None:
    """Item 9: a 422 was retried like a transient error, five attempts over minutes."""
    fake_github.inject("POST", r"/issues/12/comments$", 422, times=10, body=VALIDATION_FAILED)

    sent = bot.sender.send("issue_comment", command(fake_github, "/cost"))

    record = bot.finished(sent.delivery.delivery_id)
    assert (record.status, record.attempts) == (JobStatus.FAILED, 1)
    assert record.reason is not None
    assert record.reason.startswith("GitHubUnprocessable: GitHub 422 failed: Validation Failed")
    assert len(fake_github.requests("POST", r"/issues/12/comments$")) == 1


def test_a_server_error_is_still_retried(bot: RunningBot, fake_github: FakeGitHub) -> None:
    """Item 9's other half: a 5xx on a write is not resent by the client (it may have
    landed), so the job is retried, and its retry posts the answer."""
    fake_github.inject("POST", r"/issues/12/comments$", 502, times=1)

    sent = bot.sender.send("issue_comment", command(fake_github, "/cost"))

    record = bot.finished(sent.delivery.delivery_id)
    assert (record.status, record.attempts) == (JobStatus.COMPLETED, 2)
    assert any(b.startswith("prbot has not reviewed") for b in bot_comments(fake_github))


@pytest.mark.parametrize(
    "body",
    [
        "/lgtm",
        "/retest",
        "/describe --pr_description.publish_labels=true",
        "/src/app.py is where the bug is",
        "/review.py looks odd",
        "@prbotx review",  # someone else's name, starting with ours
    ],
)
def test_words_that_are_not_prbot_commands_get_no_answer(
    bot: RunningBot, fake_github: FakeGitHub, fake_llm: FakeLLM, body: str
) -> None:
    """Item 10: any "/word" got a 👀 and the help table (or a refusal)."""
    payload = command(fake_github, body)

    sent = bot.sender.send("issue_comment", payload)

    assert bot.finished(sent.delivery.delivery_id).status is JobStatus.COMPLETED
    assert fake_github.reactions("issues", payload["comment"]["id"]) == []
    assert bot_comments(fake_github) == [] and fake_llm.requests == ()


def test_another_bots_slash_command_is_ignored(bot: RunningBot, fake_github: FakeGitHub) -> None:
    body = "/review"
    comment_id = fake_github.add_issue_comment(REPO, NUMBER, body, user="other-bot[bot]")
    payload = issue_comment_payload(body, NUMBER, author="other-bot[bot]", kind="Bot")
    payload["comment"]["id"] = comment_id

    sent = bot.sender.send("issue_comment", payload)

    assert bot.finished(sent.delivery.delivery_id).status is JobStatus.COMPLETED
    assert fake_github.reactions("issues", comment_id) == []
    assert fake_github.reviews(REPO, NUMBER) == []


def test_the_mention_form_reviews_and_unknown_words_get_the_help(
    bot: RunningBot, fake_github: FakeGitHub
) -> None:
    review = command(fake_github, "@PRBot review")
    bot.sender.send("issue_comment", review)
    wait_for(lambda: summaries(fake_github), what="review from the mention")
    assert [r.content for r in fake_github.reactions("issues", review["comment"]["id"])] == ["eyes"]

    sent = bot.sender.send("issue_comment", command(fake_github, "@prbot please look again"))

    bot.finished(sent.delivery.delivery_id)
    [help_reply] = [b for b in bot_comments(fake_github) if b.startswith("**prbot commands**")]
    assert "`@prbot review`" in help_reply
