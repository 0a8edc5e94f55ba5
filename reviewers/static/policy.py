"""Where the code is: tests, fixtures and examples get their own policy; per-path overrides.

Defaults (overridable in `.github/prbot.yml` under `static:`):
- code: every rule.
- test (test files and directories): rules marked `in_tests` (errors such as undefined names
  and syntax errors) only; no security rules, since tests exercise risky calls on purpose.
- fixture (test data, snapshots, testdata/, non-code files under a test directory): no
  rules; deliberately odd code, and keys or certificates made for the tests.
- example (examples/, samples/, demo/): as tests.
Secrets are checked everywhere but in fixtures; fake-looking values are never reported; in
tests and examples a real-looking one is reported at a lower severity; in documentation
(Markdown, reStructuredText, text) only provider-specific kinds are, not generic ones.
A line opts out with `prbot: ignore[rule-id]` (or `prbot: ignore` for every rule) in a
comment on that line or the line above; bandit's `# nosec` opts a line out of security
rules, ruff's `# noqa` out of ruff's. Opt-outs are counted in the summary.
"""

from __future__ import annotations

import re
from enum import StrEnum
from functools import lru_cache
from pathlib import PurePosixPath

from pydantic import BaseModel, ConfigDict, Field

from reviewers.globs import matches
from reviewers.syntax import language_for


class PathKind(StrEnum):
    CODE = "code"
    TEST = "test"
    FIXTURE = "fixture"
    EXAMPLE = "example"


_FIXTURE_DIRS = frozenset(
    {
        "fixtures",
        "fixture",
        "testdata",
        "test_data",
        "test-data",
        "__snapshots__",
        "snapshots",
        "cassettes",
        "__fixtures__",
        "data",
    }
)  # fmt: skip  ("data" counts only below a test directory)
_TEST_DIRS = frozenset({"test", "tests", "testing", "spec", "specs", "__tests__", "e2e", "it"})
_EXAMPLE_DIRS = frozenset({"example", "examples", "samples", "sample", "demo", "demos", "docs_src"})
_TEST_NAME = re.compile(
    r"^(test_.*\.py|.*_test\.(py|go|rb|exs)|conftest\.py|.*\.(test|spec)\.[cm]?[jt]sx?"
    r"|.*_spec\.rb|.*Tests?\.(java|kt|php|cs)|.*Test(Case|s)?\.php)$"
)


class PathRule(BaseModel):
    """Per-path override: treat matching paths as `kind`, and/or turn rules off there."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    paths: tuple[str, ...] = Field(min_length=1)  # globs, e.g. "legacy/**"
    kind: PathKind | None = None
    disable: tuple[str, ...] = ()  # rule ids, or "*" for every rule except secrets


class StaticPolicy(BaseModel):
    """The `static:` section of .github/prbot.yml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = True
    disable: tuple[str, ...] = ()  # rule ids off everywhere (secret kinds as "secret:<kind>")
    tests: tuple[str, ...] = ()  # extra globs for test files
    fixtures: tuple[str, ...] = ()  # extra globs for fixtures / test data
    examples: tuple[str, ...] = ()  # extra globs for example code
    security_in_tests: bool = False  # report security rules in tests and examples too
    paths: tuple[PathRule, ...] = ()

    def kind_of(self, path: str) -> PathKind:
        for override in reversed(self.paths):  # the last matching override wins
            if override.kind is not None and _matches(path, override.paths):
                return override.kind
        if _matches(path, self.fixtures):
            return PathKind.FIXTURE
        if _matches(path, self.tests):
            return PathKind.TEST
        if _matches(path, self.examples):
            return PathKind.EXAMPLE
        return default_kind(path)

    def allows(self, rule_id: str, in_tests: bool, security: bool, path: str) -> bool:
        """Whether a rule reports on this path (secrets are decided by the secret policy)."""
        if not self.enabled or rule_id in self.disable:
            return False
        for override in self.paths:
            if _matches(path, override.paths) and (
                rule_id in override.disable or "*" in override.disable
            ):
                return False
        kind = self.kind_of(path)
        if kind is PathKind.CODE:
            return True
        if kind is PathKind.FIXTURE:
            return False
        return in_tests or (security and self.security_in_tests)

    def secret_allowed(self, kind: str, path: str) -> bool:
        return self.enabled and f"secret:{kind}" not in self.disable


def default_kind(path: str) -> PathKind:
    """What a path is by convention (directory names and file names of common ecosystems)."""
    return _default_kind(path)


@lru_cache(maxsize=4096)
def _default_kind(path: str) -> PathKind:
    parts = PurePosixPath(path.lower()).parts
    dirs, name = parts[:-1], PurePosixPath(path).name
    in_tests = any(d in _TEST_DIRS for d in dirs)
    if any(d in _FIXTURE_DIRS and (d != "data" or in_tests) for d in dirs):
        return PathKind.FIXTURE
    if in_tests and language_for(path) is None:
        return PathKind.FIXTURE  # data under a test directory: keys, certificates, samples
    if in_tests or _TEST_NAME.match(name):
        return PathKind.TEST
    if any(d in _EXAMPLE_DIRS for d in dirs):
        return PathKind.EXAMPLE
    return PathKind.CODE


def _matches(path: str, globs: tuple[str, ...]) -> bool:
    """Gitignore-like globs, as triage matches them."""
    return any(matches(path, g) for g in globs)


_IGNORE = re.compile(r"prbot:\s*ignore(?:\[(?P<ids>[\w:, -]*)\])?")
_NOSEC = re.compile(r"#\s*nosec\b")  # bandit's marker: the maintainers' word on a security hit
_NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?")


def opted_out(
    rule_id: str,
    lines: list[str],
    start: int,
    end: int,
    security: bool = False,
    noqa: tuple[str, ...] = (),
) -> bool:
    """A `prbot: ignore[...]` on the hit's lines or the line above names this rule (or all);
    on the hit's first line, bandit's `# nosec` counts for a security rule, and `# noqa`
    (bare, or naming one of `noqa`, the ruff/bandit codes of the same check) too."""
    first = lines[start - 1] if start - 1 < len(lines) else ""
    if security and _NOSEC.search(first):
        return True
    if noqa and _noqa_names(first, noqa):
        return True
    for row in range(max(1, start - 1), end + 1):
        text = lines[row - 1] if row - 1 < len(lines) else ""
        if "prbot" not in text:
            continue
        for match in _IGNORE.finditer(text):
            ids = match.group("ids")
            if ids is None or rule_id in {i.strip() for i in ids.split(",")}:
                return True
    return False


def _noqa_names(line: str, codes: tuple[str, ...]) -> bool:
    for match in _NOQA.finditer(line):
        named = match.group("codes")
        if named is None or set(re.split(r"[,\s]+", named)) & set(codes):
            return True
    return False
