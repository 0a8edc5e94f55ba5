"""Which App permission each endpoint of the fake GitHub needs, and the 403 when it is missing.

From GitHub's "Permissions required for GitHub Apps" tables (REST), plus the GraphQL
mutation prbot uses: `resolveReviewThread` is refused (FORBIDDEN, "Resource not accessible
by integration") unless the token has Contents: write besides Pull requests: write, as
reproduced in github/gh-aw#35726, oven-sh/bun#40468 and community discussions #44650 and
#204269 (see docs/github-app.md). Every route the fake serves must be listed here: an
unlisted one answers 500, so a new call cannot slip past the permission check.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.fakes.github_state import ApiError

MANIFEST = Path(__file__).resolve().parents[2] / ".github" / "app-manifest.json"
FORBIDDEN = "Resource not accessible by integration"
LEVELS = {"none": 0, "read": 1, "write": 2, "admin": 3}

Need = tuple[tuple[str, str], ...]  # every (permission, level) of one acceptable set
R: Need = ()
PR_READ: Need = (("pull_requests", "read"),)
PR_WRITE: Need = (("pull_requests", "write"),)
ISSUES_READ: Need = (("issues", "read"),)
ISSUES_WRITE: Need = (("issues", "write"),)
CONTENTS_READ: Need = (("contents", "read"),)
METADATA: Need = (("metadata", "read"),)
CHECKS_READ: Need = (("checks", "read"),)
CHECKS_WRITE: Need = (("checks", "write"),)
RESOLVE_THREAD: Need = (("pull_requests", "write"), ("contents", "write"))

REPO = r"^/repos/[^/]+/[^/]+"
# (method, path regex, acceptable sets: any one of them is enough)
RULES: list[tuple[str, re.Pattern[str], tuple[Need, ...]]] = [
    (m, re.compile(REPO + p), needs)
    for m, p, needs in [
        ("GET", r"$", (METADATA,)),
        ("GET", r"/collaborators/[^/]+/permission$", (METADATA,)),
        ("GET", r"/pulls/\d+(/files|/commits|/comments|/reviews(/\d+)?)?$", (PR_READ,)),
        ("POST", r"/pulls/\d+/(reviews|comments|comments/\d+/replies)$", (PR_WRITE,)),
        ("PUT", r"/pulls/\d+/reviews/\d+$", (PR_WRITE,)),
        ("GET", r"/pulls/comments/\d+(/reactions)?$", (PR_READ,)),
        ("PATCH", r"/pulls/comments/\d+$", (PR_WRITE,)),
        ("DELETE", r"/pulls/comments/\d+$", (PR_WRITE,)),
        ("POST", r"/pulls/comments/\d+/reactions$", (PR_WRITE,)),
        # On a pull request, conversation comments accept Issues or Pull requests.
        ("GET", r"/issues/(\d+|\d+/comments|comments/\d+(/reactions)?)$", (ISSUES_READ, PR_READ)),
        ("POST", r"/issues/(\d+/comments|comments/\d+/reactions)$", (ISSUES_WRITE, PR_WRITE)),
        ("PATCH", r"/issues/comments/\d+$", (ISSUES_WRITE, PR_WRITE)),
        ("DELETE", r"/issues/comments/\d+$", (ISSUES_WRITE, PR_WRITE)),
        ("GET", r"/contents/.+$", (CONTENTS_READ,)),
        ("GET", r"/tarball/.+$", (CONTENTS_READ,)),
        ("GET", r"/commits/[^/]+$", (CONTENTS_READ,)),
        ("GET", r"/compare/[^/]+$", (CONTENTS_READ,)),
        ("GET", r"/commits/[^/]+/check-runs$", (CHECKS_READ,)),
        ("GET", r"/check-runs/\d+$", (CHECKS_READ,)),
        ("POST", r"/check-runs$", (CHECKS_WRITE,)),
        ("PATCH", r"/check-runs/\d+$", (CHECKS_WRITE,)),
    ]
]


def manifest_permissions() -> dict[str, str]:
    """What the App asks for (.github/app-manifest.json): installations get this by default."""
    data = json.loads(MANIFEST.read_text(encoding="utf-8"))
    return dict(data["default_permissions"])


def granted(have: dict[str, str], need: Need) -> bool:
    return all(LEVELS.get(have.get(name, "none"), 0) >= LEVELS[level] for name, level in need)


def accepted_header(options: tuple[Need, ...]) -> str:
    return "; ".join(",".join(f"{name}={level}" for name, level in need) for need in options)


def needs_for(method: str, path: str) -> tuple[Need, ...]:
    for rule_method, pattern, options in RULES:
        if rule_method == method and pattern.search(path):
            return options
    raise ApiError(500, f"fake GitHub: no permission rule for {method} {path}")


def check(have: dict[str, str] | None, options: tuple[Need, ...]) -> None:
    """403 "Resource not accessible by integration" unless one acceptable set is held.
    `have` None: a token without App permissions to check (none of prbot's)."""
    if have is None or any(granted(have, need) for need in options):
        return
    raise ApiError(
        403,
        FORBIDDEN,
        headers={"x-accepted-github-permissions": accepted_header(options)},
    )
