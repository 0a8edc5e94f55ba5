"""Build the review machinery (models, prompts, config, cache) from Settings, once."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.settings import Settings
from reviewers.cache import DiskCache, NoCache, ReviewCache
from reviewers.llm.base import LLM, LLMNotConfigured
from reviewers.llm.pricing import DEFAULT_PRICES
from reviewers.llm.spec import ModelSpec, build_role
from reviewers.prompts import PromptSet, default_prompts_dir, load_prompts
from reviewers.review import Mode, Models, ReviewConfig
from reviewers.triage import TriageRules


@dataclass(frozen=True, slots=True)
class Pipeline:
    models: Models
    prompts: PromptSet
    config: ReviewConfig
    cache: ReviewCache
    notes: tuple[str, ...] = ()  # how the roles were resolved, for logs and `prbot review`


def build_role_or_none(
    specs: Sequence[ModelSpec], env: Mapping[str, str], role: str
) -> tuple[LLM | None, list[str]]:
    try:
        llm = build_role(specs, env, role)
    except LLMNotConfigured as error:
        return None, [str(error)]
    return llm, [f"{role} model {s} left out" for s in llm.skipped]


def build_pipeline(
    settings: Settings,
    env: Mapping[str, str],
    mode: Mode = "routed",
    use_cache: bool = True,
    rules: TriageRules | None = None,
    instructions: str = "",
    cache: ReviewCache | None = None,
) -> Pipeline:
    """`cache`: where hunk results are kept (e.g. on Redis); default a DiskCache under
    settings.review_cache_dir. `use_cache=False` wins over both."""
    small, small_notes = build_role_or_none(settings.small_models, env, "small")
    frontier, frontier_notes = build_role_or_none(settings.frontier_models, env, "frontier")
    config = ReviewConfig(
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
    if not use_cache:
        cache = NoCache()
    elif cache is None:
        cache = DiskCache(settings.review_cache_dir)
    prompts = load_prompts(settings.prompts_dir or default_prompts_dir())
    return Pipeline(
        Models(small=small, frontier=frontier),
        prompts,
        config,
        cache,
        tuple(small_notes + frontier_notes),
    )
