"""Hidden HTML markers the bot leaves in its own comments, and how to read them back."""

from __future__ import annotations

import re

SUMMARY = "<!-- prbot:summary -->"
_HEAD = re.compile(r"<!-- prbot:head=([0-9a-fA-F]{7,64}) -->")
_FINGERPRINT = re.compile(r"<!-- prbot:fp=([0-9a-f]{8,64}) -->")
_REVIEWER = re.compile(r"<!-- prbot:by=([a-z]+) -->")


def summary_marker(head_sha: str) -> str:
    return f"{SUMMARY}\n<!-- prbot:head={head_sha} -->"


def is_summary(body: str) -> bool:
    return SUMMARY in body


def reviewed_head(body: str) -> str | None:
    """The last reviewed commit recorded in a summary comment, if any."""
    match = _HEAD.search(body)
    return match.group(1) if match else None


def fingerprint_of(body: str) -> str | None:
    match = _FINGERPRINT.search(body)
    return match.group(1) if match else None


def fingerprints_in(body: str) -> set[str]:
    """Every fingerprint in a body (a review body lists the comments moved into it)."""
    return set(_FINGERPRINT.findall(body))


def reviewer_of(body: str) -> str | None:
    """Which reviewer produced the finding of one of our comments (None before the marker)."""
    match = _REVIEWER.search(body)
    return match.group(1) if match else None
