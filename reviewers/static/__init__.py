"""The static reviewers (ruff, secret patterns, security rules): offline, free, deterministic.

They serve the `small` role when no small model is configured.  `review_static` raises
RuffError when ruff is missing or crashes: a silent "no findings" would overstate coverage.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from reviewers.models import FileDiff
from reviewers.static.ruff import RULESET_VERSION as RUFF_RULESET
from reviewers.static.ruff import RuffError, StaticResult, review_ruff
from reviewers.static.secrets import RULESET_VERSION as SECRETS_RULESET
from reviewers.static.secrets import review_secrets
from reviewers.static.security import RULESET_VERSION as SECURITY_RULESET
from reviewers.static.security import review_security

RULESET_VERSION = f"{RUFF_RULESET}+{SECRETS_RULESET}+{SECURITY_RULESET}"

__all__ = ["RULESET_VERSION", "RuffError", "StaticResult", "review_static"]


def review_static(
    files: Sequence[FileDiff], sources: Mapping[str, str], ruff: str | None = None
) -> StaticResult:
    """All three reviewers over the same files; `unchecked` lists files ruff could not see."""
    linted = review_ruff(files, sources, ruff)
    findings = [*linted.findings, *review_secrets(files), *review_security(files)]
    findings.sort(key=lambda f: (f.path, f.start_line, f.source))
    return StaticResult(tuple(findings), linted.unchecked)
