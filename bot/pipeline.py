"""Build the review machinery (models, prompts, config, cache) from Settings, once."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from adapters.ruff import build_linter
from bot.repoconfig import RepoConfig, RoleModels
from bot.settings import Settings
from bot.snapshot import SnapshotStore
from reviewers.cache import DiskCache, NoCache, ReviewCache
from reviewers.llm.base import LLM, LLMNotConfigured
from reviewers.llm.chain import Closable, FallbackLLM
from reviewers.llm.spec import ModelSpec, build_llm
from reviewers.prompts import PromptSet, default_prompts_dir, load_prompts
from reviewers.review import Mode, Models, ReviewConfig
from reviewers.settings import build_config, build_models
from reviewers.static import Linter
from reviewers.static.sarif import SarifInput
from reviewers.triage import TriageRules


@dataclass(frozen=True, slots=True)
class Pipeline:
    models: Models
    prompts: PromptSet
    config: ReviewConfig
    cache: ReviewCache
    notes: tuple[str, ...] = ()  # how the roles were resolved, for logs and `prbot review`
    choices: Mapping[str, LLM] = field(default_factory=dict)  # allowlisted models, by name
    linter: Linter | None = None  # ruff for the static tier; None when it cannot run here
    sarif: tuple[SarifInput, ...] = ()  # other tools' results to merge (the Action's input)
    snapshots: SnapshotStore | None = None  # head trees for repository context (archives)

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


def narrowed(pipeline: Pipeline, repo: RepoConfig) -> tuple[Pipeline, list[str]]:
    """The server's pipeline as a repository's .github/prbot.yml narrows it: its models (from
    the allowlist), at most its max_comments, its budget when it sets one; and notes on the
    wishes that were not honoured."""
    models, notes = models_for(pipeline, repo.models)
    config = replace(
        pipeline.config,
        max_comments=min(pipeline.config.max_comments, repo.max_comments),
        budget_usd=repo.budget_usd if repo.budget_usd is not None else pipeline.config.budget_usd,
        static=repo.static,
    )
    return replace(pipeline, models=models, config=config), notes


def build_choices(specs: Sequence[ModelSpec], env: Mapping[str, str]) -> dict[str, LLM]:
    choices: dict[str, LLM] = {}
    for spec in specs:
        try:
            choices[spec.model] = build_llm(spec, env)
        except LLMNotConfigured:
            continue  # no key for it here: a repository asking for it gets the default
    return choices


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
    models, notes = build_models(settings, env)
    config = build_config(settings, mode, rules, instructions)
    if not use_cache:
        cache = NoCache()
    elif cache is None:
        cache = DiskCache(settings.review_cache_dir)
    prompts = load_prompts(settings.prompts_dir or default_prompts_dir())
    choices = build_choices(settings.allowed_models, env)
    linter, linter_notes = build_linter()
    snapshots = SnapshotStore(settings.data_dir / "snapshots")
    return Pipeline(
        models,
        prompts,
        config,
        cache,
        tuple(notes + linter_notes),
        choices,
        linter,
        snapshots=snapshots,
    )
