"""Small multi-file repositories and their changes, for the context engine's tests."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping

from reviewers.diff import parse_diff
from reviewers.models import Hunk
from reviewers.snapshot import ContextBlock, MappingSnapshot


class CountingSnapshot(MappingSnapshot):
    """A MappingSnapshot that counts reads, to prove files are read once per review."""

    def __init__(self, files: Mapping[str, str]) -> None:
        super().__init__(files)
        self.reads: dict[str, int] = {}

    def read(self, path: str) -> str | None:
        self.reads[path] = self.reads.get(path, 0) + 1
        return super().read(path)


def diff_of(path: str, old: str, new: str, context: int = 3) -> str:
    body = difflib.unified_diff(
        old.splitlines(True), new.splitlines(True), f"a/{path}", f"b/{path}", n=context
    )
    return f"diff --git a/{path} b/{path}\n" + "".join(body)


def hunks_of(changes: Mapping[str, tuple[str, str]], context: int = 3) -> list[Hunk]:
    """path -> (old, new): the hunks `git diff` would show, in path order."""
    text = "".join(diff_of(p, old, new, context) for p, (old, new) in sorted(changes.items()))
    return [h for f in parse_diff(text) for h in f.hunks]


def labels(blocks: Iterable[ContextBlock]) -> list[tuple[str, str]]:
    return [(b.kind, b.label) for b in blocks]


def covers(blocks: Iterable[ContextBlock], path: str, line: int) -> bool:
    return any(b.path == path and b.start_line <= line <= b.end_line for b in blocks)
