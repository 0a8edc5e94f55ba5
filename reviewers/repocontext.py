"""The context engine: for the hunks of one model call, the code a careful reviewer would open.

Pure: the head tree comes in as a Snapshot (bot/ builds it), nothing is read from disk or
the network here. For each hunk it ranks candidates (reviewers/related.py): the enclosing
definition; definitions of the functions, types and constants the changed lines use (same
file, imported files, then a repository-wide index by name); call sites and uses of what the
change alters (nearest first). Candidates are clipped so that no block repeats a hunk's own
lines or another block's, trimmed toward the lines that matter (a signature, a call site)
and taken in rank order while the per-hunk, per-call and per-review token budgets allow.
One RepoContext serves a whole review, so every file is parsed and indexed once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from reviewers.budget import BYTES_PER_TOKEN
from reviewers.callers import caller_candidates
from reviewers.models import Hunk
from reviewers.related import Candidate, HunkView, definition_candidates, enclosing_candidates
from reviewers.repofiles import IndexLimits, RepoFiles
from reviewers.snapshot import ContextBlock, Snapshot

KINDS = ("enclosing", "definition", "caller")  # what gather_context can add, in rank order
BLOCK_OVERHEAD = 12  # tokens of a block's label line and framing
MIN_BLOCK_TOKENS = 24  # a smaller remainder of the budget is not worth a block
_PUNCTUATION = " \t{}()[];,"


@dataclass(frozen=True, slots=True)
class ContextBudget:
    """How much context one call may carry, and which kinds."""

    per_hunk_tokens: int = 600
    per_call_tokens: int = 2400
    per_review_tokens: int | None = None  # None: no limit beyond the per-call one
    kinds: frozenset[str] = field(default_factory=lambda: frozenset(KINDS))
    max_call_sites: int = 4  # call sites shown per altered function


class RepoContext:
    """One review's context engine: files, parses and indexes cached across its calls."""

    def __init__(
        self,
        snapshot: Snapshot | None,
        sources: dict[str, str] | None = None,
        limits: IndexLimits | None = None,
    ) -> None:
        self.files = RepoFiles(snapshot, sources, limits)
        self.spent = 0  # context tokens handed out in this review

    def gather(self, hunks: Sequence[Hunk], budget: ContextBudget) -> list[ContextBlock]:
        """Context blocks for the hunks of one call, ordered by path and line."""
        left = budget.per_call_tokens
        if budget.per_review_tokens is not None:
            left = min(left, budget.per_review_tokens - self.spent)
        if left < MIN_BLOCK_TOKENS or not budget.kinds:
            return []
        views = [HunkView(i, h) for i, h in enumerate(hunks)]
        candidates = self.candidates(views, budget)
        picker = Picker(self.files, views, left, budget.per_hunk_tokens)
        for candidate in sorted(candidates, key=lambda c: (c.rank, c.distance, c.hunk)):
            picker.take(candidate)
        self.spent += picker.spent
        return sorted(picker.blocks, key=lambda b: (b.path, b.start_line))

    def candidates(self, views: Sequence[HunkView], budget: ContextBudget) -> list[Candidate]:
        found: list[Candidate] = []
        readable = [v for v in views if self.files.text(v.path) is not None]
        for view in readable:
            if "enclosing" in budget.kinds:
                found += enclosing_candidates(self.files, view)
            if "definition" in budget.kinds:
                found += definition_candidates(self.files, view)
        if "caller" in budget.kinds:
            found += caller_candidates(self.files, readable, budget.max_call_sites)
        return found


def gather_context(
    hunks: Sequence[Hunk], context: RepoContext | None, budget: ContextBudget
) -> list[ContextBlock]:
    """The blocks for one call; none without a repository to read."""
    return context.gather(hunks, budget) if context is not None else []


def line_tokens(text: str) -> float:
    return len(text.encode("utf-8", "surrogatepass")) / BYTES_PER_TOKEN + 1


class Picker:
    """Takes candidates in rank order into blocks, within the budgets, never overlapping."""

    def __init__(
        self, files: RepoFiles, views: Sequence[HunkView], call_budget: int, hunk_budget: int
    ) -> None:
        self.files = files
        self.left = call_budget
        self.hunk_left = [hunk_budget] * len(views)
        self.taken: dict[str, set[int]] = {}
        for view in views:  # the hunks' own lines are in the prompt already
            lo, hi = view.span
            self.taken.setdefault(view.path, set()).update(range(lo, hi + 1))
        self.blocks: list[ContextBlock] = []
        self.spent = 0

    def take(self, c: Candidate) -> None:
        allowed = min(self.left, self.hunk_left[c.hunk])
        if allowed < MIN_BLOCK_TOKENS:
            return
        lines = self.files.lines(c.path)
        taken = self.taken.setdefault(c.path, set())
        free = [n for n in range(max(c.start, 1), min(c.end, len(lines)) + 1) if n not in taken]
        if c.required is not None and c.required not in free:
            return  # the call site is shown already (or is in a hunk)
        chosen = self.fit(c, free, lines, allowed)
        if not chosen or (c.required is not None and c.required not in chosen):
            return
        cost = 0.0
        for run in runs(sorted(chosen)):
            text = "\n".join(lines[n - 1] for n in run)
            cost += BLOCK_OVERHEAD + sum(line_tokens(lines[n - 1]) for n in run)
            self.blocks.append(ContextBlock(c.kind, c.path, run[0], run[-1], text, c.reason))
        taken.update(chosen)
        spent = int(cost + 0.999)
        self.left -= spent
        self.hunk_left[c.hunk] -= spent
        self.spent += spent

    def fit(self, c: Candidate, free: list[int], lines: list[str], allowed: int) -> list[int]:
        """The most useful free lines of the candidate within `allowed` tokens: the header
        first, then outward from the focus; blank lines at the edges of a run are dropped."""
        lo, hi = c.focus

        def priority(n: int) -> tuple[int, int]:
            if n <= c.head_end:
                return 0, n
            gap = lo - n if n < lo else (n - hi if n > hi else 0)
            return 1, gap * 2 + (n > hi)  # above the focus before below it

        picked: list[int] = []
        cost = float(BLOCK_OVERHEAD)
        for n in sorted(free, key=priority)[: c.max_lines]:
            extra = line_tokens(lines[n - 1]) + (BLOCK_OVERHEAD if _opens_run(n, picked) else 0)
            if cost + extra > allowed:
                break
            picked.append(n)
            cost += extra
        return trim_blank(sorted(picked), lines)


def _opens_run(n: int, picked: Iterable[int]) -> bool:
    chosen = set(picked)
    return bool(chosen) and n - 1 not in chosen and n + 1 not in chosen


def runs(numbers: Sequence[int]) -> list[list[int]]:
    """[3, 4, 5, 9, 10] -> [[3, 4, 5], [9, 10]]."""
    out: list[list[int]] = []
    for n in numbers:
        if out and out[-1][-1] == n - 1:
            out[-1].append(n)
        else:
            out.append([n])
    return out


def trim_blank(numbers: list[int], lines: list[str]) -> list[int]:
    """Runs without their blank edge lines; a run of nothing but brackets is dropped."""
    kept: list[int] = []
    for run in runs(numbers):
        while run and not lines[run[0] - 1].strip():
            run.pop(0)
        while run and not lines[run[-1] - 1].strip():
            run.pop()
        if any(lines[n - 1].strip(_PUNCTUATION) for n in run):
            kept += run
    return kept
