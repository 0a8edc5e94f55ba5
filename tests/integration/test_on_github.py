"""The reviewer against a fake GitHub as strict as GitHub's documented rules (issue 10).

Each test names the defect it guards; each failed on the code before its fix.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakes.app_keys import AppKey
from tests.fakes.github_server import FakeGitHub
from tests.fakes.llm_reviewer import Rule, pattern_reviewer
from tests.fakes.llm_server import FakeLLM
from tests.integration.bot_harness import INSTALLATION, NUMBER, REPO, seed_pull
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
