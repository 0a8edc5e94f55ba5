"""Ruff's diagnostics on the head version of changed Python files, as rule hits.

Pure: running ruff (temp files, a subprocess) is an adapter's job, passed in as a `Linter`
(bot/ruff_runner.py). Which ruff codes run, and what each is called, comes from the rule
files (rules/python.yml); the linter's version is part of the static ruleset version.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Protocol

from pydantic import BaseModel, TypeAdapter

from reviewers.static.rules import StaticRule, catalogue
from reviewers.static.structural import RuleHit

SYNTAX_ERROR = "invalid-syntax"  # ruff's "code" (null in its JSON) for a file it cannot parse


class RuffError(RuntimeError):
    """ruff is missing, crashed, or printed something that is not its JSON report."""


class Location(BaseModel):
    row: int
    column: int


class Edit(BaseModel):
    content: str
    location: Location
    end_location: Location


class Fix(BaseModel):
    applicability: str
    edits: list[Edit]


class Diagnostic(BaseModel):
    """One entry of `ruff check --output-format json`, with `filename` as the diff's path."""

    code: str | None
    message: str
    filename: str
    location: Location
    end_location: Location
    fix: Fix | None = None


REPORT = TypeAdapter(list[Diagnostic])


class Linter(Protocol):
    """Runs ruff over full file texts (keyed by repository path); an adapter does the I/O."""

    @property
    def version(self) -> str: ...  # e.g. "ruff 0.17.6"

    async def lint(self, sources: Mapping[str, str], select: Sequence[str]) -> list[Diagnostic]:
        """Diagnostics for every file, `filename` being the key it was given under.

        Raises RuffError when ruff cannot run: a silent "no findings" overstates coverage."""
        ...


@lru_cache(maxsize=1)
def ruff_rules() -> dict[str, StaticRule]:
    """Ruff code -> the rule that stands for it (each code belongs to one rule)."""
    by_code: dict[str, StaticRule] = {}
    for rule in catalogue():
        for code in rule.ruff:
            if code in by_code:
                raise ValueError(f"ruff code {code} is in rules {by_code[code].id} and {rule.id}")
            by_code[code] = rule
    return by_code


def selected_codes() -> list[str]:
    """The codes to pass to `ruff check --select` (syntax errors are always reported)."""
    return sorted(code for code in ruff_rules() if code != SYNTAX_ERROR)


def ruff_hits(diagnostics: Sequence[Diagnostic], source: str) -> list[RuleHit]:
    """The diagnostics of one file that a rule stands for, as hits on that file's lines."""
    rules = ruff_rules()
    hits = []
    for diag in diagnostics:
        rule = rules.get(diag.code or SYNTAX_ERROR)
        if rule is None or (rule.ruff_unless and rule.ruff_unless in diag.message):
            continue
        start, end = diag.location.row, max(diag.location.row, diag.end_location.row)
        fixed = replacement(diag.fix, start, end, source)
        hits.append(
            RuleHit(rule, start, end, diag.message, f"ruff {diag.code or SYNTAX_ERROR}", fixed)
        )
    return hits


def replacement(fix: Fix | None, start: int, end: int, source: str) -> str | None:
    """The fixed text of lines start..end, when ruff's safe fix touches only those lines."""
    if fix is None or fix.applicability != "safe" or not fix.edits:
        return None
    lines = source.splitlines(keepends=True)[start - 1 : end]
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    spans: list[tuple[int, int, str]] = []
    for edit in fix.edits:
        a = _offset(edit.location, start, end, starts)
        b = _offset(edit.end_location, start, end, starts)
        if a is None or b is None:
            return None
        spans.append((a, b, edit.content))
    segment = "".join(lines)
    for a, b, content in sorted(spans, reverse=True):
        segment = segment[:a] + content + segment[b:]
    return segment[:-1] if segment.endswith("\n") else segment


def _offset(loc: Location, start: int, end: int, starts: list[int]) -> int | None:
    """Index of a ruff (row, 1-based column) within lines start..end, None if outside."""
    if loc.row == end + 1 and loc.column == 1:
        return starts[-1]  # the edit runs to the end of the finding's last line
    if not start <= loc.row <= end:
        return None
    return starts[loc.row - start] + loc.column - 1
