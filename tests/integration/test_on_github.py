"""The reviewer against a fake GitHub as strict as GitHub's documented rules (issue 10).

Each test names the defect it guards; each failed on the code before its fix.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot import markers
from bot.github import GitHubApp
from bot.reviewing import Trigger
from tests.fakes.app_keys import AppKey, generate_app_key
from tests.fakes.github_hunks import MSG_LINE_NOT_IN_DIFF
from tests.fakes.github_server import FakeGitHub
from tests.fakes.llm_reviewer import Rule, pattern_reviewer
from tests.fakes.llm_server import FakeLLM
from tests.integration.bot_harness import (
    APP_ID,
    HEAD,
    INSTALLATION,
    NUMBER,
    REPO,
    USERS_PATCH,
    fast_options,
    seed_pull,
)
from tests.integration.review_scene import Scene, scene

SQL = Rule(r"SELECT .*%", "SQL built by string formatting", "security")
TWO_QUERIES = (
    "@@ -1,3 +1,7 @@\n"
    " import sqlite3\n"
    " \n"
    " def find_user(conn, name):\n"
    "+    query = \"SELECT * FROM users WHERE name = '%s'\" % name\n"
    "+    other = \"SELECT * FROM admins WHERE name = '%s'\" % name\n"
    "+    return conn.execute(query).fetchone()\n"
    "+\n"
)
NO_QUERIES = (
    "@@ -1,3 +1,5 @@\n"
    " import sqlite3\n"
    " \n"
    " def find_user(conn, name):\n"
    '+    return conn.execute("SELECT * FROM users WHERE name = ?", (name,)).fetchone()\n'
    "+\n"
)


@pytest.fixture
def world(
    tmp_path: Path,
    fake_github: FakeGitHub,
    fake_github_url: str,
    fake_llm: FakeLLM,
    fake_llm_url: str,
    app_key: AppKey,
) -> Iterator[Scene]:
    seed_pull(fake_github)
    fake_llm.responder = pattern_reviewer(SQL)
    with scene(tmp_path, fake_github, fake_github_url, fake_llm_url, app_key) as ready:
        yield ready


def sql_threads(fake: FakeGitHub) -> list[int]:
    return [c.id for c in fake.review_comments(REPO, NUMBER) if SQL.title in c.body]


def test_fixed_threads_are_resolved_from_one_listing(world: Scene) -> None:
    """Item 14: resolving re-fetched every review thread once per comment."""
    world.fake.set_permissions(INSTALLATION, contents="write")
    world.push("1" * 40, TWO_QUERIES)
    world.review()
    roots = sql_threads(world.fake)
    assert len(roots) == 2
    world.push("2" * 40, NO_QUERIES)

    outcome = world.review()

    assert outcome.resolved == 2
    assert all(world.fake.thread_resolved(root) for root in roots)
    assert len(graphql_calls(world.fake, "reviewThreads")) == 1


def graphql_calls(fake: FakeGitHub, operation: str) -> list[object]:
    return [r for r in fake.requests("POST", "graphql$") if operation in r.json["query"]]


def test_resolution_refused_without_contents_write_is_reported_not_fatal(world: Scene) -> None:
    """Item 7: GitHub refuses resolveReviewThread without Contents: write; the job failed."""
    world.push("1" * 40, TWO_QUERIES)
    world.review()
    world.push("2" * 40, NO_QUERIES)

    outcome = world.review()  # the manifest grants Contents: read only

    assert outcome.resolved == 0
    assert not any(world.fake.thread_resolved(root) for root in sql_threads(world.fake))
    assert len(graphql_calls(world.fake, "resolveReviewThread")) == 1  # no retry per thread
    assert (
        "2 fixed thread(s) left open: GitHub resolves review threads only for Apps granted "
        "Contents: write" in world.summary()
    )


JSON_ADDED = (
    "@@ -1,3 +1,5 @@\n"
    " import sqlite3\n"
    "+import json\n"
    " \n"
    " def find_user(conn, name):\n"
    "+    return conn.execute(name)\n"
)
JSON_ADDED_HEAD = (
    "import sqlite3\nimport json\n\ndef find_user(conn, name):\n    return conn.execute(name)\n"
)
JSON_GONE = (
    "@@ -1,3 +1,4 @@\n"
    " import sqlite3\n"
    " \n"
    " def find_user(conn, name):\n"
    "+    return conn.execute(name)\n"
)
JSON_GONE_HEAD = "import sqlite3\n\ndef find_user(conn, name):\n    return conn.execute(name)\n"


@pytest.fixture
def keyless(
    tmp_path: Path,
    fake_github: FakeGitHub,
    fake_github_url: str,
    fake_llm_url: str,
    app_key: AppKey,
) -> Iterator[Scene]:
    """No model at all: the static reviewers alone (the offline default)."""
    seed_pull(fake_github)
    with scene(
        tmp_path, fake_github, fake_github_url, fake_llm_url, app_key, keyless=True
    ) as ready:
        yield ready


def unused_import_threads(fake: FakeGitHub) -> list[int]:
    return [
        c.id for c in fake.review_comments(REPO, NUMBER) if "`json` imported but unused" in c.body
    ]


def test_keyless_install_resolves_a_fixed_static_finding(keyless: Scene) -> None:
    """Item 12: without a model no file counted as reviewed in full, so static findings
    that were fixed never had their threads resolved."""
    keyless.fake.set_permissions(INSTALLATION, contents="write")
    keyless.push("1" * 40, JSON_ADDED, JSON_ADDED_HEAD)
    keyless.review()
    [root] = unused_import_threads(keyless.fake)
    keyless.push("2" * 40, JSON_GONE, JSON_GONE_HEAD)

    outcome = keyless.review()

    assert "frontier model not configured" in keyless.summary()  # the logic was not reviewed
    assert outcome.resolved == 1 and keyless.fake.thread_resolved(root)


def test_a_model_finding_stays_open_when_no_model_ran(
    world: Scene, tmp_path: Path, fake_github_url: str, fake_llm_url: str, app_key: AppKey
) -> None:
    """Item 12's other half: a model's finding is resolved only when that model ran."""
    world.fake.set_permissions(INSTALLATION, contents="write")
    world.push("1" * 40, TWO_QUERIES)
    world.review()
    world.push("2" * 40, NO_QUERIES)
    keys_gone = tmp_path / "keyless"
    with scene(keys_gone, world.fake, fake_github_url, fake_llm_url, app_key, keyless=True) as off:
        outcome = off.review()

    assert outcome.resolved == 0
    assert not any(world.fake.thread_resolved(root) for root in sql_threads(world.fake))


def test_a_deleting_suggestion_removes_exactly_its_lines(keyless: Scene) -> None:
    """Item 13: the suggestion for an unused import replaced it with a blank line."""
    keyless.push("1" * 40, JSON_ADDED, JSON_ADDED_HEAD)
    keyless.review()
    [root] = unused_import_threads(keyless.fake)
    [comment] = [c for c in keyless.fake.review_comments(REPO, NUMBER) if c.id == root]
    assert (comment.start_line, comment.line) == (None, 2)

    assert keyless.fake.apply_suggestion(root) == JSON_ADDED_HEAD.replace("import json\n", "")


def test_only_a_thumbs_down_from_write_access_suppresses(world: Scene) -> None:
    """Item 3: reactions were counted without asking who reacted, so a read-only user (or
    the PR's author) could silence a finding in every future pull request."""
    world.review()
    [root] = sql_threads(world.fake)
    world.fake.set_permission(REPO, "drive-by", "read")
    world.fake.react("pulls", root, "-1", "drive-by")
    world.fake.react("pulls", root, "-1", "other-bot[bot]")
    world.push("3" * 40, USERS_PATCH)

    world.review()

    assert world.state.suppressions(REPO).fingerprints == frozenset()
    world.fake.react("pulls", root, "-1", "maintainer")  # seed_pull: maintainer has write
    world.push("4" * 40, USERS_PATCH)

    assert world.review().suppressed == 1
    assert len(world.state.suppressions(REPO).fingerprints) == 1


def test_another_bots_comment_with_our_marker_is_not_ours(
    world: Scene, fake_github_url: str
) -> None:
    """Item 4: any Bot's comment was taken for prbot's: a second bot quoting prbot's
    summary marker made prbot skip the review, or overwrite that bot's comment."""
    other_key = generate_app_key()
    world.fake.install_other_app(777, "otherbot", other_key.public_pem, 7777, REPO)
    other = GitHubApp("777", other_key.private_pem, fast_options(fake_github_url))
    quoted = f"prbot said:\n{markers.summary_marker(HEAD)}\n"
    other_id = other.client(7777).create_issue_comment(REPO, NUMBER, quoted)
    other.close()

    outcome = world.review(Trigger(automatic=True))

    assert outcome.skipped is None and outcome.posted == 1
    by_id = {c.id: c for c in world.fake.issue_comments(REPO, NUMBER)}
    assert (by_id[other_id].user, by_id[other_id].body) == ("otherbot[bot]", quoted)
    listed = {c.id: c.via_app_id for c in world.client.list_issue_comments(REPO, NUMBER)}
    assert listed[other_id] == 777
    assert sorted(listed.values()) == [777, APP_ID]  # ours: a summary of its own


def test_findings_moved_into_the_review_body_are_not_posted_again(world: Scene) -> None:
    """Item 5: a finding GitHub refused inline went into the review body, and was posted
    again on every push: body findings lacked the fingerprint dedupe."""
    refused = {"message": "Unprocessable Entity", "errors": [MSG_LINE_NOT_IN_DIFF]}
    world.fake.inject("POST", r"/pulls/12/reviews$", 422, times=1, body=refused)
    world.review()
    [review] = world.fake.reviews(REPO, NUMBER)
    assert SQL.title in review.body and sql_threads(world.fake) == []

    for head in ("5" * 40, "6" * 40):
        world.push(head, USERS_PATCH)
        world.review()

    assert len(world.fake.reviews(REPO, NUMBER)) == 1
    assert sql_threads(world.fake) == []
