"""`prbot review`: a local change reviewed as the App reviews its pull request, printed.

The same pipeline, the same repository config (.github/prbot.yml at the base), the same
severity threshold; the output goes to stdout in one of bot/output.py's formats.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli import EXIT_FINDINGS, EXIT_OK
from bot.gitlocal import local_diff, read_sources
from bot.output import format_review
from bot.pipeline import Pipeline, build_pipeline, narrowed
from bot.prfiles import included, repo_rules
from bot.repoconfig import CONFIG_PATH, LoadedConfig, RepoConfig, parse_repo_config
from bot.settings import ConfigError, Settings
from reviewers.diff import parse_diff
from reviewers.models import FileDiff, FileStatus, Finding, Review, Severity
from reviewers.review import ReviewInput, review_diff

if TYPE_CHECKING:
    from bot.snapshot import LazyGitSnapshot


class UsageError(ConfigError):
    """Bad arguments or input: reported on stderr with exit code 2."""


def run_review(args: argparse.Namespace) -> int:
    settings = Settings(settings_file=args.settings) if args.settings else Settings()
    loaded = repo_config(args)
    files, sources = read_change(args)
    kept = [f for f in files if included(loaded.config, f.path)]
    rules, instructions = repo_rules(loaded.config, [f.path for f in kept])
    pipeline = build_pipeline(
        settings,
        os.environ,
        mode=args.mode,
        use_cache=not args.no_cache,
        rules=rules,
        instructions=instructions,
    )
    pipeline, model_notes = narrowed(pipeline, loaded.config)
    sarif = sarif_findings(args.sarif, kept)
    snapshot = None if args.diff else git_snapshot(args.repo, args.head)
    inp = ReviewInput(
        files=tuple(kept), sources=sources, title=args.title, snapshot=snapshot, findings=sarif
    )
    review = asyncio.run(review_once(inp, pipeline))
    # As the App does: the config's own problems and effects go into the review's notes
    # (its summary), how the roles were resolved goes to the log (here: stderr).
    notes = [loaded.error] if loaded.error else []
    notes += snapshot.notes if snapshot is not None else []
    if len(kept) < len(files):
        notes.append(
            f"{len(files) - len(kept)} file(s) outside the `include` paths of {CONFIG_PATH}."
        )
    review = above_threshold(
        replace(review, notes=(*review.notes, *notes, *model_notes)),
        loaded.config.severity_threshold,
    )
    for note in pipeline.notes:
        print(f"prbot: {note}", file=sys.stderr)
    print(format_review(review, args.format))
    return exit_code(review, args.fail_on)


# SARIF intake and the repository snapshot load only when used: an offline review of a
# diff is as quick to start as a linter (tests/integration/test_cli_weight.py).
def sarif_findings(paths: list[Path] | None, kept: list[FileDiff]) -> tuple[Finding, ...]:
    if not paths:
        return ()
    from bot.sarif_input import merged_findings, read_sarif_files

    return merged_findings(read_sarif_files(paths), kept)


def git_snapshot(repo: Path, head: str) -> LazyGitSnapshot:
    from bot.snapshot import LazyGitSnapshot

    return LazyGitSnapshot(repo, head)


async def review_once(inp: ReviewInput, pipeline: Pipeline) -> Review:
    try:
        return await review_diff(
            inp, pipeline.models, pipeline.prompts, pipeline.config, pipeline.cache, pipeline.linter
        )
    finally:
        await pipeline.aclose()


def repo_config(args: argparse.Namespace) -> LoadedConfig:
    """.github/prbot.yml at the base, as the App reads it; defaults with --no-config, or
    for a --diff without --base (there is no base to read it from)."""
    if args.no_config or (args.diff and not args.base):
        return LoadedConfig(RepoConfig())
    base = args.base or "HEAD~1"
    return parse_repo_config(read_sources(args.repo, base, [CONFIG_PATH]).get(CONFIG_PATH))


def read_change(args: argparse.Namespace) -> tuple[tuple[FileDiff, ...], dict[str, str]]:
    """The diff's files and the head version of each changed, readable file."""
    if args.diff:
        return parse_diff(read_diff_arg(args.diff)), {}
    repo: Path = args.repo
    files = parse_diff(local_diff(repo, args.base or "HEAD~1", args.head))
    wanted = [f.path for f in files if f.status is not FileStatus.DELETED and not f.is_binary]
    return files, read_sources(repo, args.head, wanted)


def read_diff_arg(value: str) -> bytes:
    if value == "-":
        return sys.stdin.buffer.read()
    path = Path(value)
    if not path.is_file():
        raise UsageError(f"--diff {value}: no such file")
    return path.read_bytes()


def above_threshold(review: Review, threshold: Severity) -> Review:
    """What the App would post: findings below the repository's severity_threshold are
    left out (and counted in a note), as the App counts them in its summary only."""
    comments = tuple(c for c in review.comments if c.finding.severity.rank >= threshold.rank)
    unanchored = tuple(f for f in review.unanchored if f.severity.rank >= threshold.rank)
    dropped = len(review.comments) - len(comments) + len(review.unanchored) - len(unanchored)
    if not dropped:
        return review
    note = f"{dropped} finding(s) below severity_threshold {threshold.value} ({CONFIG_PATH})"
    return replace(review, comments=comments, unanchored=unanchored, notes=(*review.notes, note))


def exit_code(review: Review, fail_on: str | None) -> int:
    if fail_on is None:
        return EXIT_OK
    threshold = Severity(fail_on).rank
    hit = any(f.severity.rank >= threshold for f in review.findings)
    return EXIT_FINDINGS if hit else EXIT_OK
