"""Per-repository config `.github/prbot.yml`, read from the base branch and validated.

A pull request never configures its own review: the file is read at the base commit.
An invalid file is reported in the summary and the defaults are used.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from reviewers.models import Severity
from reviewers.static.policy import StaticPolicy

CONFIG_PATH = ".github/prbot.yml"
MAX_INSTRUCTIONS_CHARS = 4000


class PathInstruction(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    path: str = Field(min_length=1)  # glob, e.g. "src/api/**"
    text: str = Field(min_length=1, max_length=1000)


class RoleModels(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    small: str | None = None  # a model name from the server's allowlist
    frontier: str | None = None


class RepoConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = True
    review_on_push: bool = True
    review_drafts: bool = False
    include: tuple[str, ...] = ()  # only these paths when set
    ignore: tuple[str, ...] = ()  # never review these paths
    frontier: tuple[str, ...] = ()  # always send these paths to the frontier model
    severity_threshold: Severity = Severity.LOW  # post findings at or above
    max_comments: int = Field(default=20, ge=0, le=100)
    budget_usd: float | None = Field(default=None, ge=0)
    # For every review; `path_instructions` only when the PR touches a matching path. The
    # list form of `instructions` (its first spelling) is read as path_instructions.
    instructions: str = Field(default="", max_length=MAX_INSTRUCTIONS_CHARS)
    path_instructions: tuple[PathInstruction, ...] = ()
    models: RoleModels = RoleModels()
    ignore_authors: tuple[str, ...] = ()
    ignore_labels: tuple[str, ...] = ("no-prbot",)
    static: StaticPolicy = StaticPolicy()  # the static tier: docs/static-rules.md

    @model_validator(mode="before")
    @classmethod
    def _listed_instructions(cls, data: object) -> object:
        """`instructions: [{path, text}]` (the first spelling) means path_instructions."""
        if isinstance(data, dict) and isinstance(data.get("instructions"), list):
            data = dict(data)
            listed = data.pop("instructions")
            others = data.get("path_instructions")
            data["path_instructions"] = [*listed, *others] if isinstance(others, list) else listed
        return data


@dataclass(frozen=True, slots=True)
class LoadedConfig:
    config: RepoConfig
    error: str | None = None  # shown in the summary when the file was invalid


def parse_repo_config(text: str | None) -> LoadedConfig:
    """Parse the file's text (None = no file). Never raises: errors fall back to defaults."""
    if text is None or not text.strip():
        return LoadedConfig(RepoConfig())
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        return LoadedConfig(RepoConfig(), f"{CONFIG_PATH} is not valid YAML: {error}")
    # PyYAML raises ValueError on impossible timestamps (2024-13-45) and RecursionError on
    # absurd nesting: both are a broken file, not a broken bot.
    except (ValueError, RecursionError) as error:
        return LoadedConfig(RepoConfig(), f"{CONFIG_PATH} could not be read: {error}")
    if data is None:
        return LoadedConfig(RepoConfig())
    if not isinstance(data, dict):
        return LoadedConfig(RepoConfig(), f"{CONFIG_PATH} must be a mapping of settings")
    try:
        return LoadedConfig(RepoConfig.model_validate(data))
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors()
        )
        return LoadedConfig(RepoConfig(), f"{CONFIG_PATH} is invalid ({problems})")


def instructions_for(
    config: RepoConfig, paths: Sequence[str], matches: Callable[[str, str], bool]
) -> str:
    """The maintainers' instructions: the repository-wide text, then those whose glob
    matches a changed path; capped in size."""
    texts = [config.instructions.strip()] if config.instructions.strip() else []
    texts += [
        f"- For {rule.path}: {rule.text.strip()}"
        for rule in config.path_instructions
        if any(matches(path, rule.path) for path in paths)
    ]
    return "\n".join(texts)[:MAX_INSTRUCTIONS_CHARS]
