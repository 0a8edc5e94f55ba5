"""The benchmark runner: review_diff on every case, then score, cost and routing as JSON."""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TextIO

from adapters.recordings import FileRecordingStore
from bench.cases import Case, CaseError
from bench.evidence import LabelEvidence, PromptLog, evidence_of, score_evidence
from bench.matching import Comment, comments_from_review
from bench.report import RunCost, to_json
from bench.routing_report import LineKey, RoutingCase, RoutingScore, score_routing
from bench.score import DEFAULT_TOLERANCE, ScoreInput, SetScore, score_set
from reviewers.cache import CachedHunk, ReviewCache
from reviewers.diff import DiffError, parse_diff
from reviewers.llm.base import LLM
from reviewers.llm.recording import RecordingLLM, RecordingMissing
from reviewers.models import FileDiff, LineKind, Route, Side, Usage
from reviewers.prompts import PromptSet
from reviewers.review import Mode, Models, ReviewConfig, ReviewInput, review_diff
from reviewers.snapshot import MappingSnapshot
from reviewers.static import Linter
from reviewers.triage import TriageRules, route_file

Progress = Callable[[int, int, str, float], None]  # (done, total, case id, seconds elapsed)
MODEL_ID_FILE = "model_id"  # beside a role's recordings: the model they were recorded from
ROLES = ("small", "frontier")


class CountingCache:
    """Wraps a ReviewCache and counts lookups and hits (the ledger does not count lookups)."""

    def __init__(self, inner: ReviewCache) -> None:
        self.inner = inner
        self.lookups = 0
        self.hits = 0

    def get(self, key: str) -> CachedHunk | None:
        value = self.inner.get(key)
        self.lookups += 1
        self.hits += value is not None
        return value

    def set(self, key: str, value: CachedHunk) -> None:
        self.inner.set(key, value)


@dataclass(frozen=True, slots=True)
class CaseRun:
    """What one case cost and produced."""

    case_id: str
    comments: tuple[Comment, ...]
    usage: tuple[Usage, ...]
    cache_hits: int
    cache_lookups: int
    wall_seconds: float
    evidence: tuple[LabelEvidence, ...] = ()  # labels with evidence: did it reach the prompt

    @property
    def tokens(self) -> int:
        return sum(u.tokens.total for u in self.usage)

    @property
    def usd(self) -> float:
        return sum(u.cost_usd for u in self.usage)

    @property
    def model_calls(self) -> int:
        return sum(u.calls for u in self.usage)


@dataclass(frozen=True, slots=True)
class RunResult:
    config: Mode
    score: SetScore
    cost: RunCost
    routing: RoutingScore
    cases: tuple[CaseRun, ...]
    data: dict[str, Any]  # bench.report.to_json plus the runner's extras

    @property
    def model_calls(self) -> int:
        return sum(c.model_calls for c in self.cases)

    def by_route(self, route: Route) -> Usage:
        """Calls, tokens, $ and cache hits of one route, summed over cases and models."""
        usages = [u for c in self.cases for u in c.usage if u.route is route]
        total = Usage(route, "+".join(sorted({u.model for u in usages})))
        for u in usages:
            total = replace(
                total,
                calls=total.calls + u.calls,
                tokens=total.tokens + u.tokens,
                cost_usd=total.cost_usd + u.cost_usd,
                cache_hits=total.cache_hits + u.cache_hits,
                saved_usd=total.saved_usd + u.saved_usd,
            )
        return total


def parse_case(case: Case) -> tuple[FileDiff, ...]:
    try:
        return parse_diff(case.diff_text)
    except DiffError as err:
        raise CaseError(f"case {case.id} ({case.directory}): invalid pr.diff: {err}") from err


def review_input(case: Case, files: tuple[FileDiff, ...]) -> ReviewInput:
    """What the reviewer sees of a case: diff, head files, title, body (never the labels)."""
    seen = case.review_input()
    head = dict(seen.files)
    snapshot = MappingSnapshot(head)  # the head tree the case carries, for repository context
    return ReviewInput(files, head, seen.title or "", seen.body or "", snapshot)


def line_routes(
    files: Sequence[FileDiff], rules: TriageRules, sources: Mapping[str, str] | None = None
) -> dict[LineKey, Route]:
    """The route triage gives every changed line, exactly as reviewers.review.plan decides."""
    routes: dict[LineKey, Route] = {}
    for file in files:
        for routed in route_file(file, rules, (sources or {}).get(file.path)):
            hunk, route = routed.hunk, routed.decision.route
            for ln in hunk.lines:
                if ln.kind is LineKind.ADDED and ln.new_no is not None:
                    routes[(file.path, Side.RIGHT, ln.new_no)] = route
                elif ln.kind is LineKind.REMOVED and ln.old_no is not None:
                    routes[(file.path, Side.LEFT, ln.old_no)] = route
    return routes


def recorded_role(llm: LLM | None, directory: Path, replay_only: bool) -> RecordingLLM | None:
    """One role behind recordings; replay-only needs no provider, only the recorded model id."""
    id_file = directory / MODEL_ID_FILE
    if not replay_only:
        if llm is None:
            return None
        directory.mkdir(parents=True, exist_ok=True)
        id_file.write_text(llm.model_id + "\n", encoding="utf-8")
        return RecordingLLM(llm, FileRecordingStore(directory))
    store = FileRecordingStore(directory)
    if llm is not None:
        return RecordingLLM(None, store, model_id=llm.model_id)
    if id_file.is_file():
        return RecordingLLM(None, store, model_id=id_file.read_text(encoding="utf-8").strip())
    return None  # never configured, never recorded: the role stays "not configured"


def record_models(models: Models, directory: Path, replay_only: bool) -> Models:
    """Each role's model behind a RecordingLLM in <directory>/<role>."""
    return Models(
        small=recorded_role(models.small, directory / "small", replay_only),
        frontier=recorded_role(models.frontier, directory / "frontier", replay_only),
    )


async def run_case(
    case: Case,
    models: Models,
    prompts: PromptSet,
    config: ReviewConfig,
    cache: ReviewCache,
    linter: Linter | None = None,
) -> tuple[CaseRun, tuple[FileDiff, ...]]:
    files = parse_case(case)
    counting = CountingCache(cache)
    log = PromptLog(models.frontier) if models.frontier is not None else None
    started = time.perf_counter()
    try:
        inp = review_input(case, files)
        logged = replace(models, frontier=log) if log is not None else models
        review = await review_diff(inp, logged, prompts, config, counting, linter)
    except RecordingMissing as err:
        raise RecordingMissing(
            f"case {case.id}: {err} (run once without --replay-only to record it)"
        ) from err
    wall = time.perf_counter() - started
    comments = tuple(comments_from_review(review))
    evidence = tuple(evidence_of(case, log.requests if log is not None else []))
    run = CaseRun(case.id, comments, review.usage, counting.hits, counting.lookups, wall, evidence)
    return run, files


async def run_benchmark_async(
    cases: Sequence[Case],
    config_name: Mode,
    models: Models,
    prompts: PromptSet,
    base_config: ReviewConfig,
    cache: ReviewCache,
    progress: Progress | None = None,
    tolerance: int = DEFAULT_TOLERANCE,
    linter: Linter | None = None,
) -> RunResult:
    """Review every case in order (one at a time: deterministic), then score the set."""
    config = replace(base_config, mode=config_name)
    started = time.perf_counter()
    runs: list[CaseRun] = []
    inputs: list[ScoreInput] = []
    routing: list[RoutingCase] = []
    for index, case in enumerate(cases, start=1):
        run, files = await run_case(case, models, prompts, config, cache, linter)
        runs.append(run)
        inputs.append(ScoreInput(case.id, case.labels, case.negatives, run.comments, files))
        sources = case.review_input().files
        routing.append(RoutingCase(case.id, case.labels, line_routes(files, config.rules, sources)))
        if progress is not None:
            progress(index, len(cases), case.id, time.perf_counter() - started)
    score = score_set(inputs, tolerance)
    cost = RunCost(
        prs=len(runs),
        tokens=sum(r.tokens for r in runs),
        usd=sum(r.usd for r in runs),
        cache_hits=sum(r.cache_hits for r in runs),
        cache_lookups=sum(r.cache_lookups for r in runs),
        wall_seconds=sum(r.wall_seconds for r in runs),
    )
    routed = score_routing(routing)
    partial = RunResult(config_name, score, cost, routed, tuple(runs), {})
    return replace(partial, data=result_json(partial, models))


def run_benchmark(
    cases: Sequence[Case],
    config_name: Mode,
    models: Models,
    prompts: PromptSet,
    base_config: ReviewConfig,
    cache: ReviewCache,
    progress: Progress | None = None,
    tolerance: int = DEFAULT_TOLERANCE,
    linter: Linter | None = None,
) -> RunResult:
    """run_benchmark_async in a fresh event loop (providers must not be shared across loops)."""
    return asyncio.run(
        run_benchmark_async(
            cases, config_name, models, prompts, base_config, cache, progress, tolerance, linter
        )
    )


def _usage_json(usage: Usage) -> dict[str, Any]:
    return {
        "models": usage.model.split("+") if usage.model else [],
        "calls": usage.calls,
        "tokens": usage.tokens.total,
        "usd": usage.cost_usd,
        "cache_hits": usage.cache_hits,
        "saved_usd": usage.saved_usd,
    }


def result_json(result: RunResult, models: Models) -> dict[str, Any]:
    """bench.report.to_json, plus the config, the models, model calls and per-case costs."""
    data = to_json(result.score, result.cost, result.routing)
    data["config"] = result.config
    data["models"] = {
        role: llm.model_id if llm is not None else None
        for role, llm in (("small", models.small), ("frontier", models.frontier))
    }
    cost: dict[str, Any] = data["cost"]
    cost["model_calls"] = result.model_calls
    evidence = [e for c in result.cases for e in c.evidence]
    if evidence:
        data["evidence"] = score_evidence(evidence).to_json()
    cost["by_route"] = {
        r.value: _usage_json(result.by_route(r)) for r in (Route.FRONTIER, Route.SMALL)
    }
    per_case: Mapping[str, CaseRun] = {c.case_id: c for c in result.cases}
    for entry in data["per_case"]:
        run = per_case[entry["id"]]
        entry.update(
            tokens=run.tokens,
            usd=run.usd,
            model_calls=run.model_calls,
            cache_hits=run.cache_hits,
            cache_lookups=run.cache_lookups,
            wall_seconds=run.wall_seconds,
        )
    return data


def stderr_progress(label: str, stream: TextIO | None = None) -> Progress:
    """`label: case i/n <id> (12.3 s)` on stderr: rewritten in place on a terminal."""
    out = stream or sys.stderr

    def show(done: int, total: int, case_id: str, elapsed: float) -> None:
        line = f"{label}: case {done}/{total} {case_id} ({elapsed:.1f} s)"
        if out.isatty():
            end = "\n" if done == total else ""
            out.write(f"\r\x1b[K{line}{end}")
        else:
            out.write(line + "\n")
        out.flush()

    return show
