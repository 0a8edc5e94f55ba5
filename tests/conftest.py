"""Shared fixtures: one fake LLM server per test session, reset before every test; one Redis
per session for the tests of the redis backend."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.llm_server import FakeLLM, create_fake_llm_app
from tests.fakes.servers import ServerThread
from tests.integration.redis_server import redis_for_tests


@pytest.fixture(scope="session")
def _fake_llm_session() -> Iterator[tuple[FakeLLM, ServerThread]]:
    fake = FakeLLM()
    server = ServerThread(create_fake_llm_app(fake)).start()
    try:
        yield fake, server
    finally:
        server.stop()


@pytest.fixture
def fake_llm(_fake_llm_session: tuple[FakeLLM, ServerThread]) -> FakeLLM:
    """The running fake's state, reset: no script, no log, empty prompt cache, no api key."""
    fake, _ = _fake_llm_session
    fake.reset()
    return fake


@pytest.fixture
def fake_llm_url(_fake_llm_session: tuple[FakeLLM, ServerThread]) -> str:
    """http://127.0.0.1:PORT - the Anthropic base_url; OpenAI clients append /v1."""
    return _fake_llm_session[1].base_url


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Redis for the redis backend's tests (tests/integration/redis_server.py): fails in
    CI and skips elsewhere when there is none."""
    with redis_for_tests(tmp_path_factory.mktemp("redis")) as url:
        yield url
