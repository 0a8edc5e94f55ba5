"""Integration fixtures: one fake GitHub server per session (reset per test), an App key, a PR."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.github import ClientOptions, GitHubApp, GitHubClient
from tests.fakes.app_keys import AppKey, generate_app_key
from tests.fakes.github_server import FakeGitHub
from tests.fakes.servers import ServerThread

APP_ID = 4242
INSTALLATION = 7
REPO = "octo/demo"
HEAD = "a" * 40
BASE = "b" * 40

# a.py: two hunks. RIGHT lines 1-5 and 11-14; LEFT lines 1-4 and 10-12.
PATCH_A = (
    "@@ -1,4 +1,5 @@\n"
    " import os\n"
    "-import sys\n"
    "+import json\n"
    "+import re\n"
    " \n"
    " def main():\n"
    "@@ -10,3 +11,4 @@ def main():\n"
    "     x = 1\n"
    "     y = 2\n"
    "+    z = 3\n"
    "     return x"
)
PATCH_B = "@@ -0,0 +1,3 @@\n+a = 1\n+b = 2\n+c = 3"  # added file: RIGHT 1-3
PATCH_GONE = "@@ -1,2 +0,0 @@\n-x = 1\n-y = 2"  # removed file: LEFT 1-2
DEMO_FILES = [
    ("a.py", "modified", PATCH_A, None),
    ("b.py", "added", PATCH_B, None),
    ("logo.png", "added", None, None),
    ("gone.py", "removed", PATCH_GONE, None),
]


@pytest.fixture(scope="session")
def app_key() -> AppKey:
    return generate_app_key()


@pytest.fixture(scope="session")
def _github_session(app_key: AppKey) -> Iterator[tuple[FakeGitHub, ServerThread]]:
    fake = FakeGitHub(app_key.public_pem, app_id=APP_ID)
    server = ServerThread(fake.app).start()
    try:
        yield fake, server
    finally:
        server.stop()


@pytest.fixture
def fake_github(_github_session: tuple[FakeGitHub, ServerThread]) -> FakeGitHub:
    """The running fake, emptied: no repos, tokens, comments, faults or log."""
    fake, _ = _github_session
    fake.reset()
    return fake


@pytest.fixture
def fake_github_url(_github_session: tuple[FakeGitHub, ServerThread]) -> str:
    return _github_session[1].base_url


@pytest.fixture
def options(fake_github_url: str) -> ClientOptions:
    """Loopback, no pacing, quick retries: what every test wants unless it says otherwise."""
    return ClientOptions(
        base_url=fake_github_url,
        seconds_between_writes=0,
        retries=3,
        backoff_factor=0,
        secondary_rate_wait=1,
        max_rate_limit_wait=5,
        per_page=100,
    )


@pytest.fixture
def demo(fake_github: FakeGitHub) -> FakeGitHub:
    """Installation 7 with octo/demo and PR #1 (files: DEMO_FILES)."""
    fake_github.add_installation(INSTALLATION)
    fake_github.add_repo("octo", "demo", installation_id=INSTALLATION)
    fake_github.add_pull_request(
        "octo",
        "demo",
        1,
        head_sha=HEAD,
        base_sha=BASE,
        files=DEMO_FILES,
        title="Add json support",
        body="Please review",
        user="alice",
        labels=["enhancement"],
        head_ref="feature/json",
    )
    return fake_github


@pytest.fixture
def github_app(app_key: AppKey, options: ClientOptions) -> Iterator[GitHubApp]:
    app = GitHubApp(str(APP_ID), app_key.private_pem, options)
    yield app
    app.close()


@pytest.fixture
def client(demo: FakeGitHub, github_app: GitHubApp) -> GitHubClient:
    """An installation client for the demo scenario, as the bot's handlers get one."""
    return github_app.client(INSTALLATION)
