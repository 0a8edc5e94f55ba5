"""Structural rules (ast-grep rule configs from the rule files) on the full head file.

A rule matches a node of the syntax tree, never text: a string literal or a comment that
spells out risky code is not code, so it cannot match. Hits are kept on added lines only.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from reviewers.static.rules import StaticRule, rules_for
from reviewers.syntax import Tree, first_line, last_line

if TYPE_CHECKING:  # ast-grep is imported on first parse (reviewers.syntax)
    from ast_grep_py import Config


@dataclass(frozen=True, slots=True)
class RuleHit:
    rule: StaticRule
    start_line: int  # 1-based, inclusive: the matched node's lines
    end_line: int
    message: str = ""  # the engine's own words, when it has any (ruff)
    code: str = ""  # the engine's own rule code ("ruff F821")
    replacement: str | None = None  # new text for start_line..end_line (a safe fix)


def run_rules(tree: Tree) -> Iterator[RuleHit]:
    """Every ast-grep rule for the tree's language, over the whole tree, in rule order."""
    for rule in rules_for(tree.language, "ast-grep"):
        for node in tree.root.find_all(cast("Config", rule.config())):
            yield RuleHit(rule, first_line(node), last_line(node))
