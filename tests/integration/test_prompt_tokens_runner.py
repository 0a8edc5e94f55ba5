"""The token harness (tests/perf/prompt_tokens.py) end to end on the small PR: the real
`prbot review` against the fake model server, every request body counted."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.prgen import generate_all
from bench.prompt_tokens import request_texts
from tests.fakes.llm_server import FakeLLM
from tests.perf.prompt_tokens import ANSWERING, Setup, measure

pytestmark = pytest.mark.slow


def words(text: str) -> int:
    return len(text.split())


@pytest.mark.parametrize("provider", ["openai", "anthropic"])
def test_every_request_the_review_sent_is_counted(
    provider: str, fake_llm: FakeLLM, fake_llm_url: str, tmp_path: Path
) -> None:
    prs = generate_all(tmp_path / "prs", ("small",))
    setup = Setup(provider, "routed", fake_llm_url, words)
    rows, followup, first = measure(prs, setup, fake_llm, tmp_path)
    assert followup is None and first is None
    [small] = rows
    sent = [r for r in fake_llm.requests if r.path in ANSWERING]
    assert sent and small.calls == len(sent)
    assert small.tokens == sum(
        words(t) for r in sent if r.api for t in request_texts(r.api, r.body)
    )
    assert (small.changed_lines, small.files, small.files_reviewed, small.files_in_prompt) == (
        58,
        1,
        1,
        1,
    )
    assert small.reported_input > 0  # the review's own usage, as the fake reported it
