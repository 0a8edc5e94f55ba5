"""Unified diffs (git, GitHub .diff, GitHub /files patches) parsed into FileDiff values."""

from __future__ import annotations

import io
import re

from unidiff.constants import (
    DEV_NULL,
    RE_DIFF_GIT_HEADER,
    RE_HUNK_HEADER,
    RE_PATCH_FILE_PREFIX,
    RE_SOURCE_FILENAME,
    RE_TARGET_FILENAME,
)
from unidiff.errors import UnidiffParseError
from unidiff.patch import Hunk as RawHunk
from unidiff.patch import PatchedFile, PatchSet

from reviewers.diffkind import describe_non_diff
from reviewers.models import DiffLine, FileDiff, FileStatus, Hunk, LineKind

# GitHub's `GET /pulls/{n}/files` status words. "changed" is a mode or type change;
# "unchanged" shows up for files listed without a content change.
_GITHUB_STATUS = {
    "added": FileStatus.ADDED,
    "removed": FileStatus.DELETED,
    "modified": FileStatus.MODIFIED,
    "renamed": FileStatus.RENAMED,
    "copied": FileStatus.COPIED,
    "changed": FileStatus.MODIFIED,
    "unchanged": FileStatus.MODIFIED,
}
# unidiff line types; "\" (no newline marker) and "" (blank separator after a hunk) are
# not lines of either file and are left out.
_KINDS = {"+": LineKind.ADDED, "-": LineKind.REMOVED, " ": LineKind.CONTEXT}
_QUOTED_ESCAPE = re.compile(rb"\\([0-3][0-7]{2}|.)", re.DOTALL)
_ESCAPES = {bytes([k]): bytes([v]) for k, v in zip(b"abtnvfr", b"\a\b\t\n\v\f\r", strict=True)}
# A format-patch e-mail ends with a "-- " signature line after the last hunk.
_SIGNATURE = frozenset({"-- \n", "--\n", "-- ", "--"})
_PATCH_HEADER = "--- a/file\n+++ b/file\n"  # put before a /files patch, which has none


class DiffError(ValueError):
    """A diff that cannot be parsed; names the diff line and the file it was found in."""

    def __init__(self, reason: str, *, path: str | None = None, line: int | None = None) -> None:
        where = "malformed diff"
        if line is not None:
            where += f" at line {line}"
        if path is not None:
            where += f" (file {path})"
        super().__init__(f"{where}: {reason}")
        self.reason = reason
        self.path = path
        self.line = line


class NotADiff(DiffError):
    """Text that holds no unified diff at all: no file header anywhere."""

    def __init__(self, reason: str) -> None:
        ValueError.__init__(self, f"not a unified diff: {reason}")
        self.reason = reason
        self.path = None
        self.line = None


def parse_diff(text: str | bytes) -> tuple[FileDiff, ...]:
    """Parse `git diff` (with or without -M/-C) or GitHub .diff output. Empty (or blank)
    input -> (); other input without a single file header -> NotADiff."""
    source = _decode(text)
    if not source.strip():
        return ()
    files = tuple(_file_diff(raw) for raw in _patch_set(_Feed(source)))
    if not files:
        raise NotADiff(describe_non_diff(text, source))
    return files


def parse_file_patch(
    path: str,
    patch: str | None,
    status: str,
    old_path: str | None = None,
    *,
    is_binary: bool = False,
) -> FileDiff:
    """Build a FileDiff from one entry of GitHub's `GET /pulls/{n}/files`.

    `patch` holds only @@ hunks, and GitHub leaves it out for binary and very large files:
    then the FileDiff has no hunks, and the caller (who knows which case it is) says so.
    Error line numbers count from the first line of `patch`.
    """
    file_status = _GITHUB_STATUS.get(status)
    if file_status is None:
        raise DiffError(f"unknown GitHub file status {status!r}", path=path)
    hunks: tuple[Hunk, ...] = ()
    if patch:
        hunks = _patch_hunks(path, _decode(patch))
    moved = file_status in (FileStatus.RENAMED, FileStatus.COPIED) and old_path != path
    return FileDiff(
        path=path,
        old_path=old_path if moved else None,
        status=file_status,
        hunks=hunks,
        is_binary=is_binary,
    )


def _decode(text: str | bytes) -> str:
    # errors="replace", not "surrogateescape": diff text ends up in JSON prompts, cache keys
    # and GitHub comments, all UTF-8, where a lone surrogate raises UnicodeEncodeError far
    # from here. We never re-apply the patch, so the exact bytes are not needed.
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    # CRLF -> LF everywhere: unidiff's header regexes ("old mode 100644$", paths) fail on a
    # trailing \r, and content lines lose the \r anyway. Lines are split on \n only, so
    # the numbering is unchanged.
    return text.removeprefix("\ufeff").replace("\r\n", "\n")


def _patch_set(feed: _Feed) -> PatchSet:
    try:
        return PatchSet(feed)
    except UnidiffParseError as exc:
        reason = str(exc).strip()
        if reason.startswith("Unexpected hunk found"):
            reason = f"hunk before any file header: {reason.partition(': ')[2]!r}"
        raise DiffError(reason, path=feed.path, line=feed.number) from None


def _patch_hunks(path: str, patch: str) -> tuple[Hunk, ...]:
    if not patch.startswith("@@"):
        first = patch.partition("\n")[0]
        raise DiffError(
            f"a /files patch must start with an @@ hunk header: {first!r}", path=path, line=1
        )
    files = _patch_set(_Feed(_PATCH_HEADER + patch, first=-1, path=path))
    if len(files) != 1:
        raise DiffError("a /files patch must hold one file's hunks, without headers", path=path)
    return _hunks(files[0], path)


def _file_diff(raw: PatchedFile) -> FileDiff:
    info = [str(line) for line in raw.patch_info or ()]
    source = None if raw.source_file == DEV_NULL else _clean_path(raw.source_file)
    target = None if raw.target_file == DEV_NULL else _clean_path(raw.target_file)
    # "rename from"/"copy from" lines carry the exact paths (the "diff --git" line is
    # ambiguous when a path contains " b/"); they have no a/ b/ prefix.
    old = _info_path(info, "rename from ", "copy from ") or source
    new = _info_path(info, "rename to ", "copy to ") or target
    if new is None and old is None:
        # e.g. a stray "+++ /dev/null" after a hunk: a file header naming no file at all.
        raise DiffError("file header names no file (both sides are /dev/null)")
    if new is None:
        status, path = FileStatus.DELETED, old or ""
    elif old is None:
        status, path = FileStatus.ADDED, new
    elif any(line.startswith("copy from ") for line in info):
        status, path = FileStatus.COPIED, new
    elif old != new:
        status, path = FileStatus.RENAMED, new
    else:
        status, path = FileStatus.MODIFIED, new
    return FileDiff(
        path=path,
        old_path=old if status in (FileStatus.RENAMED, FileStatus.COPIED) else None,
        status=status,
        hunks=_hunks(raw, path),
        is_binary=raw.is_binary_file,
        # As git states them: both equal when only the index line names the mode, one
        # missing for created/deleted files, both None when git did not say.
        old_mode=raw.source_mode,
        new_mode=raw.target_mode,
    )


def _hunks(raw: PatchedFile, path: str) -> tuple[Hunk, ...]:
    return tuple(_hunk(h, path, i) for i, h in enumerate(raw))


def _hunk(raw: RawHunk, path: str, index: int) -> Hunk:
    lines = []
    for line in raw:
        kind = _KINDS.get(line.line_type)
        if kind is not None:
            text = line.value.removesuffix("\n").removesuffix("\r")
            lines.append(DiffLine(kind, text, line.source_line_no, line.target_line_no))
    return Hunk(
        path=path,
        index=index,
        old_start=raw.source_start,
        old_len=raw.source_length,
        new_start=raw.target_start,
        new_len=raw.target_length,
        section=raw.section_header,
        lines=tuple(lines),
    )


def _info_path(info: list[str], *prefixes: str) -> str | None:
    for line in info:
        for prefix in prefixes:
            if line.startswith(prefix):
                return _unquote(line[len(prefix) :].rstrip("\n"))
    return None


def _clean_path(name: str) -> str:
    """Unquote a git path and drop its a/ b/ (or mnemonic) prefix."""
    path = _unquote(name)
    return path[2:] if RE_PATCH_FILE_PREFIX.match(path) else path


def _unquote(name: str) -> str:
    # git C-quotes paths with special or non-ASCII bytes: "a/t\303\251st.py".
    if len(name) < 2 or name[0] != '"' or name[-1] != '"':
        return name
    raw = _QUOTED_ESCAPE.sub(_unescape, name[1:-1].encode("utf-8"))
    return raw.decode("utf-8", errors="replace")


def _unescape(match: re.Match[bytes]) -> bytes:
    code = match.group(1)
    if len(code) == 3:
        return bytes([int(code, 8)])
    return _ESCAPES.get(code, code)


class _Feed:
    """Hands unidiff one line at a time, checking each hunk's size against its header.

    unidiff 1.0.1 silently files lines past the end of a hunk (a header that undercounts)
    as "patch info", and a malformed @@ line too, so both are caught here; a hunk cut short
    swallows the next file's ---/+++ lines, caught by the next hunk going backwards. Its
    errors carry no line number; this feed remembers where it is and in which file.
    """

    def __init__(self, text: str, first: int = 1, path: str | None = None) -> None:
        self._lines = io.StringIO(text)  # splits on \n only, unlike str.splitlines()
        self.number = first - 1
        self.path = path
        self._pinned = path is not None  # a /files patch: the caller knows the path
        self._open = False  # inside a hunk body
        self._closed = False  # a hunk just ended: another body line means a bad header
        self._floor = (0, 0)  # the next hunk of this file starts at or after these lines
        self._header = 0  # line number of the last hunk header
        self._want = (0, 0)
        self._old = 0
        self._new = 0

    def __iter__(self) -> _Feed:
        return self

    def __next__(self) -> str:
        line = self._lines.readline()
        if not line:
            if self._open:
                raise self._short("the diff ends")
            raise StopIteration
        self.number += 1
        if self._open:
            self._count(line)
        else:
            self._watch(line)
        return line

    def _count(self, line: str) -> None:
        mark = line[0]
        if mark == "+":
            self._new += 1
        elif mark == "-":
            self._old += 1
        elif mark in " \n":  # unidiff, like git apply, takes a blank line as empty context
            self._old += 1
            self._new += 1
        elif mark != "\\":
            if line.startswith(("@@", "diff --git ")):
                raise self._short(f"line {self.number} starts a new header")
            raise self._error(
                f"{line.rstrip()[:80]!r} is not a hunk line (must start with ' ', '+', '-' "
                f"or '\\'); {self._claim()}, found {self._found()} before it"
            )
        want_old, want_new = self._want
        if self._old > want_old or self._new > want_new:
            raise self._error(f"{self._claim()}, found {self._found()} by this line")
        if self._old == want_old and self._new == want_new:
            self._open, self._closed = False, True

    def _watch(self, line: str) -> None:
        if line.startswith("@@"):
            self._start_hunk(line)
        elif line.startswith("diff --git "):
            git = RE_DIFF_GIT_HEADER.match(line)
            if git and not self._pinned:
                self.path = _clean_path(git.group("target"))
            self._closed, self._floor = False, (0, 0)
        elif line.startswith(("--- ", "+++ ")):
            named = RE_SOURCE_FILENAME.match(line) or RE_TARGET_FILENAME.match(line)
            if named and named.group("filename") != DEV_NULL and not self._pinned:
                self.path = _clean_path(named.group("filename"))
            self._closed, self._floor = False, (0, 0)
        elif self._closed and line[0] in "+- " and line not in _SIGNATURE:
            raise self._error(f"{self._claim()}, but this line continues the hunk")
        elif line[0] not in "\\\n":
            self._closed = False

    def _start_hunk(self, line: str) -> None:
        header = RE_HUNK_HEADER.match(line)
        if header is None:
            hint = " (combined diffs of merges are not supported)" if line[2:3] == "@" else ""
            raise self._error(f"bad hunk header {line.rstrip()[:80]!r}{hint}")
        old_len, new_len = header.group(2), header.group(4)
        self._want = (
            1 if old_len is None else int(old_len),
            1 if new_len is None else int(new_len),
        )
        if self._want == (0, 0):
            raise self._error("hunk header announces no lines")
        starts = (int(header.group(1)), int(header.group(3)))
        # Hunks of a file ascend. One that does not usually means the hunk above it was
        # cut short and swallowed the next file's ---/+++ lines as its own.
        if starts[0] < self._floor[0] or starts[1] < self._floor[1]:
            raise self._error(
                f"hunk starts at old line {starts[0]}, new line {starts[1]}, inside the "
                f"hunk at line {self._header}: was that one cut short?"
            )
        self._floor = (starts[0] + self._want[0], starts[1] + self._want[1])
        self._header, self._old, self._new = self.number, 0, 0
        self._open, self._closed = True, False

    def _claim(self) -> str:
        old, new = self._want
        return f"hunk header at line {self._header} says {old} old and {new} new lines"

    def _found(self) -> str:
        return f"{self._old} old and {self._new} new"

    def _short(self, where: str) -> DiffError:
        return self._error(f"{self._claim()}, found {self._found()} when {where}")

    def _error(self, reason: str) -> DiffError:
        return DiffError(reason, path=self.path, line=self.number)
