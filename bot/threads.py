"""Review threads as REST shows them: every reply points at the thread's top-level comment.

GitHub refuses replies to replies (422, "Replies to replies are not supported"), so a
reply must always go to the top-level comment, whichever comment of the thread it answers.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.github import PostedComment


def thread_root(comments: Sequence[PostedComment], comment_id: int) -> PostedComment | None:
    """The top-level comment of the thread holding `comment_id` (None if not listed)."""
    by_id = {c.id: c for c in comments}
    current = by_id.get(comment_id)
    seen: set[int] = set()
    while current is not None and current.in_reply_to_id is not None:
        if current.id in seen:  # never loop on inconsistent data
            return None
        seen.add(current.id)
        current = by_id.get(current.in_reply_to_id)
    return current


def replies_to(comments: Sequence[PostedComment], root_id: int) -> list[PostedComment]:
    """The replies of one thread, oldest first (REST lists them in creation order)."""
    return [c for c in comments if c.in_reply_to_id == root_id]
