"""How fast the context engine is on a large change: `python -m bench.perf_context REPO BASE HEAD`.

Reads the head tree of a local git repository (text files, the snapshot's caps), parses
`git diff BASE...HEAD`, keeps its first --max-files code files, packs their hunks into calls
the way the review does (consecutive
hunks up to the per-call limit) and times RepoContext.gather over every call: cold (first
review: every file read, parsed and indexed on demand) and warm (the same RepoContext again:
what one review's caches save). Prints files, hunks, calls, blocks by kind, context tokens
and tokens per changed line, seconds. A measurement for docs/performance.md, not a test.
"""

from __future__ import annotations

import argparse
import subprocess
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from reviewers.budget import changed_lines, estimate_tokens
from reviewers.diff import parse_diff
from reviewers.models import FileStatus, Hunk
from reviewers.repocontext import ContextBudget, RepoContext
from reviewers.snapshot import ContextBlock, MappingSnapshot
from reviewers.syntax import language_for

MAX_FILE_BYTES = 256_000  # bot/snapshot_archive.SnapshotLimits' per-file cap
HUNK_LINE_TOKENS = 10  # a rough per-line cost of a rendered hunk, for packing calls


def git(repo: Path, *args: str, stdin: bytes | None = None) -> bytes:
    return subprocess.run(
        ["git", "-C", str(repo), *args], input=stdin, capture_output=True, check=True
    ).stdout


def head_tree(repo: Path, ref: str) -> dict[str, str]:
    """Text files of `ref` within the per-file cap (what a snapshot would hold)."""
    wanted: list[tuple[str, str]] = []
    for entry in git(repo, "ls-tree", "-r", "-z", "-l", ref).split(b"\0"):
        if not entry:
            continue
        meta, _, raw = entry.partition(b"\t")
        mode, kind, oid, size = meta.split()
        if kind == b"blob" and mode != b"120000" and int(size) <= MAX_FILE_BYTES:
            wanted.append((oid.decode(), raw.decode("utf-8", "replace")))
    out = git(repo, "cat-file", "--batch", stdin="".join(f"{o}\n" for o, _ in wanted).encode())
    files: dict[str, str] = {}
    pos = 0
    for _, path in wanted:
        end = out.index(b"\n", pos)
        length = int(out[pos:end].split()[2])
        blob = out[end + 1 : end + 1 + length]
        pos = end + 2 + length
        if b"\0" not in blob[:8000]:
            files[path] = blob.decode("utf-8", "replace")
    return files


def calls_of(hunks: Sequence[Hunk], max_call_tokens: int) -> list[list[Hunk]]:
    calls: list[list[Hunk]] = []
    size = 0
    for hunk in hunks:
        cost = len(hunk.lines) * HUNK_LINE_TOKENS
        if calls and size + cost <= max_call_tokens:
            calls[-1].append(hunk)
            size += cost
        else:
            calls.append([hunk])
            size = cost
    return calls


def gather_all(
    context: RepoContext, calls: Sequence[Sequence[Hunk]], budget: ContextBudget
) -> tuple[list[ContextBlock], float]:
    started = time.perf_counter()
    blocks = [b for call in calls for b in context.gather(call, budget)]
    return blocks, time.perf_counter() - started


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.perf_context", description=__doc__)
    parser.add_argument("repo", type=Path)
    parser.add_argument("base")
    parser.add_argument("head")
    parser.add_argument("--max-files", type=int, default=60, help="changed files kept")
    parser.add_argument("--call-tokens", type=int, default=6000)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    tree = head_tree(args.repo, args.head)
    read = time.perf_counter() - started
    diff = git(args.repo, "diff", "--no-color", "-M", f"{args.base}...{args.head}")
    files = [f for f in parse_diff(diff) if f.status is not FileStatus.DELETED and f.hunks]
    # Code files only: context goes to frontier calls, and docs and config route elsewhere.
    files = [f for f in files if f.path in tree and language_for(f.path)][: args.max_files]
    hunks = [h for f in files for h in f.hunks]
    lines = sum(changed_lines(h) for h in hunks)
    calls = calls_of(hunks, args.call_tokens)
    budget = ContextBudget()
    context = RepoContext(MappingSnapshot(tree), {f.path: tree[f.path] for f in files})
    cold, cold_s = gather_all(context, calls, budget)
    warm, warm_s = gather_all(context, calls, budget)
    tokens = sum(estimate_tokens(b.text) for b in cold)
    kinds = Counter(b.kind for b in cold)
    print(
        f"{args.repo} {args.base}...{args.head}: head tree {len(tree)} text files "
        f"({sum(len(t) for t in tree.values()) / 1e6:.1f} MB) read in {read:.2f} s"
    )
    print(
        f"  PR: {len(files)} files, {len(hunks)} hunks, {lines} changed lines, {len(calls)} calls"
    )
    print(
        f"  context: {len(cold)} blocks ({', '.join(f'{k} {n}' for k, n in sorted(kinds.items()))})"
        f", {tokens} tokens, {tokens / max(lines, 1):.2f} per changed line"
    )
    print(
        f"  gather: cold {cold_s:.2f} s ({cold_s / max(len(calls), 1) * 1000:.0f} ms per call), "
        f"warm {warm_s:.2f} s; files parsed {context.files.parsed}"
    )
    assert len(warm) == len(cold)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
