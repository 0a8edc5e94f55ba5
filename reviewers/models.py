"""Frozen value types shared by the whole review pipeline."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field


class Side(enum.StrEnum):
    """Which version of the file a line number refers to (GitHub's names)."""

    LEFT = "LEFT"  # base: removed or context lines, old numbering
    RIGHT = "RIGHT"  # head: added or context lines, new numbering


class Route(enum.StrEnum):
    SKIP = "skip"
    SMALL = "small"
    FRONTIER = "frontier"


class Category(enum.StrEnum):
    DEFECT = "defect"
    SECURITY = "security"
    PERFORMANCE = "performance"
    MAINTAINABILITY = "maintainability"
    FORMATTING = "formatting"


class Severity(enum.StrEnum):
    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {s: i for i, s in enumerate(Severity)}


class LineKind(enum.StrEnum):
    ADDED = "+"
    REMOVED = "-"
    CONTEXT = " "


class FileStatus(enum.StrEnum):
    ADDED = "added"
    DELETED = "deleted"
    MODIFIED = "modified"
    RENAMED = "renamed"
    COPIED = "copied"


@dataclass(frozen=True, slots=True)
class DiffLine:
    kind: LineKind
    text: str  # without the +/-/space marker and without the line ending
    old_no: int | None  # line number in the base file (None for added lines)
    new_no: int | None  # line number in the head file (None for removed lines)


@dataclass(frozen=True, slots=True)
class Hunk:
    path: str
    index: int  # 0-based position of the hunk within its file
    old_start: int
    old_len: int
    new_start: int
    new_len: int
    section: str  # the text after the second @@ (often the enclosing def)
    lines: tuple[DiffLine, ...]

    def commentable(self, side: Side) -> frozenset[int]:
        """Line numbers GitHub accepts a review comment on, for one side of this hunk."""
        if side is Side.RIGHT:
            return frozenset(ln.new_no for ln in self.lines if ln.new_no is not None)
        return frozenset(ln.old_no for ln in self.lines if ln.old_no is not None)

    @property
    def added(self) -> tuple[DiffLine, ...]:
        return tuple(ln for ln in self.lines if ln.kind is LineKind.ADDED)

    @property
    def removed(self) -> tuple[DiffLine, ...]:
        return tuple(ln for ln in self.lines if ln.kind is LineKind.REMOVED)


@dataclass(frozen=True, slots=True)
class FileDiff:
    path: str  # head path; the base path for a deleted file
    old_path: str | None  # base path when it differs (renames, copies)
    status: FileStatus
    hunks: tuple[Hunk, ...]
    is_binary: bool = False
    old_mode: str | None = None
    new_mode: str | None = None

    def commentable(self, side: Side) -> frozenset[int]:
        lines: set[int] = set()
        for hunk in self.hunks:
            lines |= hunk.commentable(side)
        return frozenset(lines)


@dataclass(frozen=True, slots=True)
class RouteDecision:
    route: Route
    reason: str  # short, human-readable; shown in the summary and the benchmark


@dataclass(frozen=True, slots=True)
class Finding:
    path: str
    side: Side
    start_line: int
    end_line: int
    category: Category
    severity: Severity
    confidence: float  # 0..1
    title: str
    body: str
    route: Route
    source: str  # rule id ("ruff:F401", "secret:aws-access-key") or model id
    replacement: str | None = None  # new text for start_line..end_line on the RIGHT side


@dataclass(frozen=True, slots=True)
class ReviewComment:
    """A finding snapped onto lines GitHub will accept."""

    finding: Finding
    path: str
    side: Side
    line: int
    start_line: int | None  # None for a single-line comment
    fingerprint: str


@dataclass(frozen=True, slots=True)
class TokenUsage:
    input_tokens: int = 0  # uncached input
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    reasoning_tokens: int = 0  # part of output_tokens (thinking), reported on its own

    def __add__(self, other: TokenUsage) -> TokenUsage:
        return TokenUsage(
            self.input_tokens + other.input_tokens,
            self.output_tokens + other.output_tokens,
            self.cache_read_tokens + other.cache_read_tokens,
            self.cache_write_tokens + other.cache_write_tokens,
            self.reasoning_tokens + other.reasoning_tokens,
        )

    @property
    def total(self) -> int:
        return (
            self.input_tokens
            + self.output_tokens
            + self.cache_read_tokens
            + self.cache_write_tokens
        )


@dataclass(frozen=True, slots=True)
class Usage:
    """What one route spent on one model during a review."""

    route: Route
    model: str
    calls: int = 0
    tokens: TokenUsage = field(default_factory=TokenUsage)
    cost_usd: float = 0.0
    cache_hits: int = 0
    saved_usd: float = 0.0  # what the cache hits cost when they were first computed


@dataclass(frozen=True, slots=True)
class Unreviewed:
    """A file or hunk that was not reviewed, and why."""

    path: str
    hunk: int | None  # None: the whole file
    route: Route  # the route it was meant for (SKIP for skipped-by-design)
    reason: str


@dataclass(frozen=True, slots=True)
class Coverage:
    files_total: int
    files_reviewed: int  # at least one hunk judged by some reviewer
    hunks_by_route: Mapping[Route, int]
    lines_by_route: Mapping[Route, int]  # changed lines per route
    unreviewed: tuple[Unreviewed, ...] = ()


@dataclass(frozen=True, slots=True)
class Review:
    comments: tuple[ReviewComment, ...]
    unanchored: tuple[Finding, ...]  # could not be placed on a commentable line: summary only
    coverage: Coverage
    usage: tuple[Usage, ...]
    dropped_outputs: int = 0  # model answers that failed the schema
    notes: tuple[str, ...] = ()  # e.g. "frontier review not configured"

    @property
    def findings(self) -> tuple[Finding, ...]:
        return tuple(c.finding for c in self.comments) + self.unanchored

    @property
    def cost_usd(self) -> float:
        return sum(u.cost_usd for u in self.usage)
