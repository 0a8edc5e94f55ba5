"""Secrets on added lines, as findings that name the kind but never repeat the secret.

Secrets are checked in every file but fixtures (keys and certificates made for tests).
Values that look fake (see reviewers.secrets) are not reported; in tests and examples a
real-looking one is reported at a lower severity, since it is more often a test value than
a leak; in documentation, generic kinds (a made-up SECRET_KEY, a sample JWT) are examples.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from reviewers.models import (
    Category,
    DiffLine,
    FileDiff,
    Finding,
    LineKind,
    Route,
    Severity,
    Side,
)
from reviewers.secrets import find_secrets, pattern_named
from reviewers.static.policy import PathKind, StaticPolicy, opted_out

_CONFIDENCE = {"generic-secret": 0.6, "jwt": 0.7, "url-credentials": 0.7}
# Kinds that documentation shows as examples (a made-up SECRET_KEY, a sample JWT, a
# connection URL); a provider's key format in a README is still reported.
_EXAMPLE_KINDS = frozenset({"generic-secret", "jwt", "url-credentials", "basic-auth-header"})
_DOC_SUFFIXES = (".md", ".markdown", ".rst", ".txt", ".adoc", ".asciidoc")
_IN_TESTS = (Severity.MEDIUM, 0.6)
_BODY = (
    "A {label} appears on an added line. Treat it as leaked: revoke or rotate it now, since "
    "removing it from the code does not remove it from git history. Load it from the "
    "environment or a secret store instead."
)


def review_secrets(
    files: Sequence[FileDiff], policy: StaticPolicy | None = None
) -> tuple[list[Finding], int]:
    """One finding per secret that touches an added line; and how many were opted out."""
    policy = policy or StaticPolicy()
    findings: list[Finding] = []
    silenced = 0
    for file in files:
        if file.is_binary:
            continue
        kind = policy.kind_of(file.path)
        if kind is PathKind.FIXTURE:
            continue  # keys and certificates made for the tests
        testing = kind is not PathKind.CODE
        docs = file.path.lower().endswith(_DOC_SUFFIXES)
        for hunk in file.hunks:
            head = [ln for ln in hunk.lines if ln.kind is not LineKind.REMOVED]
            found, dropped = _scan(file.path, head, testing, docs, policy)
            findings += found
            silenced += dropped
    return findings, silenced


def _scan(
    path: str, head: list[DiffLine], testing: bool, docs: bool, policy: StaticPolicy
) -> tuple[list[Finding], int]:
    texts = [ln.text for ln in head]
    text = "\n".join(texts)
    starts = [0]
    for line in texts:
        starts.append(starts[-1] + len(line) + 1)
    findings = []
    silenced = 0
    for match in find_secrets(text):
        if match.fake or not policy.secret_allowed(match.kind, path):
            continue
        if docs and match.kind in _EXAMPLE_KINDS:
            continue
        first = bisect.bisect_right(starts, match.start) - 1
        last = bisect.bisect_right(starts, max(match.start, match.end - 1)) - 1
        rows = [
            ln.new_no
            for ln in head[first : last + 1]
            if ln.kind is LineKind.ADDED and ln.new_no is not None
        ]
        if not rows:
            continue
        if opted_out(f"secret:{match.kind}", texts, first + 1, last + 1, security=True):
            silenced += 1
            continue
        findings.append(_finding(path, match.kind, rows[0], rows[-1], testing))
    return findings, silenced


def _finding(path: str, kind: str, start: int, end: int, testing: bool) -> Finding:
    pattern = pattern_named(kind)
    severity, confidence = pattern.severity, _CONFIDENCE.get(kind, 0.9)
    if testing:
        severity, confidence = _IN_TESTS
    return Finding(
        path=path,
        side=Side.RIGHT,
        start_line=start,
        end_line=end,
        category=Category.SECURITY,
        severity=severity,
        confidence=confidence,
        title=f"Possible {pattern.label} committed" + (" (in test code)" if testing else ""),
        body=_BODY.format(label=pattern.label),
        route=Route.SMALL,
        source=f"secret:{kind}",
    )
