"""Resolve the threads of prbot's findings that a later review no longer finds.

A thread is resolved only when the reviewer that produced its finding looked at that
file again in this review (static rules on a keyless install, a model route when it ran
over every hunk of the file), nobody replied, and the finding is gone. Review threads are
listed once per review (GraphQL: REST has no thread ids). Resolving is best-effort: GitHub
refuses `resolveReviewThread` without Contents: write, and a refusal is reported in the
summary, never a failed job.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from bot import markers
from bot.github import GitHubClient, GitHubError, GitHubForbidden, PostedComment
from bot.prfiles import PullDiff
from reviewers.models import Review, Route
from reviewers.render import MODEL_REVIEWERS

log = logging.getLogger(__name__)
NO_CONTENTS_WRITE = (
    "GitHub resolves review threads only for Apps granted Contents: write, which this "
    "installation has not granted (see prbot's docs/github-app.md)"
)


@dataclass(frozen=True, slots=True)
class Resolution:
    resolved: int = 0
    left_open: int = 0  # fixed, but GitHub refused to resolve them
    problem: str | None = None  # why they were left open


def reviewer_ran(
    by: str | None, path: str, review: Review, diff: PullDiff, models: Collection[Route]
) -> bool:
    """Did the reviewer named in a comment's marker look at `path` in full this time?"""
    if path not in diff.patches:
        return True  # the file left the diff, and its findings with it
    unreviewed = [u for u in review.coverage.unreviewed if u.path == path]
    if any(u.hunk is None for u in unreviewed):
        return False  # skipped whole (ignored, generated, ...): no reviewer looked at it
    if by in MODEL_REVIEWERS:
        route = Route(by)
        return route in models and not any(u.route is route for u in unreviewed)
    if by == "ruff":
        return path in diff.sources  # ruff needs the file's full text
    if by == "sarif":
        return False  # another tool's report: whether it ran this time is not known here
    if by is not None:
        return True  # the static rules and secret patterns run on every reviewed file
    # A comment from before the marker: only a file reviewed in full by every route.
    return not any(u.route is not Route.SKIP for u in unreviewed)


def fixed_threads(
    own: Sequence[PostedComment],
    everyone: Sequence[PostedComment],
    own_ids: Collection[int],
    review: Review,
    diff: PullDiff,
    models: Collection[Route],
) -> list[PostedComment]:
    """Our thread roots whose finding is gone, that nobody else replied to."""
    current = {c.fingerprint for c in review.comments}
    replied = {c.in_reply_to_id for c in everyone if c.in_reply_to_id and c.id not in own_ids}
    return [
        c
        for c in own
        if not c.in_reply_to_id
        and c.id not in replied
        and markers.fingerprint_of(c.body) not in current
        and reviewer_ran(markers.reviewer_of(c.body), c.path, review, diff, models)
    ]


async def resolve_fixed(
    client: GitHubClient, repo: str, number: int, fixed: Sequence[PostedComment]
) -> Resolution:
    if not fixed:
        return Resolution()
    try:
        threads = await asyncio.to_thread(client.list_review_threads, repo, number)
    except GitHubError as error:
        log.warning("%s#%d: review threads not listed: %s", repo, number, error)
        return Resolution(0, len(fixed), f"GitHub did not list the review threads ({error})")
    by_root = {t.comment_ids[0]: t for t in threads if t.comment_ids}
    open_threads = [by_root[c.id] for c in fixed if c.id in by_root]
    open_threads = [t for t in open_threads if not t.is_resolved]
    resolved, problem = 0, None
    for thread in open_threads:
        try:
            await asyncio.to_thread(client.resolve_review_thread, thread.id)
        except GitHubForbidden as error:  # the permission is missing: every try would fail
            log.warning("%s#%d: thread %s not resolved: %s", repo, number, thread.id, error)
            problem = NO_CONTENTS_WRITE
            break
        except GitHubError as error:
            log.warning("%s#%d: thread %s not resolved: %s", repo, number, thread.id, error)
            problem = f"GitHub said: {error}"
            continue
        resolved += 1
    return Resolution(resolved, len(open_threads) - resolved, problem)
