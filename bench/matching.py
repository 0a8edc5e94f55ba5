"""Comment-to-label matching for the benchmark: location window, greedy pairing, chance.

Rules (see docs/benchmark-cases.md):
- A comment range [cs, ce] matches a label range [ls, le] at tolerance N when path and side
  are equal and the two ranges overlap once the label is widened to [ls - N, le + N]
  (cs <= le + N and ce >= ls - N). The distance is 0 on overlap, else the gap in lines.
- One-to-one greedy: all candidate pairs sorted by (distance, comment order, label order);
  a pair is taken when neither its comment nor its label is taken yet. Deterministic.
- Duplicates: a comment whose fingerprint, or whose (path, side, end line, category), equals
  an earlier comment's is a duplicate: counted apart, neither TP nor FP.
- Chance: a comment on side S has chance = the share of the case's changed lines of side S
  (added lines for RIGHT, removed lines for LEFT) that lie within N of a label on that
  path and side (for the typed level: of a label with the comment's category).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from bench.cases import Label, Negative
from reviewers.models import Category, FileDiff, LineKind, Review, Route, Severity, Side

DEFAULT_TOLERANCE = 3


@dataclass(frozen=True, slots=True)
class Comment:
    """One inline bot comment, as the scorer sees it."""

    path: str
    side: Side
    start_line: int
    end_line: int
    category: Category
    severity: Severity | None = None
    route: Route | None = None
    fingerprint: str | None = None
    title: str = ""
    body: str = ""


class Judge(Protocol):
    """Optional semantic stage (prompt: prompts/judge.md): is this comment the labeled issue?"""

    def same_issue(self, label_note: str, comment_title: str, comment_body: str) -> bool: ...


@dataclass(frozen=True, slots=True)
class Match:
    comment: int  # index into the case's comments
    label: int  # index into the case's labels
    distance: int


PairFilter = Callable[[Comment, Label], bool]


def comments_from_review(review: Review) -> list[Comment]:
    """The inline comments of a Review (unanchored findings are summary-only: not scored)."""
    return [
        Comment(
            path=c.path,
            side=c.side,
            start_line=c.start_line if c.start_line is not None else c.line,
            end_line=c.line,
            category=c.finding.category,
            severity=c.finding.severity,
            route=c.finding.route,
            fingerprint=c.fingerprint,
            title=c.finding.title,
            body=c.finding.body,
        )
        for c in review.comments
    ]


def distance(c_start: int, c_end: int, l_start: int, l_end: int) -> int:
    """Lines between two ranges (0 when they overlap)."""
    lo, hi = min(c_start, c_end), max(c_start, c_end)
    if hi < l_start:
        return l_start - hi
    if lo > l_end:
        return lo - l_end
    return 0


def find_duplicates(comments: Sequence[Comment]) -> tuple[int, ...]:
    """Indices of comments repeating an earlier one's fingerprint or path/side/line/category."""
    seen: set[tuple[object, ...]] = set()
    dups: list[int] = []
    for i, c in enumerate(comments):
        keys: list[tuple[object, ...]] = [("loc", c.path, c.side, c.end_line, c.category)]
        if c.fingerprint is not None:
            keys.append(("fp", c.fingerprint))
        if any(k in seen for k in keys):
            dups.append(i)
        seen.update(keys)
    return tuple(dups)


def match(
    comments: Sequence[Comment],
    labels: Sequence[Label],
    scored: Iterable[int],
    tolerance: int,
    accept: PairFilter,
) -> tuple[Match, ...]:
    """One-to-one greedy matching of the scored comments to labels, in comment order."""
    pairs: list[Match] = []
    for ci in scored:
        c = comments[ci]
        for li, lb in enumerate(labels):
            if c.path != lb.path or c.side is not lb.side:
                continue
            d = distance(c.start_line, c.end_line, lb.start_line, lb.end_line)
            # The window is checked first so a judge is only asked about located pairs.
            if d <= tolerance and accept(c, lb):
                pairs.append(Match(ci, li, d))
    pairs.sort(key=lambda m: (m.distance, m.comment, m.label))
    used_c: set[int] = set()
    used_l: set[int] = set()
    taken: list[Match] = []
    for m in pairs:
        if m.comment not in used_c and m.label not in used_l:
            used_c.add(m.comment)
            used_l.add(m.label)
            taken.append(m)
    return tuple(sorted(taken, key=lambda m: m.comment))


def near_any(c: Comment, ranges: Iterable[Negative], tolerance: int) -> bool:
    """Whether a comment lies within the tolerance of any of the ranges (negatives)."""
    return any(
        c.path == r.path
        and c.side is r.side
        and distance(c.start_line, c.end_line, r.start_line, r.end_line) <= tolerance
        for r in ranges
    )


def changed_lines(diff: Sequence[FileDiff]) -> dict[Side, set[tuple[str, int]]]:
    """(path, line) of every added (RIGHT) and removed (LEFT) line, keyed by the head path.

    GitHub review comments name the file by its head path on both sides, so labels do too.
    """
    out: dict[Side, set[tuple[str, int]]] = {Side.RIGHT: set(), Side.LEFT: set()}
    for fd in diff:
        for hunk in fd.hunks:
            for ln in hunk.lines:
                if ln.kind is LineKind.ADDED and ln.new_no is not None:
                    out[Side.RIGHT].add((fd.path, ln.new_no))
                elif ln.kind is LineKind.REMOVED and ln.old_no is not None:
                    out[Side.LEFT].add((fd.path, ln.old_no))
    return out


class ChanceModel:
    """Share of one side's changed lines within the tolerance of a label."""

    def __init__(
        self, lines: dict[Side, set[tuple[str, int]]], labels: Sequence[Label], tolerance: int
    ) -> None:
        self._lines = lines
        self._labels = labels
        self._tolerance = tolerance

    def of(self, side: Side, category: Category | None = None) -> float | None:
        """None when the side has no changed lines."""
        lines = self._lines[side]
        if not lines:
            return None
        n = self._tolerance
        near = sum(
            1
            for path, no in lines
            if any(
                lb.path == path
                and lb.side is side
                and (category is None or lb.category is category)
                and lb.start_line - n <= no <= lb.end_line + n
                for lb in self._labels
            )
        )
        return near / len(lines)
