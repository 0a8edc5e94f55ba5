"""`python -m bench run | compare | mine | routing`: the benchmark's command line (exit 0/1/2).

Its own entry point, not a `prbot` subcommand: the production CLI and the wheel do not
carry the benchmark, which runs from a checkout (it reads labeled_prs/ and ../shared).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from bench.cases import Case, CaseError, load_cases
from bench.miner import MineError, format_report, mine
from bench.noise_cli import add_noise_commands
from bench.pipeline import BenchPipeline, BenchSettings, build_bench_pipeline
from bench.report import PlotUnavailable, compare, plot, to_markdown
from bench.routing_report import RoutingCase, score_routing
from bench.run import (
    ROLES,
    RunResult,
    line_routes,
    parse_case,
    record_models,
    run_benchmark_async,
    stderr_progress,
)
from bench.score import DEFAULT_TOLERANCE
from bench.scripted import is_scripted, scripted_models, scripted_prices
from reviewers.llm.chain import Closable
from reviewers.llm.recording import RecordingLLM, RecordingMissing
from reviewers.models import Route
from reviewers.prompts import PromptError
from reviewers.review import MODES, Mode, Models, ReviewConfig
from reviewers.static import RuffError
from reviewers.triage import TriageRules

EXIT_OK, EXIT_USAGE = 0, 2  # and 1: `compare` found a drop
DEFAULT_OUT = Path(".prbot/bench")
SCRIPTED_LABEL = "scripted model, not a real review"


class BenchUsageError(Exception):
    """Bad arguments or input files: exit code 2."""


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.run(args))


def build_parser() -> argparse.ArgumentParser:
    """`python -m bench` and its subcommands. Models come from PRBOT_* (bench/pipeline.py)."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    cmds = parser.add_subparsers(dest="bench_command", required=True)
    run = cmds.add_parser("run", help="review every case with one or all configs and score")
    run.add_argument("--cases", type=Path, nargs="+", required=True, metavar="DIR")
    run.add_argument("--config", choices=MODES, default="routed")
    run.add_argument("--all-configs", action="store_true", help="run the four configs")
    run.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"default {DEFAULT_OUT}")
    run.add_argument("--recordings", type=Path, help="record model answers here, replay them")
    run.add_argument("--replay-only", action="store_true", help="fail on a missing recording")
    run.add_argument("--model", choices=("settings", "scripted"), default="settings")
    run.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    run.add_argument("--tolerance", type=int, default=DEFAULT_TOLERANCE)
    run.set_defaults(run=lambda args: guarded(lambda: run_command(args)))
    cmp = cmds.add_parser("compare", help="CI gate: exit 1 when P or R drops")
    cmp.add_argument("old", type=Path)
    cmp.add_argument("new", type=Path)
    cmp.add_argument("--max-drop", type=float, default=0.02)
    cmp.set_defaults(run=lambda args: guarded(lambda: compare_command(args)))
    mn = cmds.add_parser("mine", help="revert-the-fix cases from a local git history")
    mn.add_argument("--repo", type=Path, required=True)
    mn.add_argument("--out", type=Path, required=True)
    mn.add_argument("--max", type=int, default=20, dest="max_cases")
    mn.set_defaults(run=lambda args: guarded(lambda: mine_command(args)))
    add_noise_commands(cmds)
    rt = cmds.add_parser("routing", help="triage routing report only (no model)")
    rt.add_argument("--cases", type=Path, nargs="+", required=True, metavar="DIR")
    rt.set_defaults(run=lambda args: guarded(lambda: routing_command(args)))
    return parser


def guarded(command: Callable[[], int]) -> int:
    """Bench errors -> `bench: error: ...` and exit 2."""
    try:
        return command()
    except (
        CaseError,
        BenchUsageError,
        RecordingMissing,
        MineError,
        RuffError,
        PromptError,
        ValidationError,
    ) as error:
        print(f"bench: error: {error}", file=sys.stderr)
        return EXIT_USAGE


def bench_models(args: argparse.Namespace, pipeline: BenchPipeline) -> tuple[Models, ReviewConfig]:
    if args.model == "scripted":
        config = replace(pipeline.config, prices={**pipeline.config.prices, **scripted_prices()})
        models = scripted_models()
    else:
        config, models = pipeline.config, pipeline.models
        for note in pipeline.notes:
            print(f"bench: {note}", file=sys.stderr)
    if args.recordings is not None:
        models = record_models(models, args.recordings, args.replay_only)
    elif args.replay_only:
        raise BenchUsageError("--replay-only needs --recordings DIR")
    return models, config


def run_command(args: argparse.Namespace) -> int:
    cases = load_cases(args.cases)
    if not cases:
        raise BenchUsageError(f"no cases under {' '.join(map(str, args.cases))}")
    for case in cases:
        parse_case(case)  # a broken diff fails before any model is called
    modes: Sequence[Mode] = MODES if args.all_configs else (args.config,)
    pipeline = build_bench_pipeline(BenchSettings(), os.environ, use_cache=not args.no_cache)
    models, config = bench_models(args, pipeline)
    try:
        results = asyncio.run(run_all(cases, modes, models, pipeline, config, args.tolerance))
    finally:
        pipeline.close()
    write_outputs(results, args.out)
    print_recordings(models)
    return EXIT_OK


async def run_all(
    cases: Sequence[Case],
    modes: Sequence[Mode],
    models: Models,
    pipeline: BenchPipeline,
    config: ReviewConfig,
    tolerance: int,
) -> list[RunResult]:
    """Every config in one event loop, then close the providers' connection pools."""
    try:
        return [
            await run_benchmark_async(
                cases,
                mode,
                models,
                pipeline.prompts,
                config,
                pipeline.cache,
                stderr_progress(f"bench {mode}"),
                tolerance,
                pipeline.linter,
            )
            for mode in modes
        ]
    finally:
        await close_models(models, pipeline.models)


def models_inner(models: Models) -> list[object]:
    out: list[object] = []
    for llm in (models.small, models.frontier):
        inner = llm.inner if isinstance(llm, RecordingLLM) else llm
        if inner is not None:
            out.append(inner)
    return out


async def close_models(*sets: Models) -> None:
    closed: set[int] = set()
    for llm in (m for models in sets for m in models_inner(models)):
        if isinstance(llm, Closable) and id(llm) not in closed:
            closed.add(id(llm))
            await llm.aclose()


def report_name(result: RunResult) -> str:
    ids = result.data["models"].values()
    scripted = any(is_scripted(i) for i in ids) and result.config != "static-only"
    return f"{result.config} ({SCRIPTED_LABEL})" if scripted else result.config


def write_outputs(results: Sequence[RunResult], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for result in results:
        path = out / f"{result.config}.json"
        path.write_text(json.dumps(result.data, indent=1, sort_keys=True) + "\n", "utf-8")
        print(f"wrote {path}")
    by_name = {report_name(r): r.data for r in results}
    (out / "report.md").write_text(to_markdown(by_name), encoding="utf-8")
    print(f"wrote {out / 'report.md'}")
    try:
        plot(by_name, out / "plot.png")
        print(f"wrote {out / 'plot.png'}")
    except PlotUnavailable as why:
        print(f"no plot: {why}")
    for name, data in by_name.items():
        print(summary_line(name, data))


def _pct(value: Any) -> str:
    return "n/a" if value is None else f"{100 * float(value):.1f}%"


def summary_line(name: str, data: Mapping[str, Any]) -> str:
    m = data["levels"]["located"]["micro"]
    lift = "n/a" if m["lift"] is None else f"{m['lift']:.2f}"
    cost = data["cost"]
    return (
        f"{name}: P {_pct(m['precision'])} (chance {_pct(m['chance'])}, lift {lift}) "
        f"R {_pct(m['recall'])} F1 {_pct(m['f1'])}; TP {m['tp']} FP {m['fp']} FN {m['fn']}; "
        f"{cost['tokens']} tokens, ${cost['usd']:.4f}, {cost['model_calls']} model calls"
    )


def print_recordings(models: Models) -> None:
    for role, llm in zip(ROLES, (models.small, models.frontier), strict=True):
        if isinstance(llm, RecordingLLM):
            print(f"recordings ({role}): {llm.replayed} replayed, {llm.recorded} recorded")


def read_run(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise BenchUsageError(f"cannot read {path}: {err.strerror}") from err
    except json.JSONDecodeError as err:
        raise BenchUsageError(f"{path} is not JSON: {err}") from err
    if not isinstance(data, dict) or "levels" not in data or "located" not in data["levels"]:
        raise BenchUsageError(f"{path} is not a `python -m bench run` JSON result")
    return data


def compare_command(args: argparse.Namespace) -> int:
    text, code = compare(read_run(args.old), read_run(args.new), args.max_drop)
    print(text)
    return code


def mine_command(args: argparse.Namespace) -> int:
    if args.max_cases < 1:
        raise BenchUsageError("--max must be at least 1")
    print(format_report(mine(args.repo, args.max_cases, args.out)))
    return EXIT_OK


def routing_command(args: argparse.Namespace) -> int:
    rules = TriageRules()
    routing = [
        RoutingCase(case.id, case.labels, line_routes(parse_case(case), rules, case.files))
        for case in load_cases(args.cases)
    ]
    score = score_routing(routing)
    recall = _pct(score.routing_recall)
    print(
        f"routing recall (defect/security/performance labels reaching frontier): "
        f"{score.reached_frontier}/{score.labels} = {recall}"
    )
    for cat, c in score.by_category.items():
        best = ", ".join(f"{r.value} {c.best_route[r]}" for r in Route)
        print(
            f"  {cat.value:<16} labels {c.labels:>3}  frontier {_pct(c.frontier_share):>6}  "
            f"(best route: {best}; not in diff {c.not_in_diff})"
        )
    total = sum(score.lines_by_route.values())
    print(f"changed lines by route ({total} lines):")
    for route in Route:
        share = _pct(score.line_share_by_route[route])
        print(f"  {route.value:<9} {score.lines_by_route[route]:>6}  {share:>6}")
    return EXIT_OK
