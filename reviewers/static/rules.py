"""The static rule catalogue: rule data files (ids, message, fix, severity, references).

Each file under reviewers/static/rules/ is a YAML list of rules. A rule is run either by
ruff (`ruff:` lists the ruff codes it stands for; Python) or by ast-grep (`rule:` is an
ast-grep rule config, matched on the syntax tree). Every rule carries its own positive
(`bad`) and negative (`good`) examples, which the tests run through the real engines.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, model_validator

from reviewers.models import Category, Severity

RULES_PACKAGE = "reviewers.static"
RULES_DIR = "rules"


class Examples(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    bad: tuple[str, ...] = Field(min_length=1)  # each must raise the rule
    good: tuple[str, ...] = Field(min_length=1)  # none may raise it


class StaticRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9-]{2,60}$")
    languages: tuple[str, ...] = Field(min_length=1)  # reviewers.syntax language names
    category: Category
    severity: Severity
    confidence: float = Field(ge=0, le=1)
    title: str = Field(min_length=1, max_length=120)
    fix: str = Field(min_length=1)  # how to put it right, shown under the finding
    references: tuple[str, ...] = ()
    in_tests: bool = False  # also reported in test files and examples
    except_files: tuple[str, ...] = ()  # file-name globs where the rule does not apply
    noqa: tuple[str, ...] = ()  # ruff/bandit codes of the same check: `# noqa: CODE` opts out
    ruff: tuple[str, ...] = ()  # ruff codes this rule stands for (engine: ruff)
    ruff_unless: str | None = None  # drop a ruff hit whose message contains this
    rule: dict[str, Any] | None = None  # ast-grep rule (engine: ast-grep)
    constraints: dict[str, Any] | None = None
    utils: dict[str, Any] | None = None
    examples: Examples

    @model_validator(mode="after")
    def _one_engine(self) -> StaticRule:
        if bool(self.ruff) == (self.rule is not None):
            raise ValueError(
                f"rule {self.id}: give exactly one of `ruff` codes or an ast-grep `rule`"
            )
        if self.ruff and self.languages != ("python",):
            raise ValueError(f"rule {self.id}: ruff rules are Python only")
        return self

    @property
    def engine(self) -> Literal["ruff", "ast-grep"]:
        return "ruff" if self.ruff else "ast-grep"

    def config(self) -> dict[str, Any]:
        """The ast-grep Config for `SgNode.find_all`."""
        config: dict[str, Any] = {"rule": self.rule}
        if self.constraints:
            config["constraints"] = self.constraints
        if self.utils:
            config["utils"] = self.utils
        return config


_FILE = TypeAdapter(list[StaticRule])


class RuleFileError(ValueError):
    """A rule file is not valid YAML, breaks the schema, or reuses an id."""


def parse_rule_file(name: str, text: str) -> list[StaticRule]:
    try:
        # libyaml's loader when PyYAML has it: the pure-Python one took ~0.2 s of every
        # `prbot review` start (safe either way: SafeLoader's rules, C speed).
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as error:
        raise RuleFileError(f"{name}: not valid YAML: {error}") from error
    try:
        return _FILE.validate_python(data)
    except ValueError as error:
        raise RuleFileError(f"{name}: {error}") from error


def _rule_files() -> list[tuple[str, str]]:
    folder = resources.files(RULES_PACKAGE).joinpath(RULES_DIR)
    files = sorted((p.name, p.read_text(encoding="utf-8")) for p in folder.iterdir())
    return [(name, text) for name, text in files if name.endswith(".yml")]


@lru_cache(maxsize=1)
def catalogue() -> tuple[StaticRule, ...]:
    """Every rule from the bundled rule files, ids unique (read once, on first use)."""
    rules: list[StaticRule] = []
    for name, text in _rule_files():
        rules += parse_rule_file(name, text)
    seen: set[str] = set()
    for rule in rules:
        if rule.id in seen:
            raise RuleFileError(f"rule id {rule.id} is defined twice")
        seen.add(rule.id)
    return tuple(rules)


@lru_cache(maxsize=1)
def rules_digest() -> str:
    """A short hash of the rule files' bytes: part of the static ruleset version."""
    digest = hashlib.sha256()
    for name, text in _rule_files():
        digest.update(name.encode() + b"\0" + text.encode() + b"\0")
    return digest.hexdigest()[:12]


def rule_named(rule_id: str) -> StaticRule:
    for rule in catalogue():
        if rule.id == rule_id:
            return rule
    raise KeyError(f"unknown static rule: {rule_id}")


def rules_for(language: str, engine: Literal["ruff", "ast-grep"]) -> tuple[StaticRule, ...]:
    return tuple(r for r in catalogue() if r.engine == engine and language in r.languages)


_LANGUAGE_NAMES = {
    "python": "Python",
    "javascript": "JavaScript",
    "typescript": "TypeScript",
    "tsx": "TSX",
    "go": "Go",
    "java": "Java",
    "ruby": "Ruby",
    "php": "PHP",
}


def rules_markdown() -> str:
    """docs/static-rules.md: every rule by language, generated from the rule files."""
    out = [
        "# Static rules",
        "",
        "Generated from `reviewers/static/rules/*.yml` by `python -m reviewers.static > "
        "docs/static-rules.md`; a test fails when this file is stale. How the rules run, the "
        "path policy and the opt-out comment: [static-analysis.md](static-analysis.md).",
        "",
        "Secret kinds (`secret:<kind>`, checked in every file) are listed in "
        "[static-analysis.md](static-analysis.md#secrets).",
    ]
    languages: dict[str, list[StaticRule]] = {}
    for rule in catalogue():
        languages.setdefault(rule.languages[0], []).append(rule)
    for language, rules in languages.items():
        out += ["", f"## {_LANGUAGE_NAMES.get(language, language)}", ""]
        out += ["| id | severity | category | engine | in tests | what | fix | references |"]
        out += ["|---|---|---|---|---|---|---|---|"]
        for r in rules:
            engine = "ruff " + ", ".join(r.ruff) if r.ruff else "ast-grep"
            langs = "" if len(r.languages) == 1 else f" ({', '.join(r.languages)})"
            refs = " ".join(f"<{ref}>" for ref in r.references)
            cells = [f"`{r.id}`", r.severity.value, r.category.value, engine]
            cells += ["yes" if r.in_tests else "no", r.title + langs, r.fix, refs]
            out.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(out) + "\n"
