"""Post one review GitHub accepts: anchors checked first, and a 422 never loses a comment.

GitHub rejects a whole review (422) when any comment's anchor is off the diff, and does
not say which one. So: check every anchor against the parsed patches before posting;
move the misfits into the summary; on a 422, first look for a review the failed call may
have left behind (reported: tend#123), then re-check against freshly fetched patches,
then halve the inline comments, and finally post the summary alone. Whatever is not
posted inline is listed in the summary, with any ```suggestion fence made plain, since a
suggestion outside an anchored comment would mean nothing (or the wrong lines).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.github import (
    DraftComment,
    GitHubClient,
    GitHubUnprocessable,
    Identity,
    PullFile,
    ReviewInfo,
)
from reviewers.diff import DiffError, parse_file_patch
from reviewers.models import FileDiff, Side

log = logging.getLogger(__name__)

MAX_BODY = 65536  # GitHub: "Body is too long (maximum is 65536 characters)"
TRUNCATED = "\n\n... (truncated)"
MOVED_TITLE = "### Comments that could not be placed inline"
MAX_ATTEMPTS = 4
FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})(.*)$")
SUGGESTION_OPENER = re.compile(r"^([ \t]*)(`{3,}|~{3,})[ \t]*suggestion\b.*$", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class PostResult:
    review_id: int
    posted: list[DraftComment]  # placed inline
    moved_to_summary: list[DraftComment]
    attempts: int  # create-review calls made
    reused_existing: bool = False  # a 422 had left our review behind; it was completed instead


def post_review(
    client: GitHubClient,
    repo: str,
    number: int,
    commit_sha: str,
    summary: str,
    comments: Sequence[DraftComment],
    patches: Mapping[str, FileDiff] | None = None,
    *,
    max_attempts: int = MAX_ATTEMPTS,
) -> PostResult:
    """Post `summary` + `comments` as one COMMENT review; raise only if even the summary fails."""
    if patches is None:
        patches = parse_patches(client.list_files(repo, number))
    inline, moved = split_placeable(comments, patches)
    inline = [clip_comment(c) for c in inline]
    attempts = 0
    while True:
        attempts += 1
        body = summary_body(summary, moved)
        try:
            review_id = client.create_review(repo, number, commit_sha, body, inline)
            return PostResult(review_id, inline, moved, attempts)
        except GitHubUnprocessable as err:
            log.warning("review on %s#%d refused (attempt %d): %s", repo, number, attempts, err)
            reviews = client.list_reviews(repo, number)
            existing = find_existing(reviews, commit_sha, body, client.identity())
            if existing is not None:
                posted, moved = complete_existing(
                    client, repo, number, existing, summary, inline, moved
                )
                return PostResult(existing.id, posted, moved, attempts, reused_existing=True)
            if not inline or attempts >= max_attempts:
                raise
            inline, dropped = narrow(client, repo, number, inline, attempts, max_attempts)
            moved = [*moved, *dropped]


def narrow(
    client: GitHubClient,
    repo: str,
    number: int,
    inline: list[DraftComment],
    attempt: int,
    max_attempts: int,
) -> tuple[list[DraftComment], list[DraftComment]]:
    """(keep inline, move to summary) after a refused attempt."""
    if attempt >= max_attempts - 1:  # the last try posts the summary alone
        return [], inline
    if attempt == 1:  # the caller's patches may be stale: check against fresh ones
        keep, drop = split_placeable(inline, parse_patches(client.list_files(repo, number)))
        if drop:
            return keep, drop
    half = len(inline) // 2  # GitHub does not say which comment failed
    return inline[:half], inline[half:]


def parse_patches(files: Sequence[PullFile]) -> dict[str, FileDiff]:
    """FileDiffs of the files GitHub sent a patch for (binary and huge files have none)."""
    patches: dict[str, FileDiff] = {}
    for f in files:
        if f.patch is None:
            continue
        try:
            patches[f.filename] = parse_file_patch(
                f.filename, f.patch, f.status, f.previous_filename
            )
        except DiffError as err:  # no inline comment can be anchored in an unreadable patch
            log.warning("unparseable patch for %s: %s", f.filename, err)
    return patches


def anchor_problem(comment: DraftComment, patches: Mapping[str, FileDiff]) -> str | None:
    """Why GitHub would refuse this anchor, or None when it is placeable."""
    diff = patches.get(comment.path)
    if diff is None:
        return "file is not in the diff (or has no textual patch)"
    hunk = next((h for h in diff.hunks if comment.line in h.commentable(comment.side)), None)
    if hunk is None:
        return f"line {comment.line} ({comment.side}) is not in any hunk"
    if comment.start_line is None:
        return None
    if comment.start_line >= comment.line:
        return "start_line must precede line"
    if comment.start_line not in hunk.commentable(comment.side):
        return "start_line is not in the same hunk as line"
    return None


def split_placeable(
    comments: Sequence[DraftComment], patches: Mapping[str, FileDiff]
) -> tuple[list[DraftComment], list[DraftComment]]:
    placeable: list[DraftComment] = []
    misfits: list[DraftComment] = []
    for comment in comments:
        (misfits if anchor_problem(comment, patches) else placeable).append(comment)
    return placeable, misfits


def find_existing(
    reviews: Sequence[ReviewInfo], commit_sha: str, body: str, me: Identity
) -> ReviewInfo | None:
    """Our review for this commit with exactly this body: a 422 may still have left it."""
    for review in reviews:
        mine = me.wrote(review.user_login, review.via_app_id)
        if mine and review.commit_id == commit_sha and review.body == body:
            return review
    return None


def complete_existing(
    client: GitHubClient,
    repo: str,
    number: int,
    existing: ReviewInfo,
    summary: str,
    inline: list[DraftComment],
    moved: list[DraftComment],
) -> tuple[list[DraftComment], list[DraftComment]]:
    """Keep the review the 422 left; list the comments it lacks in its body, no second review."""
    landed = {
        (c.path, c.line, c.body)
        for c in client.list_review_comments(repo, number)
        if c.review_id == existing.id
    }
    posted = [c for c in inline if (c.path, c.line, c.body) in landed]
    missing = [c for c in inline if (c.path, c.line, c.body) not in landed]
    if missing:
        moved = [*moved, *missing]
        client.update_review_body(repo, number, existing.id, summary_body(summary, moved))
    return posted, moved


def summary_body(summary: str, moved: Sequence[DraftComment]) -> str:
    """The review body: the summary, then every comment that could not be placed inline."""
    if not moved:
        return truncate_body(summary)
    parts = [summary.rstrip(), "", MOVED_TITLE, ""]
    for comment in moved:
        parts += [f"**`{where(comment)}`**", "", strip_suggestions(comment.body).strip(), ""]
    return truncate_body("\n".join(parts).rstrip() + "\n")


def where(comment: DraftComment) -> str:
    lines = f"{comment.start_line}-{comment.line}" if comment.start_line else str(comment.line)
    side = " (old)" if comment.side is Side.LEFT else ""
    return f"{comment.path}:{lines}{side}"


def strip_suggestions(body: str) -> str:
    """Turn ```suggestion fences into plain code fences (no suggestion outside an anchor)."""
    return SUGGESTION_OPENER.sub(r"\1\2", body)


def clip_comment(comment: DraftComment) -> DraftComment:
    if len(comment.body) <= MAX_BODY:
        return comment
    return DraftComment(
        comment.path, comment.side, comment.line, comment.start_line, truncate_body(comment.body)
    )


def truncate_body(text: str, limit: int = MAX_BODY) -> str:
    """Fit GitHub's body limit; never leave a fence open, never keep half a suggestion."""
    if len(text) <= limit:
        return text
    cut = text[: limit - len(TRUNCATED) - 16]  # room to close a fence
    newline = cut.rfind("\n")
    if newline > len(cut) // 2:  # end on a whole line
        cut = cut[:newline]
    opened = open_fence(cut)
    if opened is not None:
        start, fence, is_suggestion = opened
        cut = cut[:start].rstrip("\n") if is_suggestion else f"{cut.rstrip(chr(10))}\n{fence}"
    return cut + TRUNCATED


def open_fence(text: str) -> tuple[int, str, bool] | None:
    """(offset, fence, is_suggestion) of a code fence still open at the end of `text`."""
    offset, current = 0, None
    for line in text.splitlines(keepends=True):
        match = FENCE.match(line.rstrip("\n"))
        if match:
            fence, info = match.group(1), match.group(2).strip()
            if current is None:
                current = (offset, fence, info.startswith("suggestion"))
            elif fence[0] == current[1][0] and len(fence) >= len(current[1]) and not info:
                current = None
        offset += len(line)
    return current
