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

from collections.abc import Sequence
from dataclasses import dataclass, field

from reviewers.budget import BYTES_PER_TOKEN, changed_lines
from reviewers.callers import caller_candidates
from reviewers.models import Hunk
from reviewers.related import Candidate, HunkView, definition_candidates, enclosing_candidates
from reviewers.repofiles import IndexLimits, RepoFiles
from reviewers.snapshot import ContextBlock, Snapshot

KINDS = ("enclosing", "definition", "caller")  # what gather_context can add, in rank order
BLOCK_OVERHEAD = 12  # tokens of a block's label line and framing
MIN_BLOCK_TOKENS = 24  # a smaller remainder of the budget is not worth a block
# First pass: this many lines of every candidate, in rank order (breadth: the signature of
# each definition before the whole body of any); the second pass extends them in rank order.
ESSENTIAL_LINES = {"enclosing": 6, "definition": 5, "caller": 5}
ROUND_LINES = 5
_PUNCTUATION = " \t{}()[];,"


@dataclass(frozen=True, slots=True)
class ContextBudget:
    """How much context one call may carry, and which kinds.

    Budgets grow with the change: a hunk may use hunk_base + hunk_per_line tokens per changed
    line (at most per_hunk_tokens), a call call_base + call_per_line per changed line of its
    hunks (at most per_call_tokens). So a one-line fix gets a signature and a caller, and a
    large PR pays a few tokens a line, not a page per hunk.
    """

    per_hunk_tokens: int = 600
    hunk_base_tokens: int = 320
    hunk_per_line_tokens: int = 8
    per_call_tokens: int = 2400
    call_base_tokens: int = 360
    call_per_line_tokens: int = 3
    per_review_tokens: int | None = None  # None: no limit beyond the per-call one
    kinds: frozenset[str] = field(default_factory=lambda: frozenset(KINDS))
    max_call_sites: int = 4  # call sites shown per altered function

    def for_hunk(self, hunk: Hunk) -> int:
        grown = self.hunk_base_tokens + self.hunk_per_line_tokens * changed_lines(hunk)
        return min(self.per_hunk_tokens, grown)

    def for_call(self, hunks: Sequence[Hunk]) -> int:
        lines = sum(changed_lines(h) for h in hunks)
        return min(self.per_call_tokens, self.call_base_tokens + self.call_per_line_tokens * lines)


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
        left = budget.for_call(hunks)
        if budget.per_review_tokens is not None:
            left = min(left, budget.per_review_tokens - self.spent)
        if left < MIN_BLOCK_TOKENS or not budget.kinds:
            return []
        views = [HunkView(i, h) for i, h in enumerate(hunks)]
        ranked = sorted(self.candidates(views, budget), key=lambda c: (c.rank, c.distance, c.hunk))
        picker = Picker(self.files, views, left, [budget.for_hunk(h) for h in hunks])
        # Round one: the essentials of every candidate, in rank order. Then rounds that grow
        # each by a few lines, in rank order, while the budgets last: a short definition is
        # whole before a long one has filled the budget.
        for candidate in ranked:
            picker.take(candidate, ESSENTIAL_LINES.get(candidate.kind, candidate.max_lines))
        growing = list(ranked)
        while growing and picker.left >= MIN_BLOCK_TOKENS:
            growing = [c for c in growing if picker.grow(c, ROUND_LINES)]
        self.spent += picker.spent
        return picker.blocks()

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
    """Takes candidates' lines in rank order, within the budgets, never a line twice."""

    def __init__(
        self,
        files: RepoFiles,
        views: Sequence[HunkView],
        call_budget: int,
        hunk_budgets: Sequence[int],
    ) -> None:
        self.files = files
        self.left = call_budget
        self.hunk_left = list(hunk_budgets)
        self.taken: dict[str, set[int]] = {}  # lines shown: the hunks' own, then blocks'
        for view in views:  # the hunks' own lines are in the prompt already
            lo, hi = view.span
            self.taken.setdefault(view.path, set()).update(range(lo, hi + 1))
        self.chosen: dict[str, dict[int, Candidate]] = {}  # path -> line -> its candidate
        self.owned: dict[Candidate, set[int]] = {}
        self.spent = 0

    def grow(self, c: Candidate, lines: int) -> bool:
        """Up to `lines` more lines of a candidate it has begun; False when it cannot grow."""
        own = self.owned.get(c)
        if not own or len(own) >= c.max_lines:
            return False
        self.take(c, min(c.max_lines, len(own) + lines))
        return len(self.owned[c]) > len(own)

    def take(self, c: Candidate, max_lines: int) -> None:
        """Up to max_lines of the candidate in all (what earlier passes took counts)."""
        allowed = min(self.left, self.hunk_left[c.hunk])
        own = self.owned.get(c, set())
        if allowed < MIN_BLOCK_TOKENS or len(own) >= max_lines:
            return
        lines = self.files.lines(c.path)
        taken = self.taken.setdefault(c.path, set())
        free = [n for n in range(max(c.start, 1), min(c.end, len(lines)) + 1) if n not in taken]
        if c.required is not None and c.required not in free and c.required not in own:
            return  # the call site is shown already (or is in a hunk)
        chosen = self.fit(c, free, lines, allowed, max_lines - len(own), own)
        if c.required is not None and c.required not in own and c.required not in chosen:
            return
        if not chosen:
            return
        mine = self.chosen.setdefault(c.path, {})
        cost = 0.0
        for n in chosen:
            opens = n - 1 not in mine and n + 1 not in mine
            cost += line_tokens(lines[n - 1]) + (BLOCK_OVERHEAD if opens else 0)
            mine[n] = c
        taken.update(chosen)
        self.owned[c] = own | set(chosen)
        spent = int(cost + 0.999)
        self.left -= spent
        self.hunk_left[c.hunk] -= spent
        self.spent += spent

    def fit(
        self,
        c: Candidate,
        free: list[int],
        lines: list[str],
        allowed: int,
        count: int,
        own: set[int],
    ) -> list[int]:
        """The most useful free lines of the candidate within `allowed` tokens: the header
        first, then outward from the focus; blank lines at the edges of a run are dropped."""
        lo, hi = c.focus

        def priority(n: int) -> tuple[int, int]:
            if n <= c.head_end:
                return 0, n
            gap = lo - n if n < lo else (n - hi if n > hi else 0)
            return 1, gap * 2 + (n > hi)  # above the focus before below it

        picked: list[int] = []
        cost = 0.0 if own else float(BLOCK_OVERHEAD)
        for n in sorted(free, key=priority)[:count]:
            near = own | set(picked)
            extra = line_tokens(lines[n - 1]) + (BLOCK_OVERHEAD if _opens_run(n, near) else 0)
            if cost + extra > allowed:
                break
            picked.append(n)
            cost += extra
        return trim_blank(sorted(picked), lines, own)

    def blocks(self) -> list[ContextBlock]:
        """Runs of consecutive lines of one kind, one block each, by path and line."""
        out: list[ContextBlock] = []
        for path in sorted(self.chosen):
            lines = self.files.lines(path)
            by_line = self.chosen[path]
            run: list[int] = []
            for n in sorted(by_line) + [0]:
                if run and (n != run[-1] + 1 or by_line[n].kind != by_line[run[0]].kind):
                    reasons = dict.fromkeys(by_line[m].reason for m in run)
                    text = "\n".join(lines[m - 1] for m in run)
                    kind = by_line[run[0]].kind
                    out.append(ContextBlock(kind, path, run[0], run[-1], text, "; ".join(reasons)))
                    run = []
                if n:
                    run.append(n)
        return out


def _opens_run(n: int, chosen: set[int]) -> bool:
    return n - 1 not in chosen and n + 1 not in chosen


def runs(numbers: Sequence[int]) -> list[list[int]]:
    """[3, 4, 5, 9, 10] -> [[3, 4, 5], [9, 10]]."""
    out: list[list[int]] = []
    for n in numbers:
        if out and out[-1][-1] == n - 1:
            out[-1].append(n)
        else:
            out.append([n])
    return out


def trim_blank(numbers: list[int], lines: list[str], own: set[int] | None = None) -> list[int]:
    """Runs without their blank edge lines; a run of nothing but brackets is dropped, unless
    it extends lines the candidate already has."""
    own = own or set()
    kept: list[int] = []
    for run in runs(numbers):
        joins = run[0] - 1 in own or run[-1] + 1 in own
        while run and not lines[run[0] - 1].strip() and run[0] - 1 not in own:
            run.pop(0)
        while run and not lines[run[-1] - 1].strip() and run[-1] + 1 not in own:
            run.pop()
        if joins or any(lines[n - 1].strip(_PUNCTUATION) for n in run):
            kept += run
    return kept
