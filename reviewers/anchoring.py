"""Findings snapped onto lines GitHub accepts a review comment on; fingerprints; dedupe."""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from reviewers.models import FileDiff, FileStatus, Finding, LineKind, ReviewComment, Side

SNAP_DISTANCE = 3  # how far outside every hunk a finding may be moved onto a diff line
# Sources of the form "<namespace>:<rule>" with one of these namespaces are deterministic
# rules; any other source is a model id, which a fingerprint must not depend on (model ids
# can hold a colon too: "llama3:8b").
RULE_NAMESPACES = frozenset(
    {"ruff", "secret", "secrets", "static", "rule", "bandit", "semgrep", "mypy", "pattern", "sarif"}
)
_SPACE = re.compile(r"\s+")
_DIGITS = re.compile(r"\d+")
_CHANGED = {Side.RIGHT: LineKind.ADDED, Side.LEFT: LineKind.REMOVED}


@dataclass(frozen=True, slots=True)
class _Span:
    """The commentable lines of one hunk on one side: first..last, contiguous."""

    first: int
    last: int


@dataclass(frozen=True, slots=True)
class _SideLines:
    spans: tuple[_Span, ...]
    lines: dict[int, tuple[bool, str]]  # line number -> (added/removed, text)


class DiffIndex:
    """Looks up the commentable lines of a diff by path and side, built lazily per file."""

    def __init__(self, files: Sequence[FileDiff]) -> None:
        self._files = {f.path: f for f in files}
        self._sides: dict[tuple[str, Side], _SideLines] = {}

    def file(self, path: str) -> FileDiff | None:
        return self._files.get(path)

    def text(self, path: str, side: Side, line: int) -> str | None:
        """The code on `line` of `path` on `side`, if that line is in a hunk."""
        file = self._files.get(path)
        if file is None:
            return None
        entry = self._side_lines(file, side).lines.get(line)
        return None if entry is None else entry[1]

    def _side_lines(self, file: FileDiff, side: Side) -> _SideLines:
        key = (file.path, side)
        found = self._sides.get(key)
        if found is None:
            found = self._sides[key] = _index_side(file, side)
        return found


def line_text(files: Sequence[FileDiff], path: str, side: Side, line: int) -> str | None:
    """The code on one diff line (None when it is not in a hunk); build a DiffIndex for many."""
    return DiffIndex(files).text(path, side, line)


def anchor(
    findings: Sequence[Finding], files: Sequence[FileDiff]
) -> tuple[tuple[ReviewComment, ...], tuple[Finding, ...]]:
    """Place each finding on commentable lines -> (comments, unanchored); none is dropped."""
    index = DiffIndex(files)
    comments: list[ReviewComment] = []
    unanchored: list[Finding] = []
    for finding in findings:
        placed = _place(finding, index)
        if placed is None:
            unanchored.append(finding)
        else:
            comments.append(_comment(finding, placed[0], placed[1], index))
    return tuple(comments), tuple(unanchored)


def fingerprint(finding: Finding, line_text: str) -> str:
    """A key that survives line shifts and model switches: same issue on the same code."""
    parts = (
        finding.path,
        _SPACE.sub(" ", line_text).strip(),
        finding.category.value,
        _rule(finding),
        _SPACE.sub(" ", _DIGITS.sub("", finding.title.lower())).strip(),
    )
    data = "\x1f".join(parts).encode("utf-8", errors="surrogatepass")
    return hashlib.sha256(data).hexdigest()[:16]


def dedupe(comments: Sequence[ReviewComment]) -> tuple[ReviewComment, ...]:
    """Drop repeated fingerprints, then keep one comment per path/side/line/category.

    Of a same-line, same-category group the highest severity wins, then the highest
    confidence, then the earliest. The result keeps the input order.
    """
    seen: set[str] = set()
    unique: list[ReviewComment] = []
    for comment in comments:
        if comment.fingerprint not in seen:
            seen.add(comment.fingerprint)
            unique.append(comment)
    best: dict[tuple[str, Side, int, str], int] = {}
    for i, comment in enumerate(unique):
        key = (comment.path, comment.side, comment.line, comment.finding.category.value)
        held = best.get(key)
        if held is None or _weight(comment) > _weight(unique[held]):
            best[key] = i
    keep = set(best.values())
    return tuple(c for i, c in enumerate(unique) if i in keep)


def _place(finding: Finding, index: DiffIndex) -> tuple[int | None, int] | None:
    """(start_line or None, line) on the finding's side, or None when it cannot be placed."""
    file = index.file(finding.path)
    if file is None or file.is_binary:
        return None
    if file.status is FileStatus.DELETED and finding.side is Side.RIGHT:
        return None
    side = index._side_lines(file, finding.side)
    low, high = sorted((finding.start_line, finding.end_line))
    span = _most_overlapping(side.spans, low, high)
    if span is not None:
        start, end = max(low, span.first), min(high, span.last)
        return (start if start != end else None), end
    near = _nearest(side.lines, low, high)
    return None if near is None else (None, near)


def _most_overlapping(spans: Sequence[_Span], low: int, high: int) -> _Span | None:
    best: _Span | None = None
    best_overlap = 0
    for span in spans:
        overlap = min(high, span.last) - max(low, span.first) + 1
        if overlap > best_overlap:  # ties keep the earlier hunk
            best, best_overlap = span, overlap
    return best


def _nearest(lines: dict[int, tuple[bool, str]], low: int, high: int) -> int | None:
    """The closest commentable line within SNAP_DISTANCE, changed lines first."""
    candidates: list[tuple[bool, int, int]] = []
    for distance in range(1, SNAP_DISTANCE + 1):
        for line in (low - distance, high + distance):
            entry = lines.get(line)
            if entry is not None:
                candidates.append((not entry[0], distance, line))
    return min(candidates)[2] if candidates else None


def _comment(finding: Finding, start: int | None, line: int, index: DiffIndex) -> ReviewComment:
    exact = (start if start is not None else line, line) == (finding.start_line, finding.end_line)
    # A suggestion replaces exactly start_line..line on the RIGHT side; moved, it would
    # overwrite the wrong code, so it is dropped and the finding kept as plain text.
    if finding.replacement is not None and not (exact and finding.side is Side.RIGHT):
        finding = dataclasses.replace(finding, replacement=None)
    text = index.text(finding.path, finding.side, line) or ""
    return ReviewComment(
        finding=finding,
        path=finding.path,
        side=finding.side,
        line=line,
        start_line=start,
        fingerprint=fingerprint(finding, text),
    )


def _index_side(file: FileDiff, side: Side) -> _SideLines:
    spans: list[_Span] = []
    lines: dict[int, tuple[bool, str]] = {}
    changed = _CHANGED[side]
    for hunk in file.hunks:
        numbers = []
        for ln in hunk.lines:
            number = ln.new_no if side is Side.RIGHT else ln.old_no
            if number is not None:
                numbers.append(number)
                lines[number] = (ln.kind is changed, ln.text)
        if numbers:
            spans.append(_Span(min(numbers), max(numbers)))
    return _SideLines(tuple(spans), lines)


def _rule(finding: Finding) -> str:
    namespace, colon, _ = finding.source.partition(":")
    if colon and namespace in RULE_NAMESPACES:
        return finding.source
    return finding.category.value


def _weight(comment: ReviewComment) -> tuple[int, float]:
    return comment.finding.severity.rank, comment.finding.confidence
