"""parse_repo_config on arbitrary and YAML-shaped text: always a LoadedConfig, never raises."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from bot.repoconfig import LoadedConfig, RepoConfig, parse_repo_config
from tests.fuzz.conftest import FUZZ

FIELDS = tuple(RepoConfig.model_fields)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**6), max_value=10**6)
    | st.floats(allow_nan=True)
    | st.text(max_size=20)
    | st.sampled_from(["info", "low", "high", "critical", "src/**", "*.lock", "no-prbot"])
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(["path", "text", "small", "frontier"]), inner, max_size=3)
    ),
    max_leaves=10,
)
MAPPINGS = st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=10), VALUES, max_size=6)
FRAGMENTS = st.sampled_from(
    [
        "enabled: true",
        "enabled: maybe",
        "severity_threshold: high",
        "max_comments: 1000",
        "budget_usd: -1",
        "ignore:",
        "  - 'vendor/**'",
        "- x",
        "instructions:",
        "  - path: src/**",
        "    text: Be strict.",
        "models: {small: gpt, frontier: [1]}",
        "&anchor [*anchor]",
        "*undefined",
        "!!python/object:os.system {}",
        "!!binary zz",
        "---",
        "...",
        "%YAML 1.1",
        "? [a, b]",
        ": value",
        "key: |",
        "key: >-",
        "  indented",
        "\tTabbed: 1",
        "'unterminated",
        '"\\x"',
        "{",
        "[",
        "# comment",
        "",
    ]
)
YAMLISH = st.lists(FRAGMENTS | st.text(max_size=15), max_size=12).map("\n".join)


def check(loaded: LoadedConfig) -> None:
    assert isinstance(loaded.config, RepoConfig)
    if loaded.error is not None:
        assert loaded.error.startswith(".github/prbot.yml")
        assert loaded.config == RepoConfig()  # an invalid file means the defaults


@FUZZ
@given(text=st.none() | st.text(max_size=300))
def test_arbitrary_text(tally: Counter[str], text: str | None) -> None:
    tally["repoconfig.parse_repo_config(arbitrary text)"] += 1
    check(parse_repo_config(text))


@FUZZ
@given(text=YAMLISH)
def test_yaml_shaped_text(tally: Counter[str], text: str) -> None:
    tally["repoconfig.parse_repo_config(YAML-shaped text)"] += 1
    check(parse_repo_config(text))


@FUZZ
@given(data=MAPPINGS)
def test_mappings_of_real_keys_with_any_values(tally: Counter[str], data: dict[str, Any]) -> None:
    tally["repoconfig.parse_repo_config(dumped mappings)"] += 1
    loaded = parse_repo_config(yaml.safe_dump(data))
    check(loaded)
    if loaded.error is None:
        assert loaded.config == RepoConfig.model_validate(data)


# Found by this fuzzing (see docs/reliability.md): inputs on which parse_repo_config used to
# raise instead of reporting the file as invalid.
CRASHERS = [
    pytest.param("since: 2024-13-45", id="impossible-date-ValueError"),
    pytest.param("a: " + "[" * 700 + "]" * 700, id="deep-nesting-RecursionError"),
]


@pytest.mark.parametrize("text", CRASHERS)
def test_known_crashers_are_reported_not_raised(text: str) -> None:
    loaded = parse_repo_config(text)
    check(loaded)
    assert loaded.error is not None and "could not be read" in loaded.error
