"""Per-repo config: valid files apply, invalid ones fall back to defaults with a reason."""

import fnmatch

import pytest

from bot.repoconfig import (
    RepoConfig,
    instructions_for,
    parse_repo_config,
)
from reviewers.models import Severity


def test_missing_or_empty_file_gives_defaults() -> None:
    assert parse_repo_config(None).config == RepoConfig()
    assert parse_repo_config("").error is None
    assert parse_repo_config("# only a comment\n").config == RepoConfig()


def test_valid_file_applies() -> None:
    loaded = parse_repo_config(
        "review_on_push: false\nseverity_threshold: high\nmax_comments: 5\n"
        "ignore: ['docs/**']\ninstructions:\n  - path: 'api/**'\n    text: Check auth.\n"
    )
    assert loaded.error is None
    c = loaded.config
    assert (c.review_on_push, c.severity_threshold, c.max_comments) == (False, Severity.HIGH, 5)
    assert c.ignore == ("docs/**",)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("enabled: [", "is not valid YAML"),
        ("- a\n- b\n", "must be a mapping"),
        ("max_comments: many\n", "max_comments: Input should be a valid integer"),
        ("base_url: http://evil.example\n", "base_url: Extra inputs are not permitted"),
        ("severity_threshold: loud\n", "severity_threshold: Input should be"),
    ],
)
def test_invalid_file_falls_back_with_a_reason(text: str, expected: str) -> None:
    loaded = parse_repo_config(text)
    assert loaded.config == RepoConfig()
    assert loaded.error is not None and expected in loaded.error


def test_instructions_only_for_matching_paths() -> None:
    config = parse_repo_config(
        "instructions:\n  - {path: 'api/*', text: Check auth.}\n"
        "  - {path: 'web/*', text: Escape output.}\n"
    ).config
    text = instructions_for(config, ["api/users.py"], fnmatch.fnmatch)
    assert text == "- For api/*: Check auth."


def test_repository_wide_instructions_then_matching_path_instructions() -> None:
    config = parse_repo_config(
        "instructions: Money is integer cents.\n"
        "path_instructions:\n  - {path: 'api/*', text: Check auth.}\n"
        "  - {path: 'web/*', text: Escape output.}\n"
    ).config
    text = instructions_for(config, ["api/users.py"], fnmatch.fnmatch)
    assert text == "Money is integer cents.\n- For api/*: Check auth."
    assert instructions_for(config, ["docs/x.md"], fnmatch.fnmatch) == "Money is integer cents."


def test_listed_instructions_are_path_instructions() -> None:
    config = parse_repo_config(
        "instructions:\n  - {path: 'api/*', text: Check auth.}\n"
        "path_instructions:\n  - {path: 'web/*', text: Escape output.}\n"
    ).config
    assert config.instructions == ""
    assert [r.path for r in config.path_instructions] == ["api/*", "web/*"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("instructions: {path: x}\n", "instructions"),
        ("instructions: " + "x" * 4001 + "\n", "instructions"),
        ("path_instructions: [{path: 'a/*'}]\n", "path_instructions.0.text"),
    ],
)
def test_bad_instructions_are_reported(text: str, expected: str) -> None:
    loaded = parse_repo_config(text)
    assert loaded.config == RepoConfig()
    assert loaded.error is not None and expected in loaded.error
