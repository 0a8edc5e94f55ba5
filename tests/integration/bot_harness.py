"""The whole bot wired to the loopback fakes: fake GitHub, fake model server, temp data dir.

On either backend: "embedded" (in-process workers on SQLite) or "redis" (workers in a
thread, as `prbot worker` runs them, on a test Redis under a key prefix of its own).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from bot.backends import open_job_admin
from bot.github import ClientOptions
from bot.jobs import JobRecord, JobStatus
from bot.jobs_sqlite import SqliteJobQueue
from bot.server import Server, build_server, job_handler
from bot.settings import Settings
from reviewers.llm.spec import ModelSpec
from tests.fakes.app_keys import AppKey
from tests.fakes.github_server import FakeGitHub
from tests.fakes.servers import serve
from tests.fakes.webhook_sender import WebhookSender
from tests.integration.redis_server import delete_prefix, unique_prefix, worker_thread

SECRET = "it's-a-test-secret"
APP_ID = 4242
INSTALLATION = 4242  # the webhook_sender payloads' installation id
REPO = "octo-org/widgets"  # the webhook_sender payloads' repository
NUMBER = 12
HEAD = "6dcb09b5b57875f334f61aebed695e2e4193db5e"
BASE = "9049f1265b7d61be4a8904a9a27120d2064dab3b"

USERS_PATCH = (
    "@@ -1,5 +1,6 @@\n"
    " import sqlite3\n"
    " \n"
    " def find_user(conn, name):\n"
    '-    return conn.execute("SELECT * FROM users WHERE name = ?", (name,)).fetchone()\n'
    "+    query = \"SELECT * FROM users WHERE name = '%s'\" % name\n"
    "+    return conn.execute(query).fetchone()\n"
    " "
)
USERS_HEAD = (
    "import sqlite3\n\ndef find_user(conn, name):\n"
    "    query = \"SELECT * FROM users WHERE name = '%s'\" % name\n"
    "    return conn.execute(query).fetchone()\n\n"
)


def settings_for(tmp: Path, github_url: str, llm_url: str, key: AppKey, **kw: object) -> Settings:
    values: dict[str, object] = dict(
        webhook_secret=SECRET,
        app_id=str(APP_ID),
        private_key=key.private_pem,
        github_url=github_url,
        github_write_gap_seconds=0,
        data_dir=tmp / "data",
        workers=1,
        job_poll_seconds=0.05,
        job_backoff_seconds=0.2,
        small_models=[],
        frontier_models=[
            ModelSpec(
                provider="anthropic",
                model="claude-sonnet-5-5",
                base_url=llm_url,
                api_key_env="TEST_ANTHROPIC_KEY",
                max_retries=1,
                timeout_s=10,
            )
        ],
    )
    values.update(kw)
    return Settings(**values)  # type: ignore[arg-type]


def backend_settings(backend: str, redis_url: str | None = None) -> dict[str, object]:
    """settings_for() keywords for a backend; redis gets a key prefix of its own."""
    if backend == "embedded":
        return {}
    return dict(
        backend="redis",
        redis_url=redis_url,
        redis_prefix=unique_prefix(),
    )


def seed_pull(fake: FakeGitHub, head: str = HEAD, patch: str = USERS_PATCH) -> None:
    owner, name = REPO.split("/")
    fake.add_installation(INSTALLATION, account=owner)
    fake.add_repo(owner, name, installation_id=INSTALLATION)
    fake.add_pull_request(
        owner,
        name,
        NUMBER,
        head_sha=head,
        base_sha=BASE,
        files=[("app/users.py", "modified", patch, None)],
        title="Find users by name",
        body="Please review.",
        user="contributor",
    )
    fake.set_file_content(REPO, head, "app/users.py", USERS_HEAD)
    fake.set_permission(REPO, "maintainer", "write")


def fast_options(github_url: str) -> ClientOptions:
    return ClientOptions(
        base_url=github_url,
        seconds_between_writes=0,
        retries=2,
        backoff_factor=0,
        secondary_rate_wait=1,
        max_rate_limit_wait=5,
    )


@dataclass
class RunningBot:
    server: Server
    sender: WebhookSender

    def record(self, delivery_id: str) -> JobRecord | None:
        """The job of one delivery, as `prbot jobs` shows it (either backend)."""
        admin = open_job_admin(self.server.context.settings)
        try:
            return next((r for r in admin.list() if r.delivery_id == delivery_id), None)
        finally:
            admin.close()

    def finished(self, delivery_id: str) -> JobRecord:
        """Wait until the delivery's job completed or failed for good; its record."""

        def done() -> bool:
            record = self.record(delivery_id)
            return record is not None and record.status in (JobStatus.COMPLETED, JobStatus.FAILED)

        wait_for(done, what=f"delivery {delivery_id} to finish")
        record = self.record(delivery_id)
        assert record is not None
        return record

    def idle(self) -> bool:
        """No job queued (retries included) or running, on either backend."""
        if self.server.queue is not None:
            return self.server.queue.depth() == 0
        with SqliteJobQueue(self.server.context.settings.jobs_path) as queue:
            return queue.depth() == 0


@contextmanager
def running_bot(
    settings: Settings,
    github_url: str,
    redis_workers: bool = True,
    env: Mapping[str, str] | None = None,
) -> Iterator[RunningBot]:
    """The server on a free port; on the redis backend also workers in a thread (unless
    `redis_workers` is False: a test that runs its own worker processes)."""
    env = env if env is not None else {"TEST_ANTHROPIC_KEY": "test-key"}
    server = build_server(settings, env, fast_options(github_url))
    try:
        with ExitStack() as stack:
            http = stack.enter_context(serve(server.app))
            if settings.backend == "redis":
                stack.callback(delete_prefix, settings.redis_url, settings.redis_prefix)
                if redis_workers:
                    stack.enter_context(worker_thread(settings, job_handler(server.context)))
            yield RunningBot(server, WebhookSender(http.base_url, SECRET.encode()))
    finally:
        server.close()


def wait_for(
    condition: Callable[[], bool], timeout: float = 120.0, what: str = "condition"
) -> None:
    """Until `condition` holds; `timeout` only ends a wait that would never end (a hung
    test), it is no claim about speed: a loaded machine is slow, not wrong."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)
