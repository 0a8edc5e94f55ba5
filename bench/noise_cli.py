"""`python -m bench noise | noise-report`: the static tier's comments on real git history."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from bench.noise import NoiseError, read_jsonl, read_judgements, run_noise, tabulate, to_markdown
from bench.pipeline import BenchSettings, build_bench_pipeline

EXIT_OK, EXIT_USAGE = 0, 2


def add_noise_commands(cmds: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    noise = cmds.add_parser(
        "noise", help="static-only review of each of the last N commits; comments to a file"
    )
    noise.add_argument("--repo", type=Path, required=True, help="git repository (read in place)")
    noise.add_argument("--name", help="repository name in the output (default: directory name)")
    noise.add_argument("-n", "--commits", type=int, default=200, help="default 200")
    noise.add_argument("--ref", default="HEAD", help="the newest commit (default: HEAD)")
    noise.add_argument("--out", type=Path, required=True, help="JSON lines: summary, comments")
    noise.set_defaults(run=lambda args: _guarded(lambda: noise_command(args)))
    report = cmds.add_parser(
        "noise-report", help="comments per 100 commits and precision per rule, from judgements"
    )
    report.add_argument("comments", type=Path, nargs="+", help="files written by `bench noise`")
    report.add_argument("--judgements", type=Path, required=True)
    report.set_defaults(run=lambda args: _guarded(lambda: noise_report_command(args)))


def _guarded(command: Callable[[], int]) -> int:
    try:
        return command()
    except NoiseError as error:
        print(f"prbot: error: {error}", file=sys.stderr)
        return EXIT_USAGE


def noise_command(args: argparse.Namespace) -> int:
    if args.commits < 1:
        raise NoiseError("--commits must be at least 1")
    if not args.repo.exists():
        raise NoiseError(f"--repo {args.repo}: no such directory")
    pipeline = build_bench_pipeline(BenchSettings(), os.environ, use_cache=False)
    config = replace(pipeline.config, mode="static-only")
    name = args.name or args.repo.resolve().name
    summary = asyncio.run(
        run_noise(
            args.repo,
            name,
            args.commits,
            pipeline.prompts,
            config,
            pipeline.linter,
            args.out,
            args.ref,
        )
    )
    print(json.dumps(summary))
    return EXIT_OK


def noise_report_command(args: argparse.Namespace) -> int:
    judged = read_judgements(args.judgements)
    table = tabulate([read_jsonl(path) for path in args.comments], judged)
    print(to_markdown(table))
    return EXIT_OK
