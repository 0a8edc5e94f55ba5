"""Ruff over the head version of changed Python files, reported on added lines only."""

from __future__ import annotations

import bisect
import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from pydantic import BaseModel, TypeAdapter, ValidationError

from reviewers.models import (
    Category,
    FileDiff,
    FileStatus,
    Finding,
    LineKind,
    Route,
    Severity,
    Side,
)

# Bump whenever SELECT, IGNORE or the mapping below changes: it is part of cache keys.
RULESET_VERSION = "ruff-1"

# Low-noise rules only. F: pyflakes (real errors, plus unused imports/variables at low
# severity); E9: files ruff cannot read; PLE: pylint errors; a bugbear subset of likely bugs;
# a bandit subset that does not overlap reviewers.static.security (which owns shell=True,
# eval/exec, pickle, yaml.load, weak hashes, verify=False, built SQL and mktemp).
SELECT = (
    "F", "E9", "PLE",
    "B002", "B006", "B012", "B014", "B015", "B016", "B017", "B018", "B019", "B020", "B021",
    "B022", "B023", "B025", "B026", "B029", "B030", "B031", "B032", "B033", "B034", "B035",
    "B039",
    "S103", "S113", "S202", "S321", "S502", "S503", "S504", "S507", "S508", "S612", "S701",
    "S702",
)  # fmt: skip
IGNORE = ("F403", "F405")  # star imports: noise without the rest of the project
SYNTAX_ERROR = "invalid-syntax"  # ruff's "code" for a file it cannot parse

_LOW_MAINTENANCE = (Category.MAINTAINABILITY, Severity.LOW, 0.9)
_RULES: dict[str, tuple[Category, Severity, float]] = {
    SYNTAX_ERROR: (Category.DEFECT, Severity.HIGH, 0.95),
    "F401": _LOW_MAINTENANCE,
    "F541": _LOW_MAINTENANCE,
    "F841": _LOW_MAINTENANCE,
    "F811": (Category.DEFECT, Severity.MEDIUM, 0.8),
    "F821": (Category.DEFECT, Severity.HIGH, 0.9),
    "F822": (Category.DEFECT, Severity.MEDIUM, 0.9),
    "F823": (Category.DEFECT, Severity.HIGH, 0.9),
    "B019": (Category.PERFORMANCE, Severity.MEDIUM, 0.7),
    "PLE2502": (Category.SECURITY, Severity.HIGH, 0.9),  # bidirectional unicode ("trojan source")
    "S113": (Category.SECURITY, Severity.MEDIUM, 0.7),
}
_PREFIXES: dict[str, tuple[Category, Severity, float]] = {
    "F": (Category.DEFECT, Severity.MEDIUM, 0.85),
    "E9": (Category.DEFECT, Severity.HIGH, 0.9),
    "PLE": (Category.DEFECT, Severity.MEDIUM, 0.8),
    "B": (Category.DEFECT, Severity.MEDIUM, 0.7),
    "S": (Category.SECURITY, Severity.HIGH, 0.7),
}


class RuffError(RuntimeError):
    """ruff is missing, crashed, or printed something that is not its JSON report."""


@dataclass(frozen=True, slots=True)
class StaticResult:
    findings: tuple[Finding, ...]
    unchecked: tuple[str, ...] = ()  # changed Python files ruff could not check (no source)


class _Location(BaseModel):
    row: int
    column: int


class _Edit(BaseModel):
    content: str
    location: _Location
    end_location: _Location


class _Fix(BaseModel):
    applicability: str
    edits: list[_Edit]


class _Diagnostic(BaseModel):
    code: str | None
    message: str
    filename: str
    location: _Location
    end_location: _Location
    fix: _Fix | None = None


_REPORT = TypeAdapter(list[_Diagnostic])


def find_ruff() -> str:
    """The ruff next to this interpreter (the installed dependency), else the one on PATH."""
    beside = Path(sys.executable).with_name("ruff")
    if beside.is_file():
        return str(beside)
    found = shutil.which("ruff")
    if found is None:
        raise RuffError("ruff executable not found next to the interpreter or on PATH")
    return found


def review_ruff(
    files: Sequence[FileDiff], sources: Mapping[str, str], ruff: str | None = None
) -> StaticResult:
    """Run ruff once over every changed Python file whose head text is in `sources`."""
    added = {f.path: _added_lines(f) for f in files if _is_python(f)}
    added = {path: rows for path, rows in added.items() if rows}
    unchecked = tuple(sorted(p for p in added if p not in sources or _safe(p) is None))
    checked = sorted(p for p in added if p not in unchecked)
    if not checked:
        return StaticResult((), unchecked)
    with tempfile.TemporaryDirectory(prefix="prbot-ruff-") as tmp:
        root = Path(tmp).resolve()
        for path in checked:
            target = root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(sources[path], encoding="utf-8")
        report = _run(ruff or find_ruff(), root, checked)
        findings = []
        for diag in report:
            path = _diag_path(diag, root)
            if path in added:
                finding = _finding(diag, path, added[path], sources[path])
                if finding is not None:
                    findings.append(finding)
    findings.sort(key=lambda f: (f.path, f.start_line, f.source))
    return StaticResult(tuple(findings), unchecked)


def _is_python(file: FileDiff) -> bool:
    return file.path.endswith((".py", ".pyi")) and file.status is not FileStatus.DELETED


def _added_lines(file: FileDiff) -> list[int]:
    """Sorted head line numbers of the added lines."""
    return sorted(
        ln.new_no
        for hunk in file.hunks
        for ln in hunk.lines
        if ln.kind is LineKind.ADDED and ln.new_no is not None
    )


def _safe(path: str) -> PurePosixPath | None:
    """The path if writing it under a temp dir stays there (a diff's paths are untrusted)."""
    pure = PurePosixPath(path)
    if pure.is_absolute() or not pure.parts or any(p in ("..", ".", "") for p in pure.parts):
        return None
    return pure


def _run(ruff: str, root: Path, paths: list[str]) -> list[_Diagnostic]:
    command = [
        ruff, "check", "--output-format", "json", "--no-cache", "--isolated", "--exit-zero",
        "--select", ",".join(SELECT), "--ignore", ",".join(IGNORE), "--", *paths,
    ]  # fmt: skip
    try:
        done = subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=300)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise RuffError(f"could not run {ruff}: {exc}") from exc
    if done.returncode != 0:
        raise RuffError(f"ruff exited {done.returncode}: {done.stderr.strip()[:2000]}")
    try:
        return _REPORT.validate_python(json.loads(done.stdout or "[]"))
    except (ValueError, ValidationError) as exc:
        raise RuffError(f"unreadable ruff report: {exc}; stderr: {done.stderr[:2000]}") from exc


def _diag_path(diag: _Diagnostic, root: Path) -> str:
    try:
        return Path(diag.filename).resolve().relative_to(root).as_posix()
    except ValueError:
        return diag.filename  # not under root: matches no changed file


def _finding(diag: _Diagnostic, path: str, added: list[int], source: str) -> Finding | None:
    code = diag.code or SYNTAX_ERROR
    row, end = diag.location.row, diag.end_location.row
    if code == "F401" and PurePosixPath(path).name == "__init__.py":
        return None  # re-exports
    if row not in added and code in (SYNTAX_ERROR, "E999"):  # E999: ruff < 0.5
        # The parser often notices at a later line (or past EOF); blame the last added line.
        before = bisect.bisect_right(added, row)
        row = end = added[before - 1] if before else row
    if row not in added:
        return None
    end = end if end in added and end >= row else row
    category, severity, confidence = _classify(code)
    return Finding(
        path=path,
        side=Side.RIGHT,
        start_line=row,
        end_line=end,
        category=category,
        severity=severity,
        confidence=confidence,
        title=diag.message.split("\n", 1)[0][:200],
        body=f"ruff {code}: {diag.message}",
        route=Route.SMALL,
        source=f"ruff:{code}",
        replacement=_replacement(diag.fix, row, end, source),
    )


def _classify(code: str) -> tuple[Category, Severity, float]:
    if code in _RULES:
        return _RULES[code]
    for prefix in sorted(_PREFIXES, key=len, reverse=True):
        if code.startswith(prefix):
            return _PREFIXES[prefix]
    return (Category.DEFECT, Severity.MEDIUM, 0.7)


def _replacement(fix: _Fix | None, start: int, end: int, source: str) -> str | None:
    """The fixed text of lines start..end, when ruff's safe fix touches only those lines."""
    if fix is None or fix.applicability != "safe" or not fix.edits:
        return None
    lines = source.splitlines(keepends=True)[start - 1 : end]
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    spans: list[tuple[int, int, str]] = []
    for edit in fix.edits:
        a = _offset(edit.location, start, end, starts)
        b = _offset(edit.end_location, start, end, starts)
        if a is None or b is None:
            return None
        spans.append((a, b, edit.content))
    segment = "".join(lines)
    for a, b, content in sorted(spans, reverse=True):
        segment = segment[:a] + content + segment[b:]
    return segment[:-1] if segment.endswith("\n") else segment


def _offset(loc: _Location, start: int, end: int, starts: list[int]) -> int | None:
    """Index of a ruff (row, 1-based column) within lines start..end, None if outside."""
    if loc.row == end + 1 and loc.column == 1:
        return starts[-1]  # the edit runs to the end of the finding's last line
    if not start <= loc.row <= end:
        return None
    return starts[loc.row - start] + loc.column - 1
