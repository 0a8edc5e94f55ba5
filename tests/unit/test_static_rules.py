"""Every rule file's rules against their own fixtures (through the real engines), the rule
file schema, and docs/static-rules.md being current."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.ruff import RuffRunner, locate_ruff
from reviewers.static.ruff import ruff_hits, ruff_rules, selected_codes
from reviewers.static.rules import RuleFileError, catalogue, parse_rule_file, rules_markdown
from reviewers.static.structural import run_rules
from reviewers.syntax import parse

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = [
    (rule.id, language, kind, index, code)
    for rule in catalogue()
    for language in rule.languages
    for kind, codes in (("bad", rule.examples.bad), ("good", rule.examples.good))
    for index, code in enumerate(codes)
]


@pytest.fixture(scope="module")
def ruff() -> RuffRunner:
    return locate_ruff()


def hits_of(rule_id: str, language: str, code: str, ruff: RuffRunner) -> list[int]:
    rule = next(r for r in catalogue() if r.id == rule_id)
    if rule.engine == "ruff":
        diagnostics = ruff.lint_sync({"fixture.py": code}, selected_codes())
        return [h.start_line for h in ruff_hits(diagnostics, code) if h.rule.id == rule_id]
    return [h.start_line for h in run_rules(parse(code, language)) if h.rule.id == rule_id]


@pytest.mark.parametrize(
    ("rule_id", "language", "kind", "index", "code"),
    FIXTURES,
    ids=[f"{r}-{lang}-{k}{i}" for r, lang, k, i, _ in FIXTURES],
)
def test_rule_fixture(
    rule_id: str, language: str, kind: str, index: int, code: str, ruff: RuffRunner
) -> None:
    found = hits_of(rule_id, language, code, ruff)
    if kind == "bad":
        assert found, f"{rule_id} missed its bad example {index} ({language})"
    else:
        assert not found, f"{rule_id} fired on its good example {index} ({language})"


def test_every_rule_has_both_kinds_of_fixture() -> None:
    for rule in catalogue():
        assert rule.examples.bad and rule.examples.good, rule.id


def test_each_ruff_code_belongs_to_one_rule() -> None:
    codes = [code for rule in catalogue() for code in rule.ruff]
    assert len(codes) == len(set(codes))
    assert set(ruff_rules()) == set(codes)


def test_the_rule_list_in_docs_is_current() -> None:
    written = (ROOT / "docs" / "static-rules.md").read_text(encoding="utf-8")
    assert written == rules_markdown(), "run: python -m reviewers.static > docs/static-rules.md"
    for rule in catalogue():
        assert f"`{rule.id}`" in written


BAD_FILES = [
    ("not yaml", "- id: [unclosed\n", "not valid YAML"),
    ("not a list", "id: x\n", "list"),
    (
        "no engine",
        "- {id: x-rule, languages: [go], category: defect, severity: low, confidence: 0.5,"
        " title: t, fix: f, examples: {bad: [a], good: [b]}}\n",
        "one of `ruff` codes or an ast-grep `rule`",
    ),
    (
        "ruff outside python",
        "- {id: x-rule, languages: [go], category: defect, severity: low, confidence: 0.5,"
        " title: t, fix: f, ruff: [F401], examples: {bad: [a], good: [b]}}\n",
        "Python only",
    ),
    (
        "no good example",
        "- {id: x-rule, languages: [python], category: defect, severity: low, confidence: 0.5,"
        " title: t, fix: f, ruff: [F401], examples: {bad: [a], good: []}}\n",
        "good",
    ),
    (
        "bad id",
        "- {id: X, languages: [python], category: defect, severity: low, confidence: 0.5,"
        " title: t, fix: f, ruff: [F401], examples: {bad: [a], good: [b]}}\n",
        "id",
    ),
]


@pytest.mark.parametrize(("name", "text", "message"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_a_broken_rule_file_is_a_clear_error(name: str, text: str, message: str) -> None:
    with pytest.raises(RuleFileError, match=r"broken\.yml") as caught:
        parse_rule_file("broken.yml", text)
    assert message in str(caught.value)
