"""One PullReviewer wired to the fake GitHub and the fake model server, without a webhook.

For tests of what the reviewer asks of GitHub (issue 10): the real PyGithub client, the
real pipeline (static reviewers and a scripted model behind the real anthropic SDK), a
SQLite state store. The end-to-end suite (test_e2e.py) covers the same paths through the
webhook, on both backends.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bot import markers
from bot.github import GitHubApp, GitHubClient
from bot.pipeline import Pipeline, build_pipeline
from bot.reviewing import Outcome, PullReviewer, Trigger
from bot.state import SqliteState
from reviewers.cache import DiskCache
from tests.fakes.app_keys import AppKey
from tests.fakes.github_server import FakeGitHub
from tests.integration.bot_harness import (
    APP_ID,
    INSTALLATION,
    NUMBER,
    REPO,
    USERS_HEAD,
    fast_options,
    settings_for,
)


@dataclass
class Scene:
    fake: FakeGitHub
    client: GitHubClient
    pipeline: Pipeline
    state: SqliteState
    loop: asyncio.AbstractEventLoop  # one loop: the model SDK clients stay bound to it

    def review(self, trigger: Trigger | None = None) -> Outcome:
        reviewer = PullReviewer(self.client, self.pipeline, self.state)
        run = reviewer.run(REPO, NUMBER, trigger or Trigger(automatic=False))
        return self.loop.run_until_complete(run)

    def push(self, head: str, patch: str, text: str = USERS_HEAD) -> None:
        self.fake.push(REPO, NUMBER, head, patches={"app/users.py": patch})
        self.fake.set_file_content(REPO, head, "app/users.py", text)

    def summary(self) -> str:
        bodies = [c.body for c in self.fake.issue_comments(REPO, NUMBER)]
        return next(b for b in bodies if markers.is_summary(b))


@contextmanager
def scene(
    tmp: Path, fake: FakeGitHub, github_url: str, llm_url: str, key: AppKey, keyless: bool = False
) -> Iterator[Scene]:
    extra: dict[str, object] = {"frontier_models": []} if keyless else {}
    settings = settings_for(tmp, github_url, llm_url, key, **extra)
    pipeline = build_pipeline(settings, {"TEST_ANTHROPIC_KEY": "test-key"})
    app = GitHubApp(str(APP_ID), key.private_pem, fast_options(github_url))
    state = SqliteState(tmp / "state.sqlite3").open()
    loop = asyncio.new_event_loop()
    try:
        yield Scene(fake, app.client(INSTALLATION), pipeline, state, loop)
    finally:
        state.close()
        app.close()
        loop.run_until_complete(pipeline.aclose())
        loop.close()
        if isinstance(pipeline.cache, DiskCache):
            pipeline.cache.close()
