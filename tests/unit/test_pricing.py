"""Prices per model and the cost of token usage."""

from __future__ import annotations

import pytest

from reviewers.llm.pricing import DEFAULT_PRICES, Price, cost_usd, price_for
from reviewers.models import TokenUsage


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("claude-haiku-5-5", "claude-haiku-5-5"),
        ("claude-sonnet-5-5-20261007", "claude-sonnet-5-5"),  # dated snapshot
        ("gpt-6.1-sol", "gpt-6.1-sol"),
        ("gpt-6-luna-2026-09-01", "gpt-6-luna"),
        ("local", "local"),
    ],
)
def test_price_for_known_models(model: str, expected: str) -> None:
    assert price_for(model, DEFAULT_PRICES) is DEFAULT_PRICES[expected]


@pytest.mark.parametrize("model", ["claude-fable-5-1", "gpt-5.6-sol", "smollm2", ""])
def test_price_for_unknown_models_is_none(model: str) -> None:
    assert price_for(model, DEFAULT_PRICES) is None


def test_longest_prefix_wins() -> None:
    short, long = Price(1, 1, 1, 1), Price(2, 2, 2, 2)
    table = {"gpt-6": short, "gpt-6.1-terra": long}
    assert price_for("gpt-6.1-terra-mini", table) is long
    assert price_for("gpt-6-luna", table) is short


@pytest.mark.parametrize(
    ("model", "tokens", "usd"),
    [
        # haiku: $0.10 in, $0.50 out, $0.01 read, $0.125 write per million
        ("claude-haiku-5-5", TokenUsage(1_000_000, 0, 0, 0), 0.10),
        ("claude-haiku-5-5", TokenUsage(0, 1_000_000, 0, 0), 0.50),
        ("claude-haiku-5-5", TokenUsage(0, 0, 1_000_000, 0), 0.01),
        ("claude-haiku-5-5", TokenUsage(0, 0, 0, 1_000_000), 0.125),
        # sonnet: 2,000 in, 500 out, 10,000 read, 4,000 write
        # = 0.004 + 0.005 + 0.001 + 0.010
        ("claude-sonnet-5-5", TokenUsage(2_000, 500, 10_000, 4_000), 0.020),
        ("gpt-6.1-terra", TokenUsage(1_000, 1_000, 1_000, 1_000), 0.0073),
        ("local", TokenUsage(10**9, 10**9, 10**9, 10**9), 0.0),
    ],
)
def test_cost_usd(model: str, tokens: TokenUsage, usd: float) -> None:
    assert cost_usd(tokens, DEFAULT_PRICES[model]) == pytest.approx(usd, rel=1e-12)


def test_cost_is_additive_over_calls() -> None:
    price = DEFAULT_PRICES["gpt-6.1-sol"]
    a, b = TokenUsage(100, 20, 300, 0), TokenUsage(50, 10, 0, 400)
    assert cost_usd(a + b, price) == pytest.approx(cost_usd(a, price) + cost_usd(b, price))


def test_cache_reads_are_cheaper_than_input_and_writes_dearer() -> None:
    for name, price in DEFAULT_PRICES.items():
        if name != "local":
            assert price.cache_read < price.input <= price.cache_write, name


def test_prices_are_frozen() -> None:
    with pytest.raises(AttributeError):
        DEFAULT_PRICES["local"].input = 1.0  # type: ignore[misc]
    with pytest.raises(TypeError):
        DEFAULT_PRICES["new"] = Price(0, 0, 0, 0)  # type: ignore[index]
