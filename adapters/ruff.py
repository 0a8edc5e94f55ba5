"""The ruff adapter: writes the head files to a temp dir and runs `ruff check` on them.

The core (reviewers.static) sees it as a `Linter`; the subprocess runs in a worker thread
so the event loop that awaits the review keeps serving. The version comes from the
executable itself (`ruff --version`), so the static ruleset in cache keys follows upgrades.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path, PurePosixPath

from pydantic import ValidationError

from reviewers.static.ruff import REPORT, Diagnostic, RuffError

TIMEOUT_SECONDS = 300


def find_ruff() -> str:
    """The ruff next to this interpreter (the installed dependency), else the one on PATH."""
    beside = Path(sys.executable).with_name("ruff")
    if beside.is_file():
        return str(beside)
    found = shutil.which("ruff")
    if found is None:
        raise RuffError("ruff executable not found next to the interpreter or on PATH")
    return found


def ruff_version(executable: str) -> str:
    """`ruff --version` of this executable, e.g. "ruff 0.17.6"."""
    done = _run([executable, "--version"], None)
    return done.stdout.strip() or "ruff (unknown version)"


class RuffRunner:
    """A Linter over one ruff executable. Build it with `locate_ruff()` (which runs ruff)."""

    def __init__(self, executable: str, version: str) -> None:
        self.executable = executable
        self._version = version

    @property
    def version(self) -> str:
        return self._version

    async def lint(self, sources: Mapping[str, str], select: Sequence[str]) -> list[Diagnostic]:
        return await asyncio.to_thread(self.lint_sync, dict(sources), list(select))

    def lint_sync(self, sources: Mapping[str, str], select: Sequence[str]) -> list[Diagnostic]:
        """Diagnostics keyed by the given paths; paths that would escape the temp dir skipped."""
        paths = sorted(p for p in sources if safe_path(p) is not None)
        if not paths:
            return []
        with tempfile.TemporaryDirectory(prefix="prbot-ruff-") as tmp:
            root = Path(tmp).resolve()
            for path in paths:
                target = root / path
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(sources[path], encoding="utf-8")
            command = [
                self.executable, "check", "--output-format", "json", "--no-cache", "--isolated",
                "--exit-zero", "--select", ",".join(select), "--", *paths,
            ]  # fmt: skip
            done = _run(command, root)
            try:
                report = REPORT.validate_python(json.loads(done.stdout or "[]"))
            except (ValueError, ValidationError) as exc:
                raise RuffError(
                    f"unreadable ruff report: {exc}; stderr: {done.stderr[:2000]}"
                ) from exc
            return [d.model_copy(update={"filename": _relative(d.filename, root)}) for d in report]


def locate_ruff(executable: str | None = None) -> RuffRunner:
    """The runner for the installed ruff (or `executable`); RuffError if it cannot run."""
    path = executable or find_ruff()
    return RuffRunner(path, ruff_version(path))


def build_linter() -> tuple[RuffRunner | None, list[str]]:
    """The installed ruff, or None and a note: the reviews then say Python was not linted."""
    try:
        return locate_ruff(), []
    except RuffError as error:
        return None, [f"static tier without ruff: {error}"]


def safe_path(path: str) -> PurePosixPath | None:
    """The path if writing it under a temp dir stays there (a diff's paths are untrusted)."""
    pure = PurePosixPath(path)
    if pure.is_absolute() or not pure.parts or any(p in ("..", ".", "") for p in pure.parts):
        return None
    return pure


def _run(command: list[str], cwd: Path | None) -> subprocess.CompletedProcess[str]:
    try:
        done = subprocess.run(
            command, cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT_SECONDS
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise RuffError(f"could not run {command[0]}: {exc}") from exc
    if done.returncode != 0:
        raise RuffError(f"ruff exited {done.returncode}: {done.stderr.strip()[:2000]}")
    return done


def _relative(filename: str, root: Path) -> str:
    try:
        return Path(filename).resolve().relative_to(root).as_posix()
    except ValueError:
        return filename  # not under root: matches no changed file
