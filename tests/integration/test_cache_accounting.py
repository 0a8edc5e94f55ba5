"""Cached-token accounting end to end (issue 9): a review through the real SDKs against the
fake, whose usage reports prompt caching as each API does; the review's cost follows usage."""

from __future__ import annotations

from dataclasses import replace

import pytest

from reviewers.cache import NoCache
from reviewers.diff import parse_diff
from reviewers.llm.chain import Closable
from reviewers.llm.pricing import DEFAULT_PRICES, cost_usd
from reviewers.llm.spec import ModelSpec, Provider, build_llm
from reviewers.models import Route, Usage
from reviewers.prompts import PromptSet, default_prompts_dir, load_prompts
from reviewers.review import Models, ReviewConfig, ReviewInput, review_diff
from tests.fakes.llm_server import FakeLLM
from tests.unit.test_review import DIFF

PROMPTS = load_prompts(default_prompts_dir())
MODELS: dict[Provider, str] = {"anthropic": "claude-sonnet-5-5", "openai": "gpt-6.1-sol"}


def padded(prompts: PromptSet, tokens: int) -> PromptSet:
    """The frontier system prompt made long enough to pass a provider's caching minimum."""
    extra = "\n\nExamples of non-findings: " + "a renamed local variable; " * (tokens // 6)
    return replace(
        prompts, frontier=replace(prompts.frontier, system=prompts.frontier.system + extra)
    )


def frontier_usage(usage: tuple[Usage, ...]) -> Usage:
    (found,) = [u for u in usage if u.route is Route.FRONTIER]
    return found


@pytest.mark.parametrize("provider", ["anthropic", "openai"])
async def test_cache_reads_reach_the_review_cost(
    provider: Provider, fake_llm: FakeLLM, fake_llm_url: str
) -> None:
    url = fake_llm_url if provider == "anthropic" else f"{fake_llm_url}/v1"
    spec = ModelSpec(provider=provider, model=MODELS[provider], base_url=url, api_key_env="none")
    llm = build_llm(spec, {})
    inp = ReviewInput(files=parse_diff(DIFF), title="Find users by name")
    config = ReviewConfig(prices=dict(DEFAULT_PRICES))
    try:
        short = await review_diff(inp, Models(frontier=llm), PROMPTS, config, NoCache())
        long_prompts = padded(PROMPTS, 1500)
        first = await review_diff(inp, Models(frontier=llm), long_prompts, config, NoCache())
        second = await review_diff(inp, Models(frontier=llm), long_prompts, config, NoCache())
    finally:
        assert isinstance(llm, Closable)
        await llm.aclose()

    price = DEFAULT_PRICES[MODELS[provider]]
    below = frontier_usage(short.usage).tokens
    # the shipped prompt's stable prefix is under the minimum: nothing cached, nothing written
    assert (below.cache_read_tokens, below.cache_write_tokens) == (0, 0)
    warm = frontier_usage(second.usage)
    assert frontier_usage(first.usage).tokens.cache_read_tokens == 0
    assert warm.tokens.cache_read_tokens >= 1024
    assert warm.cost_usd == pytest.approx(cost_usd(warm.tokens, price))
    assert warm.cost_usd < frontier_usage(first.usage).cost_usd
