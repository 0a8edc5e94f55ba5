"""The review's settings (model roles, prices, budget, limits) and what they build: pure data.

Shared by the server's Settings (bot/settings.py extends ReviewSettings with the webhook,
queue and GitHub fields, and reads them from PRBOT_* and a settings file) and by the
benchmark (bench/setup.py reads the same PRBOT_* variables), so the benchmark judges
the pipeline the server runs without importing the server.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from pydantic import BaseModel, Field

from reviewers.llm.base import LLM, LLMNotConfigured
from reviewers.llm.pricing import DEFAULT_PRICES, Price
from reviewers.llm.spec import ModelSpec, build_role
from reviewers.review import Mode, Models, ReviewConfig
from reviewers.triage import TriageRules

# Used only when the matching API key is in the environment (see build_role).
DEFAULT_SMALL = (
    ModelSpec(provider="anthropic", model="claude-haiku-5-5"),
    ModelSpec(provider="openai", model="gpt-6-luna"),
)
DEFAULT_FRONTIER = (
    ModelSpec(provider="anthropic", model="claude-sonnet-5-5"),
    ModelSpec(provider="openai", model="gpt-6.1-sol"),
)


class ReviewSettings(BaseModel):
    """What one review needs to know beyond its diff: which models, at what price, how much."""

    data_dir: Path = Path(".prbot")  # caches live here (the server's queue and state too)
    # Each role is a fallback chain; a model whose key is missing is left out and the
    # role is "not configured" when none remains. Env: JSON, e.g.
    # PRBOT_FRONTIER_MODELS='[{"provider": "anthropic", "model": "claude-sonnet-5-5"}]'.
    small_models: list[ModelSpec] = Field(default_factory=lambda: list(DEFAULT_SMALL))
    frontier_models: list[ModelSpec] = Field(default_factory=lambda: list(DEFAULT_FRONTIER))
    prices: dict[str, Price] = Field(default_factory=dict)  # USD per million tokens; overrides
    cache_dir: Path | None = None  # default: <data_dir>/cache
    budget_usd: float | None = Field(default=1.00, ge=0)  # per review
    budget_tokens: int | None = Field(default=None, ge=0)
    max_call_tokens: int = Field(default=6000, gt=0)
    min_confidence: float = Field(default=0.5, ge=0, le=1)
    max_comments: int = Field(default=30, ge=0)
    prompts_dir: Path | None = None  # default: prompts/ beside the packages

    @property
    def review_cache_dir(self) -> Path:
        return self.cache_dir or self.data_dir / "cache"


def build_config(
    settings: ReviewSettings,
    mode: Mode = "routed",
    rules: TriageRules | None = None,
    instructions: str = "",
) -> ReviewConfig:
    """The ReviewConfig of `settings`; prices are the defaults overridden by settings.prices."""
    return ReviewConfig(
        rules=rules or TriageRules(),
        mode=mode,
        max_call_tokens=settings.max_call_tokens,
        budget_usd=settings.budget_usd,
        budget_tokens=settings.budget_tokens,
        prices={**DEFAULT_PRICES, **settings.prices},
        instructions=instructions,
        min_confidence=settings.min_confidence,
        max_comments=settings.max_comments,
    )


def build_models(settings: ReviewSettings, env: Mapping[str, str]) -> tuple[Models, list[str]]:
    """Both roles from their chains (no I/O: clients connect on first use), and notes on
    how each was resolved (a model left out, a role not configured)."""
    small, small_notes = build_role_or_none(settings.small_models, env, "small")
    frontier, frontier_notes = build_role_or_none(settings.frontier_models, env, "frontier")
    return Models(small=small, frontier=frontier), small_notes + frontier_notes


def build_role_or_none(
    specs: Sequence[ModelSpec], env: Mapping[str, str], role: str
) -> tuple[LLM | None, list[str]]:
    try:
        llm = build_role(specs, env, role)
    except LLMNotConfigured as error:
        return None, [str(error)]
    return llm, [f"{role} model {s} left out" for s in llm.skipped]
