"""Action mode end to end: an event file and a plain token -> real PyGithub -> fake GitHub."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from bot import markers
from bot.action import REFUSE_TARGET, ActionError, read_run, review_action
from bot.cli import main
from bot.settings import Settings
from tests.fakes.app_keys import AppKey
from tests.fakes.github_server import API_HEADERS, FakeGitHub
from tests.fakes.llm_reviewer import Rule, pattern_reviewer
from tests.fakes.llm_server import FakeLLM
from tests.fakes.webhook_sender import pull_request_payload, repository
from tests.integration.bot_harness import NUMBER, REPO, fast_options, seed_pull, settings_for

TOKEN = "ghs_actionrunnertoken0001"
SQL = Rule(r"SELECT .*%", "SQL built by string formatting", "security")
FORBIDDEN = {
    "message": "Resource not accessible by integration",
    "documentation_url": "https://docs.github.com/rest/pulls/reviews#create-a-review",
    "status": "403",
}


@pytest.fixture
def scene(
    tmp_path: Path,
    fake_github: FakeGitHub,
    fake_github_url: str,
    fake_llm: FakeLLM,
    fake_llm_url: str,
    app_key: AppKey,
) -> tuple[Settings, str]:
    seed_pull(fake_github)
    fake_github.add_plain_token(TOKEN)
    fake_llm.responder = pattern_reviewer(SQL)
    settings = settings_for(tmp_path, fake_github_url, fake_llm_url, app_key)
    return settings, fake_github_url


def action_env(
    tmp_path: Path, github_url: str, action: str = "opened", head_repo: str = REPO
) -> dict[str, str]:
    payload = pull_request_payload(action, NUMBER)
    payload["pull_request"]["head"]["repo"] = repository(head_repo)
    event = tmp_path / "event.json"
    event.write_text(json.dumps(payload), encoding="utf-8")
    return {
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_REPOSITORY": REPO,
        "GITHUB_TOKEN": TOKEN,
        "GITHUB_API_URL": github_url,
        "GITHUB_STEP_SUMMARY": str(tmp_path / "step_summary.md"),
        "TEST_ANTHROPIC_KEY": "test-key",
    }


def run(env: dict[str, str], settings: Settings, fail_on: str | None = "high") -> tuple[int, str]:
    out = io.StringIO()
    code = review_action(env, settings, fail_on, out, fast_options(env["GITHUB_API_URL"]))
    return code, out.getvalue()


def sql_comments(fake: FakeGitHub) -> list[tuple[str, int | None, str | None, str]]:
    return [
        (c.path, c.line, c.side, c.user)
        for c in fake.review_comments(REPO, NUMBER)
        if SQL.title in c.body
    ]


def summaries(fake: FakeGitHub) -> list[tuple[str, str]]:
    return [
        (c.user, c.body) for c in fake.issue_comments(REPO, NUMBER) if markers.is_summary(c.body)
    ]


def test_review_lands_on_the_pull_request(
    tmp_path: Path, scene: tuple[Settings, str], fake_github: FakeGitHub
) -> None:
    settings, url = scene
    env = action_env(tmp_path, url)
    code, out = run(env, settings)
    assert code == 1  # the SQL finding is "high"; --fail-on high
    assert sql_comments(fake_github) == [("app/users.py", 4, "RIGHT", "github-actions[bot]")]
    assert [r.state for r in fake_github.reviews(REPO, NUMBER)] == ["COMMENTED"]
    [(author, body)] = summaries(fake_github)
    assert author == "github-actions[bot]" and "reviewed 1/1 files" in body
    checks = fake_github.check_runs(REPO)
    assert [(c.status, c.conclusion) for c in checks] == [("completed", "neutral")]
    assert f"prbot: reviewed {REPO}#{NUMBER}: 1 new inline comment(s).\n" in out
    step = Path(env["GITHUB_STEP_SUMMARY"]).read_text(encoding="utf-8")
    assert step.startswith("## prbot review") and "reviewed 1/1 files" in step
    assert (settings.data_dir / "state.sqlite3").is_file()
    assert any(settings.review_cache_dir.iterdir())


def test_a_rerun_reaches_the_same_verdict_without_posting_twice(
    tmp_path: Path, scene: tuple[Settings, str], fake_github: FakeGitHub, fake_llm: FakeLLM
) -> None:
    settings, url = scene
    env = action_env(tmp_path, url)
    assert run(env, settings)[0] == 1
    code, out = run(env, settings)  # "Re-run jobs": same head, same state directory
    assert code == 1
    assert len(fake_github.reviews(REPO, NUMBER)) == 1
    assert len(sql_comments(fake_github)) == 1
    assert len(summaries(fake_github)) == 1  # edited in place
    assert len(fake_llm.requests) == 1  # the second verdict came from the cache
    assert "0 new inline comment(s)" in out


def test_a_thumbs_down_stops_the_finding_failing_the_job(
    tmp_path: Path, scene: tuple[Settings, str], fake_github: FakeGitHub
) -> None:
    settings, url = scene
    env = action_env(tmp_path, url)
    assert run(env, settings)[0] == 1
    [root] = [c for c in fake_github.review_comments(REPO, NUMBER) if SQL.title in c.body]
    add_reaction(fake_github, url, root.id)
    assert run(env, settings)[0] == 0


def test_a_thumbs_down_without_write_access_does_not_lift_the_gate(
    tmp_path: Path, scene: tuple[Settings, str], fake_github: FakeGitHub
) -> None:
    """Issue 10 item 3: the PR's author (or anyone) could lift --fail-on with a 👎."""
    settings, url = scene
    env = action_env(tmp_path, url)
    assert run(env, settings)[0] == 1
    [root] = [c for c in fake_github.review_comments(REPO, NUMBER) if SQL.title in c.body]
    fake_github.set_permission(REPO, "contributor", "read")  # the pull request's author
    add_reaction(fake_github, url, root.id, user="contributor")
    assert run(env, settings)[0] == 1


def add_reaction(fake: FakeGitHub, url: str, comment_id: int, user: str = "maintainer") -> None:
    """A user's 👎, through the API as GitHub would record it."""
    import httpx

    fake.add_plain_token(f"ghp_{user}", login=user)
    reply = httpx.post(
        f"{url}/repos/{REPO}/pulls/comments/{comment_id}/reactions",
        json={"content": "-1"},
        headers={"Authorization": f"token ghp_{user}", **API_HEADERS},
    )
    assert reply.status_code in (200, 201), reply.text


def test_read_only_token_degrades_to_log_and_step_summary(
    tmp_path: Path, scene: tuple[Settings, str], fake_github: FakeGitHub
) -> None:
    settings, url = scene
    for method in ("POST", "PATCH"):
        fake_github.inject(method, r"^/repos/", 403, times=50, body=FORBIDDEN)
    env = action_env(tmp_path, url, head_repo="someone/widgets")
    code, out = run(env, settings)
    assert code == 1  # the verdict does not depend on being allowed to post
    assert fake_github.reviews(REPO, NUMBER) == [] and summaries(fake_github) == []
    assert f"prbot: could not post to {REPO}#{NUMBER} (pull requests from forks get a" in out
    assert (
        "::warning file=app/users.py,line=4,endLine=4,"
        "title=prbot%3A SQL built by string formatting::[high/security] "
    ) in out
    # the review text (which may echo the PR) is printed with workflow commands off
    stop = out.split("::stop-commands::", 1)[1].split("\n", 1)[0]
    block = out.split(f"::stop-commands::{stop}\n", 1)[1].split(f"\n::{stop}::\n", 1)[0]
    assert "app/users.py:4 [high/security] SQL built by string formatting" in block
    step = Path(env["GITHUB_STEP_SUMMARY"]).read_text(encoding="utf-8")
    assert step.startswith(f"> **Not posted** to {REPO}#{NUMBER}: pull requests from forks")
    assert "Resource not accessible by integration" in step
    assert SQL.title in step and "reviewed 1/1 files" in step


def test_a_same_repo_refusal_names_the_missing_permission(
    tmp_path: Path, scene: tuple[Settings, str], fake_github: FakeGitHub
) -> None:
    settings, url = scene
    fake_github.inject("POST", r"^/repos/", 403, times=50, body=FORBIDDEN)
    env = action_env(tmp_path, url)
    code, out = run(env, settings, fail_on=None)
    assert code == 0
    assert "grant `pull-requests: write` in the workflow's permissions" in out


def test_cli_runs_the_action_from_the_environment(
    tmp_path: Path,
    scene: tuple[Settings, str],
    fake_github: FakeGitHub,
    fake_llm_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, url = scene
    frontier = {
        "provider": "anthropic",
        "model": "claude-sonnet-5-5",
        "base_url": fake_llm_url,
        "api_key_env": "TEST_ANTHROPIC_KEY",
        "max_retries": 0,
    }
    environment = {
        **action_env(tmp_path, url),
        "PRBOT_GITHUB_WRITE_GAP_SECONDS": "0",
        "PRBOT_SMALL_MODELS": "[]",
        "PRBOT_FRONTIER_MODELS": json.dumps([frontier]),
    }
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    state = tmp_path / "state"
    assert main(["action", "--state-dir", str(state), "--fail-on", "critical"]) == 0
    assert sql_comments(fake_github) == [("app/users.py", 4, "RIGHT", "github-actions[bot]")]
    assert (state / "state.sqlite3").is_file()


def event_file(tmp_path: Path, content: str) -> str:
    path = tmp_path / "event.json"
    path.write_text(content, encoding="utf-8")
    return str(path)


GOOD_EVENT = json.dumps(pull_request_payload("opened", NUMBER))


@pytest.mark.parametrize(
    ("changes", "event", "message"),
    [
        ({"GITHUB_EVENT_NAME": "pull_request_target"}, GOOD_EVENT, REFUSE_TARGET),
        ({"GITHUB_EVENT_NAME": "push"}, GOOD_EVENT, "this is a push event"),
        ({"GITHUB_EVENT_NAME": ""}, GOOD_EVENT, "not a GitHub Actions run"),
        ({"GITHUB_TOKEN": " "}, GOOD_EVENT, "GITHUB_TOKEN is not set"),
        ({"GITHUB_EVENT_PATH": ""}, GOOD_EVENT, "GITHUB_EVENT_PATH is not set"),
        ({}, "{not json", "cannot read the event file"),
        ({}, json.dumps({"action": "opened"}), "is not a pull_request event: pull_request:"),
        ({"GITHUB_REPOSITORY": "evil/other"}, GOOD_EVENT, "GITHUB_REPOSITORY is evil/other"),
    ],
)
def test_unreviewable_runs_are_refused_with_a_reason(
    tmp_path: Path, changes: dict[str, str], event: str, message: str
) -> None:
    env: dict[str, Any] = {
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": event_file(tmp_path, event),
        "GITHUB_REPOSITORY": REPO,
        "GITHUB_TOKEN": TOKEN,
        **changes,
    }
    with pytest.raises(ActionError) as caught:
        read_run(env)
    assert message in str(caught.value)


def test_refusal_exits_2_through_the_cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GITHUB_EVENT_NAME", "pull_request_target")
    monkeypatch.setenv("PRBOT_DATA_DIR", str(tmp_path))
    assert main(["action"]) == 2
    assert capsys.readouterr().err == f"prbot: error: {REFUSE_TARGET}\n"


@pytest.mark.parametrize(
    ("head_repo", "from_fork"), [(REPO, False), ("someone/widgets", True), (None, True)]
)
def test_forks_are_told_apart_by_the_head_repository(
    tmp_path: Path, head_repo: str | None, from_fork: bool
) -> None:
    payload = pull_request_payload("synchronize", NUMBER)
    payload["pull_request"]["head"]["repo"] = repository(head_repo) if head_repo else None
    env = {
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": event_file(tmp_path, json.dumps(payload)),
        "GITHUB_TOKEN": TOKEN,
    }
    run_ = read_run(env)
    assert (run_.repo, run_.number, run_.action, run_.from_fork) == (
        REPO,
        NUMBER,
        "synchronize",
        from_fork,
    )
    assert run_.api_url == "https://api.github.com" and run_.step_summary is None
