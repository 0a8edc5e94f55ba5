"""Page-number pagination shared by the list endpoints."""

from __future__ import annotations


def page_slice(page: int, per_page: int) -> slice:
    """The slice of a result list holding one 1-based page."""
    if page < 1:
        raise ValueError("page numbers start at 1")
    if per_page < 1:
        raise ValueError("per_page must be positive")
    start = page * per_page
    return slice(start, start + per_page)


def page_count(total: int, per_page: int) -> int:
    """How many pages `total` results fill (an empty result still has one page)."""
    return max(1, -(-total // per_page))
