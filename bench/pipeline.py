"""What the benchmark reviews with: the server's review settings, built from reviewers/ alone.

`python -m bench run` reads the same PRBOT_* variables the server reads for its review
(PRBOT_SMALL_MODELS, PRBOT_FRONTIER_MODELS, PRBOT_PRICES, PRBOT_BUDGET_USD, PRBOT_DATA_DIR,
...: reviewers/settings.py), ignores the server's other ones, and never imports bot/.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from pydantic_settings import BaseSettings, SettingsConfigDict

from adapters.ruff import build_linter
from reviewers.cache import DiskCache, NoCache, ReviewCache
from reviewers.prompts import PromptSet, default_prompts_dir, load_prompts
from reviewers.review import Models, ReviewConfig
from reviewers.settings import ReviewSettings, build_config, build_models
from reviewers.static import Linter


class BenchSettings(ReviewSettings, BaseSettings):
    """The review part of the server's settings, from PRBOT_* environment variables."""

    # "ignore": the server's own variables (PRBOT_WEBHOOK_SECRET, ...) are not ours to check.
    model_config = SettingsConfigDict(env_prefix="PRBOT_", extra="ignore")


@dataclass(frozen=True, slots=True)
class BenchPipeline:
    models: Models
    prompts: PromptSet
    config: ReviewConfig
    cache: ReviewCache
    notes: tuple[str, ...] = ()  # how the roles were resolved
    linter: Linter | None = None  # ruff for the static tier, as the server runs it

    def close(self) -> None:
        if isinstance(self.cache, DiskCache):
            self.cache.close()


def build_bench_pipeline(
    settings: ReviewSettings, env: Mapping[str, str], use_cache: bool
) -> BenchPipeline:
    """Models, prompts, config and cache as the server builds them from the same settings."""
    models, notes = build_models(settings, env)
    cache: ReviewCache = DiskCache(settings.review_cache_dir) if use_cache else NoCache()
    prompts = load_prompts(settings.prompts_dir or default_prompts_dir())
    linter, linter_notes = build_linter()
    config = build_config(settings)
    return BenchPipeline(models, prompts, config, cache, tuple(notes + linter_notes), linter)
