"""Read a diff and the head versions of files from a local git repository."""

from __future__ import annotations

import subprocess
from collections.abc import Iterable
from pathlib import Path

MAX_SOURCE_BYTES = 1_000_000  # larger files are reviewed from the diff alone


class GitError(RuntimeError):
    """A git command failed; the message carries git's own stderr."""


def run_git(repo: Path, *args: str, stdin: bytes | None = None) -> bytes:
    try:
        done = subprocess.run(
            ["git", "-C", str(repo), *args], input=stdin, capture_output=True, check=False
        )
    except FileNotFoundError as error:
        raise GitError("git is not installed or not on PATH") from error
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip()
        raise GitError(f"git {' '.join(args)} failed: {message}")
    return done.stdout


def local_diff(repo: Path, base: str, head: str) -> bytes:
    """What a pull request of `head` into `base` shows: the diff from their merge base to
    `head` (`git diff base...head`), so commits on `base` since the branch point are not in it."""
    # Explicit prefixes and no textconv: a user's diff.noprefix or textconv filter would
    # change the text the parser reads.
    options = ("--no-color", "--no-ext-diff", "--no-textconv", "--src-prefix=a/", "--dst-prefix=b/")
    return run_git(repo, "diff", *options, "-M", f"{base}...{head}")


def read_sources(repo: Path, ref: str, paths: Iterable[str]) -> dict[str, str]:
    """Full text of each path at `ref` (one `git cat-file --batch` call for all of them)."""
    wanted = sorted(set(paths))
    if not wanted:
        return {}
    request = "".join(f"{ref}:{path}\n" for path in wanted).encode("utf-8", "surrogateescape")
    out = run_git(repo, "cat-file", "--batch", stdin=request)
    sources: dict[str, str] = {}
    pos = 0
    for path in wanted:
        end = out.index(b"\n", pos)
        header = out[pos:end].split()
        pos = end + 1
        if len(header) < 3 or header[1] != b"blob":
            continue  # "missing": deleted at ref, or a submodule
        size = int(header[2])
        blob = out[pos : pos + size]
        pos += size + 1
        if size <= MAX_SOURCE_BYTES and b"\x00" not in blob[:8000]:
            sources[path] = blob.decode("utf-8", "replace")
    return sources
