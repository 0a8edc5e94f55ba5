"""Mine benchmark cases from a local git history by reverting bug fixes (git subprocess only).

For each fix commit that passes the filters, the case's base is the fix commit and its
"PR" is the fix's non-test source change reversed: the PR puts the bug back. Labels are
the lines that reversed diff adds (side right, category defect, note = fix subject).
Test changes are never reverted: a PR deleting tests would give the answer away.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path, PurePosixPath

FIX_MESSAGE = re.compile(
    r"\b(fix|fixes|fixed|fixing|bug|bugs|bugfix|crash|crashes|crashed|regression)\b"
    r"|fixes\s+#\d+",
    re.IGNORECASE,
)
_HUNK = re.compile(rb"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@", re.MULTILINE)
MAX_FILES = 3
MAX_HUNKS = 6
MIN_LINES = 2
MAX_LINES = 40
TEST_DIRS = {"test", "tests", "testing"}
NON_SOURCE_DIRS = {"docs", "doc", "examples"}


class MineError(RuntimeError):
    """A git command failed or the path is not a git repository."""


class Skip(StrEnum):
    ROOT_COMMIT = "root_commit"
    NO_PYTHON_SOURCE = "no_python_source"
    TEST_ONLY = "test_only"
    RENAME_OR_NEW_FILE = "rename_or_new_file"
    TOO_MANY_FILES = "too_many_files"
    COSMETIC = "cosmetic"
    TANGLED = "tangled"
    TOO_LARGE = "too_large"
    TOO_SMALL = "too_small"
    NO_REMOVED_LINE = "no_removed_line"


@dataclass(frozen=True, slots=True)
class MineReport:
    repo: str
    commits_scanned: int
    fix_candidates: int
    cases: tuple[str, ...]
    skipped: Mapping[Skip, int] = field(default_factory=dict)

    @property
    def yield_rate(self) -> float | None:
        return len(self.cases) / self.fix_candidates if self.fix_candidates else None


@dataclass(frozen=True, slots=True)
class _Commit:
    sha: str
    parents: tuple[str, ...]
    message: str

    @property
    def subject(self) -> str:
        return self.message.split("\n", 1)[0].strip()


def _git(repo: Path, *args: str) -> bytes:
    proc = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=False)
    if proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace").strip()
        raise MineError(f"git {' '.join(args)} failed in {repo}: {err}")
    return proc.stdout


def _commits(repo: Path) -> list[_Commit]:
    out = _git(repo, "log", "--no-merges", "--format=%H%x1f%P%x1f%B%x1e").decode("utf-8", "replace")
    commits = []
    for record in out.split("\x1e"):
        if record.strip():
            sha, parents, message = record.strip("\n").split("\x1f", 2)
            commits.append(_Commit(sha, tuple(parents.split()), message.strip()))
    return commits


def is_test_path(path: str) -> bool:
    p = PurePosixPath(path)
    return (
        bool(TEST_DIRS & set(p.parts[:-1]))
        or p.name.startswith("test_")
        or p.name.endswith("_test.py")
        or p.name == "conftest.py"
    )


def _changed_files(repo: Path, c: _Commit) -> list[tuple[str, str]]:
    """(status letter, path) per file; renames report their new path."""
    raw = _git(repo, "diff", "--no-color", "--name-status", "-M", "-z", c.parents[0], c.sha)
    fields = raw.decode("utf-8", "replace").split("\0")
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(fields) and fields[i]:
        status = fields[i][0]
        paths = 2 if status in "RC" else 1  # renames/copies list old and new path
        out.append((status, fields[i + paths]))
        i += 1 + paths
    return out


def _normalized(lines: Sequence[bytes]) -> Counter[str]:
    """Changed lines without whitespace, blank lines and comment-only lines."""
    kept = ("".join(ln.decode("utf-8", "replace").split()) for ln in lines)
    return Counter(ln for ln in kept if ln and not ln.startswith("#"))


def _classify(repo: Path, c: _Commit) -> tuple[Skip | None, list[str]]:
    if not c.parents:
        return Skip.ROOT_COMMIT, []
    py = [(s, p) for s, p in _changed_files(repo, c) if p.endswith(".py")]
    source = [(s, p) for s, p in py if not is_test_path(p)]
    source = [(s, p) for s, p in source if not NON_SOURCE_DIRS & set(PurePosixPath(p).parts)]
    if not source:
        return (Skip.TEST_ONLY if py else Skip.NO_PYTHON_SOURCE), []
    if any(s != "M" for s, _ in source):
        return Skip.RENAME_OR_NEW_FILE, []
    if len(source) > MAX_FILES:
        return Skip.TOO_MANY_FILES, []
    paths = [p for _, p in source]
    diff = _git(repo, "diff", "--no-color", "-U0", c.parents[0], c.sha, "--", *paths)
    lines = diff.split(b"\n")
    added = [ln[1:] for ln in lines if ln.startswith(b"+") and not ln.startswith(b"+++")]
    removed = [ln[1:] for ln in lines if ln.startswith(b"-") and not ln.startswith(b"---")]
    if _normalized(added) == _normalized(removed):
        return Skip.COSMETIC, []
    if len(_HUNK.findall(diff)) > MAX_HUNKS:
        return Skip.TANGLED, []
    if len(added) + len(removed) > MAX_LINES:
        return Skip.TOO_LARGE, []
    if len(added) + len(removed) < MIN_LINES:
        return Skip.TOO_SMALL, []
    if not removed:
        return Skip.NO_REMOVED_LINE, []
    return None, paths


def _labels(repo: Path, c: _Commit, paths: list[str]) -> list[dict[str, object]]:
    """One label per hunk of the reversed diff that adds lines: the lines the PR puts back."""
    labels: list[dict[str, object]] = []
    for path in paths:
        diff = _git(repo, "diff", "--no-color", "-U0", c.sha, c.parents[0], "--", path)
        for match in _HUNK.finditer(diff):
            start, count = int(match.group(1)), int(match.group(2) or b"1")
            if count:
                labels.append(
                    {
                        "path": path,
                        "side": "right",
                        "start_line": start,
                        "end_line": start + count - 1,
                        "category": "defect",
                        "note": c.subject,
                    }
                )
    return labels


def _test_files(repo: Path, c: _Commit) -> list[str]:
    return [p for _, p in _changed_files(repo, c) if p.endswith(".py") and is_test_path(p)]


def case_id(repo: Path, sha: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", repo.resolve().name.lower()).strip("-") or "repo"
    return f"mined-{slug}-{sha[:10]}"


def _write_case(repo: Path, c: _Commit, paths: list[str], out_dir: Path) -> str:
    cid = case_id(repo, c.sha)
    target = out_dir / cid
    parent = c.parents[0]
    # The PR is base=fix -> head=fix^ on the source files only, exactly as git prints it.
    diff = _git(repo, "diff", "--no-color", "-M", c.sha, parent, "--", *paths)
    (target / "files").mkdir(parents=True, exist_ok=True)
    (target / "pr.diff").write_bytes(diff)
    for path in paths:
        head_file = target / "files" / path
        head_file.parent.mkdir(parents=True, exist_ok=True)
        head_file.write_bytes(_git(repo, "show", f"{parent}:{path}"))
    record = {
        "id": cid,
        "source": "mined",
        "repo": repo.resolve().name,
        "base_commit": c.sha,
        # No commit object is written (the mined repository is only read): the head is
        # named, not stored. It is rebuilt by reverse-applying pr.diff onto base_commit.
        "head_commit": f"{c.sha}^revert",
        "head_synthetic": True,
        "head_recipe": "base_commit with the non-test source changes of fix_commit reverted",
        "fix_commit": c.sha,
        "fix_parent": parent,
        "title": None,
        "body": None,
        "labels": _labels(repo, c, paths),
        "grader_only": {
            "fix_subject": c.subject,
            "fix_message": c.message,
            "fix_test_files": _test_files(repo, c),
        },
    }
    (target / "case.json").write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return cid


def mine(repo: Path, max_cases: int, out_dir: Path) -> MineReport:
    """Scan the history newest first; write up to max_cases revert-the-fix cases."""
    commits = _commits(repo)
    skipped: Counter[Skip] = Counter()
    cases: list[str] = []
    candidates = 0
    for c in commits:
        if len(cases) >= max_cases:
            break
        if not FIX_MESSAGE.search(c.message):
            continue
        candidates += 1
        reason, paths = _classify(repo, c)
        if reason is not None:
            skipped[reason] += 1
            continue
        cases.append(_write_case(repo, c, paths, out_dir))
    return MineReport(str(repo), len(commits), candidates, tuple(cases), dict(skipped))


def format_report(report: MineReport) -> str:
    rate = f"{100 * report.yield_rate:.1f}%" if report.yield_rate is not None else "n/a"
    lines = [
        f"{report.repo}: {report.commits_scanned} commits, {report.fix_candidates} fix "
        f"candidates, {len(report.cases)} cases written (yield {rate})",
    ]
    lines += [f"  skipped {reason}: {n}" for reason, n in sorted(report.skipped.items())]
    lines += [f"  case {cid}" for cid in report.cases]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.miner", description=__doc__)
    parser.add_argument("repo", type=Path, help="a local git repository")
    parser.add_argument("out", type=Path, help="directory to write cases into")
    parser.add_argument("--max", type=int, default=50, dest="max_cases")
    args = parser.parse_args(argv)
    try:
        report = mine(args.repo, args.max_cases, args.out)
    except MineError as exc:
        print(f"miner: {exc}", file=sys.stderr)
        return 1
    print(format_report(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
