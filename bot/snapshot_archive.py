"""Read a repository tarball (GitHub's archive format) into texts by path, safely.

Nothing is extracted: members are read from the stream into memory, so no path from the
archive ever touches the file system. Only regular files are kept; symlinks, hard links,
devices, absolute paths, `..` components and names outside the archive's one top-level
directory are skipped and counted. Binary files (a NUL byte in the first 8 KB), files over
the per-file cap and files past the total cap are skipped and counted too; the unpacked size
of everything read or skipped is capped, so a decompression bomb stops early.
"""

from __future__ import annotations

import tarfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import IO

BINARY_PROBE = 8000  # bytes looked at for a NUL, as git does


@dataclass(frozen=True, slots=True)
class SnapshotLimits:
    max_file_bytes: int = 256_000  # larger files are left out (generated, data, vendored)
    max_total_bytes: int = 32_000_000  # text kept per snapshot
    max_files: int = 20_000
    max_archive_bytes: int = 200_000_000  # the compressed download
    max_unpacked_bytes: int = 1_000_000_000  # every member's size, kept or skipped


class ArchiveError(ValueError):
    """The archive is not a gzipped tarball, or is truncated."""


@dataclass(slots=True)
class Skipped:
    """What a snapshot left out, by reason (shown in the review's notes)."""

    counts: dict[str, int] = field(default_factory=dict)

    def add(self, reason: str) -> None:
        self.counts[reason] = self.counts.get(reason, 0) + 1

    def describe(self) -> str:
        return ", ".join(f"{n} {reason}" for reason, n in sorted(self.counts.items()))


def decode(blob: bytes) -> str | None:
    """The text of a blob, or None for a binary one."""
    if b"\x00" in blob[:BINARY_PROBE]:
        return None
    return blob.decode("utf-8", "replace")


def safe_name(name: str, top: str | None) -> str | None:
    """The repository path of a member name `top/path`, or None when it is not a plain
    relative path inside the archive's top-level directory."""
    if not name or "\x00" in name or "\\" in name or name.startswith("/"):
        return None
    parts = PurePosixPath(name).parts
    if not parts or any(p in ("..", ".") for p in parts) or (top is not None and parts[0] != top):
        return None
    inner = parts[1:]
    return "/".join(inner) if inner else None


def read_tarball(stream: IO[bytes], limits: SnapshotLimits) -> tuple[dict[str, str], Skipped]:
    """Texts by repository path, and what was skipped, from a gzipped tarball stream."""
    files: dict[str, str] = {}
    skipped = Skipped()
    kept = unpacked = 0
    try:
        with tarfile.open(fileobj=stream, mode="r|gz") as tar:
            top: str | None = None
            for member in _members(tar):
                unpacked += max(member.size, 0)
                if unpacked > limits.max_unpacked_bytes:
                    skipped.add("not read (archive too large unpacked)")
                    break
                if top is None:
                    top = PurePosixPath(member.name).parts[0] if member.name else ""
                if member.isdir():
                    continue
                path = safe_name(member.name, top)
                reason = _refusal(member, path, kept, len(files), limits)
                if reason:
                    skipped.add(reason)
                    continue
                handle = tar.extractfile(member)  # a reader over the stream, not a file on disk
                text = decode(handle.read()) if handle is not None else None
                if text is None or path is None:
                    skipped.add("binary")
                    continue
                files[path] = text
                kept += member.size
    except (tarfile.TarError, EOFError, OSError) as error:
        raise ArchiveError(f"not a readable gzipped tarball: {error}") from error
    return files, skipped


def _members(tar: tarfile.TarFile) -> Iterator[tarfile.TarInfo]:
    while True:
        member = tar.next()
        if member is None:
            return
        yield member


def _refusal(
    member: tarfile.TarInfo, path: str | None, kept: int, count: int, limits: SnapshotLimits
) -> str | None:
    if path is None:
        return "unsafe path"
    if member.issym() or member.islnk():
        return "link"
    if not member.isreg():
        return "special file"
    if member.size > limits.max_file_bytes:
        return f"over {limits.max_file_bytes // 1000} KB"
    if kept + member.size > limits.max_total_bytes or count >= limits.max_files:
        return "past the snapshot cap"
    return None
