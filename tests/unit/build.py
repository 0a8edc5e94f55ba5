"""Small builders for hand-made diff values in unit tests."""

from __future__ import annotations

from reviewers.models import DiffLine, FileDiff, FileStatus, Hunk, LineKind


def hunk(path: str, old_start: int, new_start: int, *lines: str, index: int = 0) -> Hunk:
    """Build a hunk from lines written as in a diff: '+added', '-removed', ' context'."""
    parsed = []
    old_no, new_no = old_start, new_start
    for raw in lines:
        kind = LineKind(raw[0])
        if kind is LineKind.ADDED:
            parsed.append(DiffLine(kind, raw[1:], None, new_no))
            new_no += 1
        elif kind is LineKind.REMOVED:
            parsed.append(DiffLine(kind, raw[1:], old_no, None))
            old_no += 1
        else:
            parsed.append(DiffLine(kind, raw[1:], old_no, new_no))
            old_no += 1
            new_no += 1
    return Hunk(
        path=path,
        index=index,
        old_start=old_start,
        old_len=old_no - old_start,
        new_start=new_start,
        new_len=new_no - new_start,
        section="",
        lines=tuple(parsed),
    )


def file_diff(path: str, *hunks: Hunk, status: FileStatus = FileStatus.MODIFIED) -> FileDiff:
    return FileDiff(path=path, old_path=None, status=status, hunks=tuple(hunks))
