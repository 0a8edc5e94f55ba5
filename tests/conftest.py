"""Shared fixtures: one fake LLM server per test session, reset before every test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.llm_server import FakeLLM, create_fake_llm_app
from tests.fakes.servers import ServerThread


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
