"""List prices per model and the cost of one call's tokens."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from reviewers.models import TokenUsage

_PER_TOKEN = 1_000_000.0


@dataclass(frozen=True, slots=True)
class Price:
    """USD per million tokens. `input` is the uncached rate; cache reads/writes are their own."""

    input: float
    output: float
    cache_read: float
    cache_write: float


# Standard-tier list prices, from ../shared/reference/github-and-llm-apis.md section 5
# ("Models and list prices"), read 2026-11. Defaults only: deployments override them from config,
# since prices move and several OpenAI figures there come from third-party trackers.
# - claude-haiku-5-5: the <=100K-token-prompt tier ($0.50/$2.50 above it is not modelled);
#   cache write is the 5-minute TTL rate, which is the TTL the providers request.
# - Sonnet/Opus 5.5: read x0.10 (Sonnet's $0.10 is quoted), write x1.25 of base input.
# - gpt-6.1-sol: no write rate is quoted; "from GPT-5.6 on, cache writes cost 1.25x".
# - local: a self-hosted openai-compatible server costs nothing per token.
DEFAULT_PRICES: Mapping[str, Price] = MappingProxyType(
    {
        "claude-haiku-5-5": Price(input=0.10, output=0.50, cache_read=0.01, cache_write=0.125),
        "claude-sonnet-5-5": Price(input=2.00, output=10.00, cache_read=0.10, cache_write=2.50),
        "claude-opus-5-5": Price(input=4.00, output=20.00, cache_read=0.40, cache_write=5.00),
        "gpt-6-luna": Price(input=0.10, output=0.50, cache_read=0.01, cache_write=0.125),
        "gpt-6.1-terra": Price(input=1.00, output=5.00, cache_read=0.05, cache_write=1.25),
        "gpt-6.1-sol": Price(input=2.00, output=10.00, cache_read=0.10, cache_write=2.50),
        "local": Price(input=0.0, output=0.0, cache_read=0.0, cache_write=0.0),
    }
)


def price_for(model: str, table: Mapping[str, Price]) -> Price | None:
    """The price of `model`: an exact entry, else the longest key that prefixes it, else None.

    Prefix matching lets dated snapshots ("claude-sonnet-5-5-20261007") share their family's
    price. None means "price unknown": the caller counts the cost as 0.0 and says so.
    """
    if model in table:
        return table[model]
    matches = [key for key in table if key and model.startswith(key)]
    if not matches:
        return None
    return table[max(matches, key=len)]


def cost_usd(tokens: TokenUsage, price: Price) -> float:
    """What the tokens of one or more calls cost at `price`, in USD."""
    return (
        tokens.input_tokens * price.input
        + tokens.output_tokens * price.output
        + tokens.cache_read_tokens * price.cache_read
        + tokens.cache_write_tokens * price.cache_write
    ) / _PER_TOKEN
