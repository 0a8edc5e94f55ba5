"""The static reviewers (ruff and ast-grep rules, secrets): offline, free, deterministic.

They serve the `small` role when no small model is configured. Rules live as data
(reviewers/static/rules/*.yml, listed in docs/static-rules.md); ruff runs through a
`Linter` adapter that the caller passes in (bot/ruff_runner.py), since the core does no I/O.
"""

from __future__ import annotations

import hashlib

from reviewers.secret_patterns import SECRET_PATTERNS
from reviewers.static.policy import PathKind, PathRule, StaticPolicy
from reviewers.static.ruff import Diagnostic, Linter, RuffError
from reviewers.static.rules import rules_digest
from reviewers.static.tier import StaticResult, review_static

__all__ = [
    "Diagnostic",
    "Linter",
    "PathKind",
    "PathRule",
    "RuffError",
    "StaticPolicy",
    "StaticResult",
    "review_static",
    "ruleset_version",
]


def ruleset_version(linter: Linter | None) -> str:
    """What the static findings depend on: the rule files, the secret patterns, ruff's version.

    Part of cache keys; derived, so a rule edit or a ruff upgrade changes it by itself."""
    secrets = hashlib.sha256(
        "\n".join(p.name + "\0" + p.regex.pattern for p in SECRET_PATTERNS).encode()
    ).hexdigest()[:8]
    return f"rules-{rules_digest()}+secrets-{secrets}+{linter.version if linter else 'no-ruff'}"
