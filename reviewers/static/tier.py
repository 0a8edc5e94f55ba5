"""The static tier: ruff and ast-grep rules on full head files, secrets, the path policy.

Rules run on the whole head file (so they see the full syntax tree) and report on added
lines only. A file whose head text is missing is rebuilt from its hunks at the right line
numbers, so the structural rules still see the changed code; ruff skips such files (but
for new files, whose diff is the whole file).
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import PurePosixPath

from reviewers.models import Category, FileDiff, FileStatus, Finding, LineKind, Route, Side
from reviewers.static.policy import StaticPolicy, opted_out
from reviewers.static.ruff import SYNTAX_ERROR, Diagnostic, Linter, ruff_hits, selected_codes
from reviewers.static.rules import StaticRule, rules_for
from reviewers.static.secrets import review_secrets
from reviewers.static.structural import RuleHit, run_rules
from reviewers.syntax import language_for, parse

PYTHON_SUFFIXES = (".py", ".pyi")


@dataclass(frozen=True, slots=True)
class StaticResult:
    findings: tuple[Finding, ...]
    unchecked: tuple[str, ...] = ()  # changed Python files ruff could not check
    opted_out: int = 0  # hits silenced by a `prbot: ignore[...]` comment


@dataclass(frozen=True, slots=True)
class _Target:
    file: FileDiff
    added: list[int]  # sorted head line numbers of added lines
    text: str  # full head text, or the hunks placed at their line numbers
    full: bool  # `text` is the real head file


async def review_static(
    files: Sequence[FileDiff],
    sources: Mapping[str, str],
    linter: Linter | None = None,
    policy: StaticPolicy | None = None,
) -> StaticResult:
    """Every static reviewer over the changed files; findings sorted by path and line."""
    policy = policy or StaticPolicy()
    if not policy.enabled:
        return StaticResult(())
    targets = [_target(f, sources) for f in files if _reviewable(f)]
    targets = [t for t in targets if t.added]
    python = [t for t in targets if t.file.path.endswith(PYTHON_SUFFIXES)]
    linted = {t.file.path: t.text for t in python if t.full and linter is not None}
    unchecked = tuple(sorted(t.file.path for t in python if t.file.path not in linted))
    by_path: dict[str, list[Diagnostic]] = defaultdict(list)
    if linted and linter is not None:
        for diag in await linter.lint(linted, selected_codes()):
            by_path[diag.filename].append(diag)
    findings: list[Finding] = []
    silenced = 0
    for target in targets:
        hits = ruff_hits(by_path.get(target.file.path, []), target.text)
        hits += _structural_hits(target)
        kept, dropped = _report(target, hits, policy)
        findings += kept
        silenced += dropped
    secret_findings, secret_silenced = review_secrets(files, policy)
    findings += secret_findings
    findings.sort(key=lambda f: (f.path, f.start_line, f.source))
    return StaticResult(tuple(findings), unchecked, silenced + secret_silenced)


def _reviewable(file: FileDiff) -> bool:
    return file.status is not FileStatus.DELETED and not file.is_binary


def _target(file: FileDiff, sources: Mapping[str, str]) -> _Target:
    added = sorted(
        ln.new_no
        for hunk in file.hunks
        for ln in hunk.lines
        if ln.kind is LineKind.ADDED and ln.new_no is not None
    )
    source = sources.get(file.path)
    if source is not None:
        return _Target(file, added, source, True)
    # A new file's diff holds all of it: ruff can check it without the head text.
    return _Target(file, added, _from_hunks(file), file.status is FileStatus.ADDED)


def _from_hunks(file: FileDiff) -> str:
    """The head side of the hunks at their own line numbers, blank lines in between."""
    rows: dict[int, str] = {}
    for hunk in file.hunks:
        for ln in hunk.lines:
            if ln.new_no is not None:
                rows[ln.new_no] = ln.text
    if not rows:
        return ""
    return "\n".join(rows.get(n, "") for n in range(1, max(rows) + 1)) + "\n"


def _structural_hits(target: _Target) -> list[RuleHit]:
    language = language_for(target.file.path)
    if language is None or not rules_for(language, "ast-grep"):
        return []
    return list(run_rules(parse(target.text, language)))


def _report(
    target: _Target, hits: Sequence[RuleHit], policy: StaticPolicy
) -> tuple[list[Finding], int]:
    """Hits on added lines that the policy allows, as findings; and how many opted out."""
    path = target.file.path
    lines = target.text.splitlines()
    findings: list[Finding] = []
    silenced = 0
    seen: set[tuple[str, int]] = set()
    for hit in hits:
        rows = _added_rows(hit, target.added)
        if rows is None:
            continue
        rule = hit.rule
        security = rule.category is Category.SECURITY
        if not policy.allows(rule.id, rule.in_tests, security, path) or _excepted(rule, path):
            continue
        if opted_out(rule.id, lines, hit.start_line, hit.end_line, security, rule.noqa):
            silenced += 1
            continue
        if (rule.id, rows[0]) in seen:
            continue  # two ruff codes of one rule on one line: one comment
        seen.add((rule.id, rows[0]))
        findings.append(_finding(path, rows, hit))
    return findings, silenced


def _excepted(rule: StaticRule, path: str) -> bool:
    name = PurePosixPath(path).name
    return any(fnmatchcase(name, pattern) for pattern in rule.except_files)


def _added_rows(hit: RuleHit, added: list[int]) -> tuple[int, int] | None:
    """The first and last added line within the hit, or None when it touches none."""
    lo = bisect.bisect_left(added, hit.start_line)
    hi = bisect.bisect_right(added, hit.end_line)
    if lo < hi:
        return added[lo], added[hi - 1]
    if SYNTAX_ERROR in hit.rule.ruff and lo > 0:
        # The parser often notices a syntax error after the line that caused it.
        return added[lo - 1], added[lo - 1]
    return None


def _finding(path: str, rows: tuple[int, int], hit: RuleHit) -> Finding:
    """On the hit's first added line (a call spanning lines is commented where it starts);
    a safe fix's replacement needs the hit's exact lines."""
    rule = hit.rule
    fixable = hit.replacement is not None and rows == (hit.start_line, hit.end_line)
    end = rows[1] if fixable else rows[0]
    # ruff's words name the exact problem ("Undefined name `x`"); a security rule's own
    # title says what is at stake.
    specific = hit.message and rule.category is not Category.SECURITY
    title = hit.message.split("\n", 1)[0][:200] if specific else rule.title
    detail = f"{rule.title} ({hit.code}: {hit.message})" if hit.code else rule.title
    return Finding(
        path=path,
        side=Side.RIGHT,
        start_line=rows[0],
        end_line=end,
        category=rule.category,
        severity=rule.severity,
        confidence=rule.confidence,
        title=title,
        body=f"{detail}\n\n{rule.fix}",
        route=Route.SMALL,
        source=f"static:{rule.id}",
        replacement=hit.replacement if fixable else None,
    )
