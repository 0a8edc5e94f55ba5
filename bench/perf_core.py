"""Time and memory of the pure core on a large synthetic diff: `python -m bench.perf_core`."""

from __future__ import annotations

import argparse
import importlib
import random
import resource
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from reviewers.anchoring import anchor
from reviewers.diff import parse_diff
from reviewers.models import Category, FileDiff, Finding, Hunk, LineKind, Route, Severity, Side

# Triage plugs in here: called once per hunk, its result ignored; only its time counts.
Classify = Callable[[FileDiff, Hunk], object]

_CODE = [
    "    value = compute(alpha, beta)",
    "    if value is None:",
    "        return default",
    "    for item in items:",
    "        total += item.price * item.quantity",
    "    logger.debug('done %s', name)",
    "    result = session.execute(query, params)",
    "",
    "def handler(request):",
    "    return JSONResponse({'ok': True})",
]


@dataclass(frozen=True, slots=True)
class PerfResult:
    files: int
    hunks: int
    changed_lines: int
    diff_mb: float
    findings: int
    comments: int
    unanchored: int
    parse_s: float
    anchor_s: float
    classify_s: float | None
    peak_mb: float  # tracemalloc peak over parse + anchor (+ classify)
    maxrss_mb: float  # the whole process, getrusage

    def summary(self) -> str:
        classify = "n/a" if self.classify_s is None else f"{self.classify_s:.3f} s"
        return (
            f"parse: {self.parse_s:.3f} s, anchor: {self.anchor_s:.3f} s, classify: {classify}, "
            f"peak {self.peak_mb:.1f} MB (tracemalloc), maxrss {self.maxrss_mb:.0f} MB\n"
            f"{self.files} files, {self.hunks} hunks, {self.changed_lines:,} changed lines, "
            f"{self.diff_mb:.2f} MB of diff; {self.findings} findings -> {self.comments} "
            f"comments, {self.unanchored} unanchored"
        )


def synthetic_diff(files: int = 300, changed: int = 20_000, seed: int = 7) -> str:
    """A deterministic git-style diff with `changed` added+removed lines over `files` files."""
    rng = random.Random(seed)
    parts: list[str] = []
    for i in range(files):
        budget = changed // files + (1 if i < changed % files else 0)
        path = f"src/pkg{i % 17}/module_{i}.py"
        parts.append(f"diff --git a/{path} b/{path}\nindex 1a2b3c4..5d6e7f8 100644\n")
        parts.append(f"--- a/{path}\n+++ b/{path}\n")
        parts += _file_hunks(rng, budget)
    return "".join(parts)


def _file_hunks(rng: random.Random, budget: int) -> list[str]:
    out: list[str] = []
    old = new = 1
    while budget > 0:
        size = min(budget, rng.randint(4, 30))
        budget -= size
        gap = rng.randint(5, 60)
        old, new = old + gap, new + gap
        marks = [" "] * 3 + [rng.choice("+-+") for _ in range(size)] + [" "] * 3
        body = [f"{m}{rng.choice(_CODE)}\n" for m in marks]
        old_len = sum(m != "+" for m in marks)
        new_len = sum(m != "-" for m in marks)
        out.append(f"@@ -{old},{old_len} +{new},{new_len} @@ def func_{old}():\n")
        out += body
        old, new = old + old_len, new + new_len
    return out


def synthetic_findings(files: Sequence[FileDiff], share: float, seed: int = 7) -> list[Finding]:
    """Findings on about `share` of the changed lines; a fifth nudged off by 1-5 lines."""
    rng = random.Random(seed)
    findings = []
    for file in files:
        for hunk in file.hunks:
            for ln in hunk.lines:
                if ln.kind is LineKind.CONTEXT or rng.random() >= share:
                    continue
                side = Side.RIGHT if ln.kind is LineKind.ADDED else Side.LEFT
                line = (ln.new_no if side is Side.RIGHT else ln.old_no) or 1
                if rng.random() < 0.2:
                    line += rng.randint(-5, 5)
                findings.append(_finding(file.path, side, line, line + rng.randint(0, 2)))
    return findings


def _finding(path: str, side: Side, start: int, end: int) -> Finding:
    return Finding(
        path=path,
        side=side,
        start_line=start,
        end_line=end,
        category=Category.DEFECT,
        severity=Severity.MEDIUM,
        confidence=0.8,
        title="Possible None dereference",
        body="`value` may be None here.",
        route=Route.FRONTIER,
        source="synthetic",
        replacement="    value = compute(alpha, beta) or default",
    )


def measure(
    classify: Classify | None = None,
    *,
    files: int = 300,
    changed: int = 20_000,
    share: float = 0.05,
    seed: int = 7,
    repeat: int = 3,
) -> PerfResult:
    """Best-of-`repeat` timings, then one traced run for peak memory (tracing is slow)."""
    text = synthetic_diff(files, changed, seed)
    parse_s = min(_timed(lambda: parse_diff(text)) for _ in range(repeat))
    parsed = parse_diff(text)
    findings = synthetic_findings(parsed, share, seed)
    anchor_s = min(_timed(lambda: anchor(findings, parsed)) for _ in range(repeat))
    classify_s = None
    if classify is not None:
        classify_s = min(_timed(lambda: _classify_all(classify, parsed)) for _ in range(repeat))
    tracemalloc.start()
    try:
        traced = parse_diff(text)
        comments, unanchored = anchor(synthetic_findings(traced, share, seed), traced)
        if classify is not None:
            _classify_all(classify, traced)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    maxrss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return PerfResult(
        files=len(parsed),
        hunks=sum(len(f.hunks) for f in parsed),
        changed_lines=sum(len(h.added) + len(h.removed) for f in parsed for h in f.hunks),
        diff_mb=len(text.encode()) / 2**20,
        findings=len(findings),
        comments=len(comments),
        unanchored=len(unanchored),
        parse_s=parse_s,
        anchor_s=anchor_s,
        classify_s=classify_s,
        peak_mb=peak / 2**20,
        maxrss_mb=maxrss_kb / 1024,
    )


def _timed(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def _classify_all(classify: Classify, files: Sequence[FileDiff]) -> None:
    for file in files:
        for hunk in file.hunks:
            classify(file, hunk)


def find_triage() -> Classify | None:
    """reviewers.triage's classify_hunk with default TriageRules, once that module exists."""
    try:
        triage = importlib.import_module("reviewers.triage")
    except ModuleNotFoundError as exc:
        if exc.name != "reviewers.triage":
            raise  # triage exists but one of its own imports is missing
        return None
    classify_hunk = getattr(triage, "classify_hunk", None)
    rules_type = getattr(triage, "TriageRules", None)
    if classify_hunk is None or rules_type is None:
        return None
    rules = rules_type()

    def classify(file: FileDiff, hunk: Hunk) -> object:
        return classify_hunk(file, hunk, rules)

    return classify


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.perf_core", description=__doc__)
    parser.add_argument("--files", type=int, default=300)
    parser.add_argument("--changed", type=int, default=20_000)
    parser.add_argument("--share", type=float, default=0.05, help="changed lines with findings")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-triage", action="store_true", help="do not time reviewers.triage")
    args = parser.parse_args(argv)
    classify = None if args.no_triage else find_triage()
    result = measure(
        classify, files=args.files, changed=args.changed, share=args.share, seed=args.seed
    )
    print(result.summary())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
