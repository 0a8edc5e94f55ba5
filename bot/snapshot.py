"""The head tree the context engine reads: from local git, or one archive download per
repository and commit, cached in the data directory, size-capped, never executed.

Both give a TreeSnapshot: the texts held in memory (within SnapshotLimits), so the review
reads them without I/O on its event loop. The archive cache keeps one SQLite file per
repository and commit under <data_dir>/snapshots; the least recently used are pruned.
Nothing from the repository is written to disk under its own name, let alone run.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import sqlite3
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from bot.gitlocal import GitError, run_git
from bot.snapshot_archive import (
    ArchiveError,
    Skipped,
    SnapshotLimits,
    decode,
    read_tarball,
)
from reviewers.snapshot import MappingSnapshot

log = logging.getLogger(__name__)
Download = Callable[[Callable[[bytes], object]], None]  # writes the archive's bytes, in chunks
_SHA = re.compile(r"^[0-9a-f]{40}([0-9a-f]{24})?$")
_REPO = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")

__all__ = [
    "Download",
    "LazyGitSnapshot",
    "SnapshotError",
    "SnapshotLimits",
    "SnapshotStore",
    "TreeSnapshot",
    "git_snapshot",
    "head_snapshot",
]


class SnapshotError(RuntimeError):
    """No snapshot: the archive was too large, unreadable, or the commit is unknown."""


class TreeSnapshot(MappingSnapshot):
    """The head tree's texts, and what was left out of them."""

    def __init__(self, files: dict[str, str], skipped: Skipped | None = None) -> None:
        super().__init__(files)
        self.skipped = skipped or Skipped()

    def note(self) -> str | None:
        if not self.skipped.counts:
            return None
        return f"repository context left out files: {self.skipped.describe()}."


# -- local git ------------------------------------------------------------------------------


def git_snapshot(repo: Path, ref: str, limits: SnapshotLimits | None = None) -> TreeSnapshot:
    """Every text file of `ref` in a local repository (`git ls-tree`, one `git cat-file`)."""
    limits = limits or SnapshotLimits()
    listing = run_git(repo, "ls-tree", "-r", "-z", "-l", "--full-tree", ref)
    skipped = Skipped()
    wanted: list[tuple[str, str]] = []  # (object id, path)
    total = 0
    for entry in listing.split(b"\x00"):
        if not entry:
            continue
        meta, _, raw_path = entry.partition(b"\t")
        mode, kind, oid, size = meta.split()
        path = raw_path.decode("utf-8", "surrogateescape")
        if kind != b"blob" or mode == b"120000":
            skipped.add("link" if mode == b"120000" else "submodule")
            continue
        length = int(size)
        if length > limits.max_file_bytes:
            skipped.add(f"over {limits.max_file_bytes // 1000} KB")
        elif total + length > limits.max_total_bytes or len(wanted) >= limits.max_files:
            skipped.add("past the snapshot cap")
        else:
            wanted.append((oid.decode("ascii"), path))
            total += length
    files: dict[str, str] = {}
    if wanted:
        request = "".join(f"{oid}\n" for oid, _ in wanted).encode("ascii")
        out = run_git(repo, "cat-file", "--batch", stdin=request)
        pos = 0
        for _, path in wanted:
            end = out.index(b"\n", pos)
            length = int(out[pos:end].split()[2])
            text = decode(out[end + 1 : end + 1 + length])
            pos = end + 1 + length + 1
            if text is None:
                skipped.add("binary")
            else:
                files[path] = text
    return TreeSnapshot(files, skipped)


# -- archive downloads, cached ---------------------------------------------------------------


class SnapshotStore:
    """Snapshots by repository and commit under `root`, fetched on a miss, pruned to `keep`."""

    def __init__(self, root: Path, limits: SnapshotLimits | None = None, keep: int = 32) -> None:
        self.root = root
        self.limits = limits or SnapshotLimits()
        self.keep = keep

    def path_for(self, repo: str, sha: str) -> Path:
        if not _REPO.match(repo) or repo.split("/")[1] in (".", ".."):
            raise SnapshotError(f"not a repository name: {repo!r}")
        if not _SHA.match(sha):
            raise SnapshotError(f"not a commit id: {sha!r}")  # a branch name moves: never cached
        owner, name = repo.lower().split("/")
        return self.root / f"{owner}__{name}" / f"{sha}.sqlite"

    def load(self, repo: str, sha: str, download: Download) -> TreeSnapshot:
        """The cached snapshot, or one fresh archive download stored for next time."""
        path = self.path_for(repo, sha)
        cached = self.read(path)
        if cached is not None:
            return cached
        files, skipped = self.fetch(path.parent, download)
        self.write(path, files, skipped)
        self.prune()
        return TreeSnapshot(files, skipped)

    def fetch(self, directory: Path, download: Download) -> tuple[dict[str, str], Skipped]:
        directory.mkdir(parents=True, exist_ok=True)
        cap = self.limits.max_archive_bytes
        with tempfile.TemporaryFile(dir=directory) as spool:
            size = 0

            def write(chunk: bytes) -> None:
                nonlocal size
                size += len(chunk)
                if size > cap:
                    raise SnapshotError(f"archive larger than {cap // 1_000_000} MB: not used")
                spool.write(chunk)

            download(write)
            spool.seek(0)
            try:
                return read_tarball(spool, self.limits)
            except ArchiveError as error:
                raise SnapshotError(str(error)) from error

    def read(self, path: Path) -> TreeSnapshot | None:
        if not path.is_file():
            return None
        try:
            with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
                files = dict(db.execute("SELECT path, text FROM files"))
                skipped = Skipped(dict(db.execute("SELECT reason, n FROM skipped")))
        except sqlite3.DatabaseError as error:  # pruned meanwhile, or a torn file: fetch again
            log.warning("snapshot %s unreadable (%s): fetching it again", path, error)
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # most recently used: pruned last
        return TreeSnapshot(files, skipped)

    def write(self, path: Path, files: dict[str, str], skipped: Skipped) -> None:
        """Write beside, then rename: a reader sees the whole snapshot or none."""
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        os.close(fd)
        try:
            with contextlib.closing(sqlite3.connect(tmp)) as db:
                db.execute("CREATE TABLE files (path TEXT PRIMARY KEY, text TEXT NOT NULL)")
                db.execute("CREATE TABLE skipped (reason TEXT PRIMARY KEY, n INTEGER NOT NULL)")
                db.executemany("INSERT INTO files VALUES (?, ?)", files.items())
                db.executemany("INSERT INTO skipped VALUES (?, ?)", skipped.counts.items())
                db.commit()
            os.replace(tmp, path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)

    def prune(self) -> int:
        """Delete all but the `keep` most recently used snapshots; how many went."""
        found = []
        for path in self.root.glob("*/*.sqlite"):
            with contextlib.suppress(FileNotFoundError):
                found.append((path.stat().st_mtime, path))
        found.sort(reverse=True)
        removed = 0
        for _, path in found[self.keep :]:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                removed += 1
        return removed


async def head_snapshot(
    store: SnapshotStore | None, repo: str, sha: str, download: Download
) -> tuple[TreeSnapshot | None, list[str]]:
    """The App's snapshot of a pull request's head, off the event loop, and notes for the
    summary; none (with the reason) when it cannot be had: the review goes on without it."""
    from bot.github_transport import GitHubError  # PyGithub loads only where the App runs

    if store is None:
        return None, []
    try:
        snapshot = await asyncio.to_thread(store.load, repo, sha, download)
    except (SnapshotError, GitHubError) as error:
        log.warning("%s@%s: no snapshot: %s", repo, sha[:7], error)
        return None, [f"repository context unavailable: {error}"]
    note = snapshot.note()
    return snapshot, [note] if note else []


class LazyGitSnapshot:
    """`prbot review`'s snapshot: read from git on first use, so a review that sends nothing
    to the frontier model (offline, static only) never reads the tree. A git failure leaves
    it empty, with a note."""

    def __init__(self, repo: Path, ref: str, limits: SnapshotLimits | None = None) -> None:
        self.repo, self.ref, self.limits = repo, ref, limits
        self._loaded: TreeSnapshot | None = None
        self.notes: list[str] = []

    def _tree(self) -> TreeSnapshot:
        if self._loaded is None:
            try:
                self._loaded = git_snapshot(self.repo, self.ref, self.limits)
            except GitError as error:
                self._loaded = TreeSnapshot({})
                self.notes.append(f"repository context unavailable: {error}")
            note = self._loaded.note()
            self.notes += [note] if note else []
        return self._loaded

    def read(self, path: str) -> str | None:
        return self._tree().read(path)

    def paths(self) -> Iterable[str]:
        return self._tree().paths()
