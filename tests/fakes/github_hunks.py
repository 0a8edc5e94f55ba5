"""The fake GitHub's own hunk parser and anchor rules, independent of reviewers.diff on purpose.

GitHub accepts a review comment only on a line inside a hunk of that file's patch:
RIGHT = an added or context line (new numbering), LEFT = a removed or context line (old
numbering), and a multi-line comment's start_line must be in the same hunk and precede
`line`. The messages below are the ones GitHub really answers with (422 "errors" list).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

HUNK_HEADER = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")

MSG_PATH_INVALID = "Pull request review thread path is invalid"
MSG_LINE_NOT_IN_DIFF = "Pull request review thread line must be part of the diff"
MSG_HUNK_BLANK = "Pull request review thread diff hunk can't be blank"
MSG_START_SAME_HUNK = (
    "Pull request review thread start line must be part of the same hunk as the line."
)
MSG_START_PRECEDES = "Pull request review thread start line must precede the end line."
MSG_LINE_UNRESOLVED = "Line could not be resolved"
MSG_POSITION_INVALID = "Pull request review thread position is invalid"


@dataclass(frozen=True, slots=True)
class FakeHunk:
    header: str
    right: frozenset[int]  # added + context lines, new numbering
    left: frozenset[int]  # removed + context lines, old numbering
    text: str  # header + body, what GitHub returns as a comment's diff_hunk

    def lines(self, side: str) -> frozenset[int]:
        return self.right if side == "RIGHT" else self.left


def parse_hunks(patch: str) -> list[FakeHunk]:
    """Split one file's patch (as in pulls/files `patch`) into hunks with commentable lines."""
    hunks: list[FakeHunk] = []
    header = ""
    body: list[str] = []
    right: set[int] = set()
    left: set[int] = set()
    old_no = new_no = 0
    for raw in patch.split("\n"):
        match = HUNK_HEADER.match(raw)
        if match:
            if header:
                hunks.append(
                    FakeHunk(header, frozenset(right), frozenset(left), _join(header, body))
                )
            header, body, right, left = raw, [], set(), set()
            old_no, new_no = int(match.group(1)), int(match.group(3))
            continue
        if not header:
            continue
        body.append(raw)
        if raw.startswith("+"):
            right.add(new_no)
            new_no += 1
        elif raw.startswith("-"):
            left.add(old_no)
            old_no += 1
        elif raw.startswith(" "):
            right.add(new_no)
            left.add(old_no)
            new_no += 1
            old_no += 1
    if header:
        hunks.append(FakeHunk(header, frozenset(right), frozenset(left), _join(header, body)))
    return hunks


def _join(header: str, body: list[str]) -> str:
    while body and body[-1] == "":
        body = body[:-1]
    return "\n".join([header, *body])


def position_count(patch: str) -> int:
    """Number of valid `position` values: every patch line after the first @@ header."""
    lines = patch.rstrip("\n").split("\n")
    return max(len(lines) - 1, 0)


def anchor_errors(comment: dict[str, Any], patches: dict[str, str | None]) -> list[str]:
    """GitHub's 422 messages for one review comment, or [] when it can be placed."""
    path = comment.get("path")
    if not isinstance(path, str) or path not in patches:
        return [MSG_PATH_INVALID]
    patch = patches[path]
    line = comment.get("line")
    position = comment.get("position")
    if patch is None:  # binary or too large: nothing to anchor to
        return [MSG_LINE_UNRESOLVED]
    if line is None:
        if isinstance(position, int) and 1 <= position <= position_count(patch):
            return []
        return [MSG_POSITION_INVALID] if position is not None else [MSG_LINE_UNRESOLVED]
    if not isinstance(line, int):
        return [MSG_LINE_UNRESOLVED]
    side = comment.get("side") or "RIGHT"
    if side not in ("LEFT", "RIGHT"):
        return [MSG_LINE_UNRESOLVED]
    hunk = next((h for h in parse_hunks(patch) if line in h.lines(side)), None)
    if hunk is None:
        return [MSG_LINE_NOT_IN_DIFF, MSG_HUNK_BLANK]
    start_line = comment.get("start_line")
    if start_line is None:
        return []
    start_side = comment.get("start_side") or side
    if not isinstance(start_line, int) or start_side not in ("LEFT", "RIGHT"):
        return [MSG_LINE_UNRESOLVED]
    if start_side == side and start_line >= line:
        return [MSG_START_PRECEDES]
    if start_line not in hunk.lines(start_side):
        return [MSG_START_SAME_HUNK]
    return []


def hunk_text_for(patch: str | None, line: int | None, side: str) -> str:
    """The diff_hunk GitHub stores with a comment: the hunk that holds the line."""
    if patch is None or line is None:
        return ""
    for hunk in parse_hunks(patch):
        if line in hunk.lines(side):
            return hunk.text
    return ""


def count_changes(patch: str | None) -> tuple[int, int]:
    """(additions, deletions) of one patch."""
    if patch is None:
        return 0, 0
    lines = [ln for ln in patch.split("\n") if not HUNK_HEADER.match(ln)]
    return sum(ln.startswith("+") for ln in lines), sum(ln.startswith("-") for ln in lines)
