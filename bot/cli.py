"""`prbot review | serve | jobs | bench ...`: the command line. Exit 0 ok, 1 findings, 2 error."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from bench.cli import add_bench
from bot.action import add_action_command
from bot.cli_server import add_server_commands
from bot.gitlocal import GitError, local_diff, read_sources
from bot.output import FORMATS, format_review
from bot.pipeline import Pipeline, build_pipeline
from bot.settings import ConfigError, Settings
from reviewers.diff import DiffError, parse_diff
from reviewers.models import FileStatus, Review, Severity
from reviewers.prompts import PromptError
from reviewers.review import MODES, ReviewInput, review_diff

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Bad arguments or input: reported on stderr with exit code 2."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except (UsageError, DiffError, GitError, ConfigError, PromptError, ValidationError) as error:
        print(f"prbot: error: {error}", file=sys.stderr)
        return EXIT_USAGE


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="prbot", description=__doc__)
    parser.add_argument("--settings", type=Path, help="TOML or YAML settings file")
    sub = parser.add_subparsers(dest="command", required=True)
    add_review(sub)
    add_server_commands(sub)
    add_bench(sub, build_bench_pipeline)
    add_action_command(sub)
    return parser


def build_bench_pipeline(args: argparse.Namespace, use_cache: bool) -> Pipeline:
    """`prbot bench run`: models, prompts, config and cache from Settings, as `review` builds."""
    return build_pipeline(load_settings(args.settings), os.environ, use_cache=use_cache)


def add_review(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("review", help="review a local git range or a diff file")
    p.add_argument("--repo", type=Path, default=Path("."), help="git repository (default: .)")
    p.add_argument("--base", help="base ref (default: HEAD~1)")
    p.add_argument("--head", default="HEAD", help="head ref (default: HEAD)")
    p.add_argument("--diff", help="read a unified diff from FILE, or - for stdin")
    p.add_argument("--format", choices=FORMATS, default="text")
    p.add_argument("--fail-on", choices=[s.value for s in Severity], help="exit 1 at or above")
    p.add_argument("--mode", choices=MODES, default="routed")
    p.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    p.add_argument("--title", default="", help="PR title given to the models (untrusted)")
    p.set_defaults(run=run_review)


def load_settings(path: Path | None) -> Settings:
    return Settings(settings_file=path) if path else Settings()


def run_review(args: argparse.Namespace) -> int:
    settings = load_settings(args.settings)
    inp = review_input(args)
    pipeline = build_pipeline(settings, os.environ, mode=args.mode, use_cache=not args.no_cache)
    review = asyncio.run(review_once(inp, pipeline))
    for note in pipeline.notes:
        print(f"prbot: {note}", file=sys.stderr)
    print(format_review(review, args.format))
    return exit_code(review, args.fail_on)


async def review_once(inp: ReviewInput, pipeline: Pipeline) -> Review:
    try:
        return await review_diff(
            inp, pipeline.models, pipeline.prompts, pipeline.config, pipeline.cache
        )
    finally:
        await pipeline.aclose()


def review_input(args: argparse.Namespace) -> ReviewInput:
    if args.diff:
        raw = read_diff_arg(args.diff)
        return ReviewInput(files=parse_diff(raw), title=args.title)
    repo: Path = args.repo
    base = args.base or "HEAD~1"
    files = parse_diff(local_diff(repo, base, args.head))
    wanted = [f.path for f in files if f.status is not FileStatus.DELETED and not f.is_binary]
    return ReviewInput(files=files, sources=read_sources(repo, args.head, wanted), title=args.title)


def read_diff_arg(value: str) -> bytes:
    if value == "-":
        return sys.stdin.buffer.read()
    path = Path(value)
    if not path.is_file():
        raise UsageError(f"--diff {value}: no such file")
    return path.read_bytes()


def exit_code(review: Review, fail_on: str | None) -> int:
    if fail_on is None:
        return EXIT_OK
    threshold = Severity(fail_on).rank
    hit = any(f.severity.rank >= threshold for f in review.findings)
    return EXIT_FINDINGS if hit else EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
