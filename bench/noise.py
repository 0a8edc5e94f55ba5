"""The static tier's noise on real history: every non-merge commit of a repository as a PR.

`prbot bench noise --repo DIR -n 200 --out comments.jsonl` reads the repository in place
with git (nothing is copied), reviews each commit's diff in static-only mode exactly as the
App would, and writes one JSON line per posted comment, with the commented line and a few
lines around it, for a person to judge. `prbot bench noise-report` joins those files with
a judgements file and prints comments per 100 commits and precision per rule.
"""

from __future__ import annotations

import json
import subprocess
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reviewers.cache import NoCache
from reviewers.diff import DiffError, parse_diff
from reviewers.models import FileStatus, Review
from reviewers.prompts import PromptSet
from reviewers.review import Models, ReviewConfig, ReviewInput, review_diff
from reviewers.static import Linter

CONTEXT_LINES = 3  # shown around a commented line, for the judge
MAX_SOURCE_BYTES = 1_000_000  # as bot.gitlocal: larger files are reviewed from the diff alone


class NoiseError(RuntimeError):
    """git failed, or a judgements file is malformed."""


@dataclass(frozen=True, slots=True)
class CommitRun:
    sha: str
    review: Review
    sources: Mapping[str, str]
    seconds: float


def git(repo: Path, *args: str, stdin: bytes | None = None) -> bytes:
    proc = subprocess.run(
        ["git", "-C", str(repo), *args], input=stdin, capture_output=True, check=False
    )
    if proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace").strip()
        raise NoiseError(f"git {' '.join(args)} failed in {repo}: {err}")
    return proc.stdout


def recent_commits(repo: Path, count: int, ref: str = "HEAD") -> list[str]:
    """The last `count` non-merge commits that have a parent, newest first."""
    out = git(repo, "rev-list", "--no-merges", "--min-parents=1", f"--max-count={count}", ref)
    return out.decode().split()


def commit_diff(repo: Path, sha: str) -> bytes:
    return git(repo, "diff", "--no-color", "--no-ext-diff", "-M", f"{sha}^", sha)


def read_blobs(repo: Path, ref: str, paths: Iterable[str]) -> dict[str, str]:
    """Text of each path at `ref` through one `git cat-file --batch` (binary and huge skipped)."""
    wanted = sorted(set(paths))
    if not wanted:
        return {}
    request = "".join(f"{ref}:{p}\n" for p in wanted).encode("utf-8", "surrogateescape")
    out = git(repo, "cat-file", "--batch", stdin=request)
    found: dict[str, str] = {}
    pos = 0
    for path in wanted:
        end = out.index(b"\n", pos)
        header = out[pos:end].split()
        pos = end + 1
        if len(header) < 3 or header[1] != b"blob":
            continue
        size = int(header[2])
        blob = out[pos : pos + size]
        pos += size + 1
        if size <= MAX_SOURCE_BYTES and b"\x00" not in blob[:8000]:
            found[path] = blob.decode("utf-8", "replace")
    return found


async def review_commit(
    repo: Path,
    sha: str,
    prompts: PromptSet,
    config: ReviewConfig,
    linter: Linter | None,
) -> CommitRun | None:
    """The static-only review of one commit as a PR; None when its diff cannot be read."""
    started = time.perf_counter()
    try:
        files = parse_diff(commit_diff(repo, sha))
    except (DiffError, NoiseError):  # e.g. a mirror missing an old blob
        return None
    wanted = [f.path for f in files if f.status is not FileStatus.DELETED and not f.is_binary]
    sources = read_blobs(repo, sha, wanted)
    review = await review_diff(
        ReviewInput(files, sources), Models(), prompts, config, NoCache(), linter=linter
    )
    return CommitRun(sha, review, sources, time.perf_counter() - started)


def comment_records(repo_name: str, run: CommitRun) -> Iterator[dict[str, Any]]:
    for c in run.review.comments:
        text = run.sources.get(c.path, "").splitlines()
        first = c.start_line if c.start_line is not None else c.line
        lo, hi = max(1, first - CONTEXT_LINES), c.line + CONTEXT_LINES
        yield {
            "repo": repo_name,
            "commit": run.sha,
            "path": c.path,
            "line": c.line,
            "rule": c.finding.source,
            "severity": c.finding.severity.value,
            "title": c.finding.title,
            "code": [f"{n}: {text[n - 1]}" for n in range(lo, min(hi, len(text)) + 1)],
        }


async def run_noise(
    repo: Path,
    repo_name: str,
    count: int,
    prompts: PromptSet,
    config: ReviewConfig,
    linter: Linter | None,
    out: Path,
    ref: str = "HEAD",
) -> dict[str, Any]:
    """Review the last `count` commits; write the comments file; return the run's summary."""
    shas = recent_commits(repo, count, ref)
    comments: list[dict[str, Any]] = []
    seconds: list[float] = []
    skipped = 0
    for sha in shas:
        run = await review_commit(repo, sha, prompts, config, linter)
        if run is None:
            skipped += 1
            continue
        seconds.append(run.seconds)
        comments.extend(comment_records(repo_name, run))
    summary = {
        "kind": "run",
        "repo": repo_name,
        "head": shas[0] if shas else None,
        "commits": len(shas) - skipped,
        "unparsed": skipped,
        "comments": len(comments),
        "commits_with_comments": len({c["commit"] for c in comments}),
        "seconds_total": round(sum(seconds), 2),
        "seconds_max": round(max(seconds, default=0.0), 3),
        "by_rule": dict(Counter(c["rule"] for c in comments).most_common()),
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as handle:
        handle.write(json.dumps(summary) + "\n")
        for record in comments:
            handle.write(json.dumps(record) + "\n")
    return summary


def comment_key(record: Mapping[str, Any]) -> tuple[str, str, str, int, str]:
    """What identifies a comment across runs (the judgement is keyed by it)."""
    return (
        str(record["repo"]),
        str(record["commit"])[:12],
        str(record["path"]),
        int(record["line"]),
        str(record["rule"]),
    )


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as err:
        raise NoiseError(f"cannot read {path}: {err.strerror}") from err
    records = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            raise NoiseError(f"{path}:{number}: not JSON: {err}") from err
        if not isinstance(record, dict):
            raise NoiseError(f"{path}:{number}: not a JSON object")
        records.append(record)
    return records


def read_judgements(path: Path) -> dict[tuple[str, str, str, int, str], dict[str, Any]]:
    judged = {}
    for record in read_jsonl(path):
        if record.get("verdict") not in ("real", "noise") or not record.get("reason"):
            raise NoiseError(f"{path}: judgement without verdict real|noise and a reason: {record}")
        judged[comment_key(record)] = record
    return judged


@dataclass(frozen=True, slots=True)
class NoiseTable:
    commits: dict[str, int]  # by repository
    real: Counter[str]  # by rule
    noise: Counter[str]
    by_repo: Counter[str]  # comments
    noise_by_repo: Counter[str]
    unjudged: list[dict[str, Any]]


def tabulate(
    runs: Sequence[list[dict[str, Any]]], judged: Mapping[tuple[str, str, str, int, str], Any]
) -> NoiseTable:
    table = NoiseTable({}, Counter(), Counter(), Counter(), Counter(), [])
    for records in runs:
        for record in records:
            if record.get("kind") == "run":
                table.commits[str(record["repo"])] = int(record["commits"])
                continue
            verdict = judged.get(comment_key(record))
            table.by_repo[str(record["repo"])] += 1
            if verdict is None:
                table.unjudged.append(record)
            elif verdict["verdict"] == "real":
                table.real[str(record["rule"])] += 1
            else:
                table.noise[str(record["rule"])] += 1
                table.noise_by_repo[str(record["repo"])] += 1
    return table


def _precision(real: int, noise: int) -> str:
    return "n/a" if real + noise == 0 else f"{real / (real + noise):.2f}"


def to_markdown(table: NoiseTable) -> str:
    lines = [
        "| repository | commits | comments | per 100 commits | dismissable per 100 |",
        "|---|---:|---:|---:|---:|",
    ]
    for repo, commits in sorted(table.commits.items()):
        n, bad = table.by_repo[repo], table.noise_by_repo[repo]
        lines.append(
            f"| {repo} | {commits} | {n} | {100 * n / max(commits, 1):.1f} "
            f"| {100 * bad / max(commits, 1):.1f} |"
        )
    total_commits = sum(table.commits.values())
    total, bad = sum(table.by_repo.values()), sum(table.noise_by_repo.values())
    lines.append(
        f"| **all** | {total_commits} | {total} | {100 * total / max(total_commits, 1):.1f} "
        f"| {100 * bad / max(total_commits, 1):.1f} |"
    )
    lines += ["", "| rule | comments | real | noise | precision |", "|---|---:|---:|---:|---:|"]
    for rule in sorted(set(table.real) | set(table.noise)):
        r, n = table.real[rule], table.noise[rule]
        lines.append(f"| {rule} | {r + n} | {r} | {n} | {_precision(r, n)} |")
    r, n = sum(table.real.values()), sum(table.noise.values())
    lines.append(f"| **all** | {r + n} | {r} | {n} | {_precision(r, n)} |")
    if table.unjudged:
        lines += ["", f"{len(table.unjudged)} comment(s) not judged yet."]
    return "\n".join(lines)
