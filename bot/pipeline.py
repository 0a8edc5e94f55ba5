"""Build the review machinery (models, prompts, config, cache) from Settings, once."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from bot.repoconfig import RoleModels
from bot.settings import Settings
from reviewers.cache import DiskCache, NoCache, ReviewCache
from reviewers.llm.base import LLM, LLMNotConfigured
from reviewers.llm.chain import Closable, FallbackLLM
from reviewers.llm.pricing import DEFAULT_PRICES
from reviewers.llm.spec import ModelSpec, build_llm, build_role
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
    choices: Mapping[str, LLM] = field(default_factory=dict)  # allowlisted models, by name

    async def aclose(self) -> None:
        """Close the SDK clients' connection pools, on the loop that used them."""
        for llm in (self.models.small, self.models.frontier, *self.choices.values()):
            if isinstance(llm, Closable):
                await llm.aclose()


def models_for(pipeline: Pipeline, wanted: RoleModels) -> tuple[Models, list[str]]:
    """The roles a repository asked for, each falling back to the server's own chain.

    A repository names a model; only names on the server's allowlist (with a key) are
    honoured, so a repository can never point the bot at an endpoint of its choosing.
    """
    roles = {"small": pipeline.models.small, "frontier": pipeline.models.frontier}
    notes = []
    for role, name in (("small", wanted.small), ("frontier", wanted.frontier)):
        if not name:
            continue
        choice = pipeline.choices.get(name)
        if choice is None:
            notes.append(
                f"model {name} for the {role} role is not allowed on this server: ignored."
            )
            continue
        default = roles[role]
        roles[role] = FallbackLLM([choice, default]) if default is not None else choice
    return Models(small=roles["small"], frontier=roles["frontier"]), notes


def build_choices(specs: Sequence[ModelSpec], env: Mapping[str, str]) -> dict[str, LLM]:
    choices: dict[str, LLM] = {}
    for spec in specs:
        try:
            choices[spec.model] = build_llm(spec, env)
        except LLMNotConfigured:
            continue  # no key for it here: a repository asking for it gets the default
    return choices


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
        build_choices(settings.allowed_models, env),
    )
