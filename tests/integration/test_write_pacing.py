"""GitHub writes of one installation are serial and spaced, across threads and processes.

The fake GitHub runs behind tests/fakes/github_limits.py, which refuses a write that
arrives while another write of the installation is running, or sooner than `GAP` after the
previous one (GitHub asks for 1 s; a shorter gap keeps the test quick, the rule is the
same), and counts every refusal.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest

from bot.github import ClientOptions, GitHubApp, GitHubRateLimited
from bot.github_pacing import LocalPacer, RedisPacer, WritePacer
from bot.redis_store import redis_client
from bot.settings import Settings
from tests.fakes.app_keys import AppKey
from tests.fakes.github_limits import GitHubLimits
from tests.fakes.github_server import FakeGitHub
from tests.fakes.servers import ServerThread
from tests.integration.conftest import APP_ID, INSTALLATION, REPO
from tests.integration.redis_server import delete_prefix, unique_prefix

GAP = 0.25
WRITERS = 3
WRITES_EACH = 3


@pytest.fixture
def limits(demo: FakeGitHub) -> Iterator[tuple[GitHubLimits, str]]:
    gate = GitHubLimits(demo.app, demo.state, write_gap=GAP, retry_after=1)
    server = ServerThread(gate).start()
    try:
        yield gate, server.base_url
    finally:
        server.stop()


def options(url: str) -> ClientOptions:
    # PyGithub's own pacing as configured in production: per client, not thread-safe.
    return ClientOptions(base_url=url, seconds_between_writes=GAP, retries=0, max_rate_limit_wait=1)


def write_at_once(apps: list[GitHubApp]) -> list[BaseException]:
    """WRITERS threads, each with the app of its index (modulo), all writing at once."""
    start = threading.Barrier(WRITERS)
    errors: list[BaseException] = []

    def writer(index: int) -> None:
        client = apps[index % len(apps)].client(INSTALLATION)
        start.wait()
        for n in range(WRITES_EACH):
            try:
                client.create_issue_comment(REPO, 1, f"writer {index} comment {n}")
            except GitHubRateLimited as refused:
                errors.append(refused)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def assert_paced(gate: GitHubLimits, demo: FakeGitHub, errors: list[BaseException]) -> None:
    assert errors == [] and dict(gate.violations) == {}
    arrivals = gate.writes_of(INSTALLATION)
    assert len(arrivals) == WRITERS * WRITES_EACH
    gaps = [b - a for a, b in zip(arrivals, arrivals[1:], strict=False)]
    assert min(gaps) >= GAP
    assert len(demo.issue_comments(REPO, 1)) == WRITERS * WRITES_EACH


def test_the_fake_refuses_writes_closer_than_the_gap(
    limits: tuple[GitHubLimits, str], app_key: AppKey
) -> None:
    gate, url = limits
    unpaced = ClientOptions(
        base_url=url, seconds_between_writes=0, retries=0, max_rate_limit_wait=1
    )
    app = GitHubApp(str(APP_ID), app_key.private_pem, unpaced)
    client = app.client(INSTALLATION)
    client.create_issue_comment(REPO, 1, "first")
    with pytest.raises(GitHubRateLimited):
        client.create_issue_comment(REPO, 1, "second, at once")
    assert gate.violations == {"write_gap": 1}
    gate.enabled = False  # switched off per test: the same write goes through
    client.create_issue_comment(REPO, 1, "third, unchecked")
    app.close()


def test_threads_sharing_a_client_write_one_at_a_time_and_spaced(
    limits: tuple[GitHubLimits, str], demo: FakeGitHub, app_key: AppKey
) -> None:
    gate, url = limits
    app = GitHubApp(str(APP_ID), app_key.private_pem, options(url))
    errors = write_at_once([app])
    app.close()
    assert_paced(gate, demo, errors)


@pytest.fixture
def redis_pacers(redis_url: str) -> Iterator[Callable[[], WritePacer]]:
    prefix = unique_prefix()
    clients = []

    def make() -> WritePacer:
        client = redis_client(Settings(redis_url=redis_url))
        clients.append(client)
        return RedisPacer(client, prefix, GAP)

    yield make
    for client in clients:
        client.close()
    delete_prefix(redis_url, prefix)


def test_processes_on_one_redis_write_one_at_a_time_and_spaced(
    limits: tuple[GitHubLimits, str],
    demo: FakeGitHub,
    app_key: AppKey,
    redis_pacers: Callable[[], WritePacer],
) -> None:
    """Each writer has an App and a pacer of its own, as separate worker processes have:
    only Redis coordinates them."""
    gate, url = limits
    apps = [
        GitHubApp(str(APP_ID), app_key.private_pem, options(url), pacer=redis_pacers())
        for _ in range(WRITERS)
    ]
    errors = write_at_once(apps)
    for app in apps:
        app.close()
    assert_paced(gate, demo, errors)


def test_local_pacer_spaces_from_the_end_of_the_last_write() -> None:
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    pacer = LocalPacer(1.0, clock=lambda: now[0], sleep=sleep)
    with pacer.slot("7"):
        now[0] += 0.4  # the write takes 0.4 s
    with pacer.slot("8"):  # another installation: not held back
        pass
    now[0] += 0.3
    with pacer.slot("7"):
        pass
    assert slept == [pytest.approx(0.7)]
