"""Secrets on added lines, as findings that name the kind but never repeat the secret."""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from reviewers.models import Category, DiffLine, FileDiff, Finding, LineKind, Route, Side
from reviewers.secrets import find_secrets, pattern_named

# Bump with any change to reviewers.secrets' patterns or to the findings below.
RULESET_VERSION = "secrets-1"

_CONFIDENCE = {"generic-secret": 0.6, "jwt": 0.7}
_BODY = (
    "A {label} appears on an added line. Treat it as leaked: revoke or rotate it now, since "
    "removing it from the code does not remove it from git history. Load it from the "
    "environment or a secret store instead."
)


def review_secrets(files: Sequence[FileDiff]) -> list[Finding]:
    """One finding per secret that touches an added line, on the head side."""
    findings: list[Finding] = []
    for file in files:
        if file.is_binary:
            continue
        for hunk in file.hunks:
            head = [ln for ln in hunk.lines if ln.kind is not LineKind.REMOVED]
            findings += _scan(file.path, head)
    return findings


def _scan(path: str, head: list[DiffLine]) -> list[Finding]:
    text = "\n".join(ln.text for ln in head)
    starts = [0]
    for ln in head:
        starts.append(starts[-1] + len(ln.text) + 1)
    findings = []
    for match in find_secrets(text):
        first = bisect.bisect_right(starts, match.start) - 1
        last = bisect.bisect_right(starts, max(match.start, match.end - 1)) - 1
        rows = [
            ln.new_no
            for ln in head[first : last + 1]
            if ln.kind is LineKind.ADDED and ln.new_no is not None
        ]
        if rows:
            findings.append(_finding(path, match.kind, rows[0], rows[-1]))
    return findings


def _finding(path: str, kind: str, start: int, end: int) -> Finding:
    pattern = pattern_named(kind)
    return Finding(
        path=path,
        side=Side.RIGHT,
        start_line=start,
        end_line=end,
        category=Category.SECURITY,
        severity=pattern.severity,
        confidence=_CONFIDENCE.get(kind, 0.9),
        title=f"Possible {pattern.label} committed",
        body=_BODY.format(label=pattern.label),
        route=Route.SMALL,
        source=f"secret:{kind}",
    )
