"""Token estimates and packing of hunks into model calls under a per-call limit."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

from reviewers.models import FileDiff, Hunk, LineKind, Route

# Newer tokenizers count ~30% more tokens than chars/4; 3 bytes a token overestimates
# code and prose alike, which is the safe side for a budget.
BYTES_PER_TOKEN = 3.0


def estimate_tokens(text: str) -> int:
    return math.ceil(len(text.encode("utf-8", "surrogatepass")) / BYTES_PER_TOKEN) + 4


@dataclass(frozen=True, slots=True)
class Work:
    """One hunk (or a window of an oversized one) waiting for a model."""

    file: FileDiff
    hunk: Hunk
    route: Route
    text: str  # rendered for the prompt
    tokens: int
    key: str  # cache key


@dataclass(frozen=True, slots=True)
class Batch:
    items: tuple[Work, ...]

    @property
    def tokens(self) -> int:
        return sum(item.tokens for item in self.items)

    @property
    def paths(self) -> frozenset[str]:
        return frozenset(item.file.path for item in self.items)


def split_hunk(hunk: Hunk, max_lines: int) -> tuple[Hunk, ...]:
    """Cut an oversized hunk into consecutive windows; each keeps true line numbers."""
    if len(hunk.lines) <= max_lines:
        return (hunk,)
    windows = []
    for index, begin in enumerate(range(0, len(hunk.lines), max_lines)):
        lines = hunk.lines[begin : begin + max_lines]
        old = [ln.old_no for ln in lines if ln.old_no is not None]
        new = [ln.new_no for ln in lines if ln.new_no is not None]
        first_old = old[0] if old else _next_old(hunk, begin)
        first_new = new[0] if new else _next_new(hunk, begin)
        windows.append(
            replace(
                hunk,
                lines=lines,
                old_start=first_old,
                old_len=len(old),
                new_start=first_new,
                new_len=len(new),
                section=f"{hunk.section} (part {index + 1})".strip(),
            )
        )
    return tuple(windows)


def _next_old(hunk: Hunk, begin: int) -> int:
    before = [ln.old_no for ln in hunk.lines[:begin] if ln.old_no is not None]
    return (before[-1] + 1) if before else hunk.old_start


def _next_new(hunk: Hunk, begin: int) -> int:
    before = [ln.new_no for ln in hunk.lines[:begin] if ln.new_no is not None]
    return (before[-1] + 1) if before else hunk.new_start


def changed_lines(hunk: Hunk) -> int:
    return sum(1 for ln in hunk.lines if ln.kind is not LineKind.CONTEXT)


def pack(items: Sequence[Work], max_tokens: int) -> list[Batch]:
    """Greedy first-fit in diff order, so a file's hunks tend to share a call."""
    batches: list[list[Work]] = []
    sizes: list[int] = []
    for item in items:
        if batches and sizes[-1] + item.tokens <= max_tokens:
            batches[-1].append(item)
            sizes[-1] += item.tokens
        else:
            batches.append([item])
            sizes.append(item.tokens)
    return [Batch(tuple(batch)) for batch in batches]
