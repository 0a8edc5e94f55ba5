"""The orchestrator: parse -> triage -> static -> cache -> pack -> models -> anchor -> Review.

Pure apart from awaiting `llm.complete` and the cache; everything it needs is passed in.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from reviewers.anchoring import anchor, dedupe
from reviewers.budget import Batch, Work, changed_lines, estimate_tokens, pack, split_hunk
from reviewers.cache import CachedHunk, ReviewCache, cache_key, from_cached, to_cached
from reviewers.context import render_hunk
from reviewers.findings import ANSWER_SCHEMA, parse_answer
from reviewers.ledger import Ledger, share_tokens
from reviewers.llm.base import LLM, CompletionRequest, LLMError
from reviewers.llm.pricing import DEFAULT_PRICES, Price, cost_usd, price_for
from reviewers.models import (
    FileDiff,
    Finding,
    Hunk,
    Review,
    Route,
    Side,
    TokenUsage,
    Unreviewed,
)
from reviewers.prescreen import eligible, screen
from reviewers.prompts import Prompt, PromptSet, frame_untrusted
from reviewers.redact import redact
from reviewers.snapshot import Snapshot
from reviewers.static import Linter, StaticPolicy, review_static, ruleset_version
from reviewers.triage import ROUTING_VERSION, TriageRules, classify_file, route_file

Mode = Literal["routed", "frontier-only", "small-only", "static-only"]
MODES: tuple[Mode, ...] = ("routed", "frontier-only", "small-only", "static-only")
EXPECTED_OUTPUT_TOKENS = 600  # reserved per call when checking the budget


@dataclass(frozen=True, slots=True)
class ReviewConfig:
    rules: TriageRules = field(default_factory=TriageRules)
    mode: Mode = "routed"
    max_call_tokens: int = 6000  # variable (diff) part of one call
    max_hunk_lines: int = 300
    max_output_tokens: int = 2048
    budget_usd: float | None = None
    budget_tokens: int | None = None
    prices: Mapping[str, Price] = field(default_factory=lambda: dict(DEFAULT_PRICES))
    instructions: str = ""  # from the repository's config on the base branch
    min_confidence: float = 0.5
    max_comments: int = 30
    concurrency: int = 4
    prescreen: bool = False  # reviewers.prescreen: off until measured with a real model
    static: StaticPolicy = field(default_factory=StaticPolicy)  # `static:` in .github/prbot.yml


@dataclass(frozen=True, slots=True)
class Models:
    small: LLM | None = None
    frontier: LLM | None = None


@dataclass(frozen=True, slots=True)
class ReviewInput:
    files: tuple[FileDiff, ...]
    sources: Mapping[str, str] = field(default_factory=dict)  # full head text by path
    title: str = ""
    body: str = ""
    snapshot: Snapshot | None = None  # the head tree, for context beyond the changed files
    findings: tuple[Finding, ...] = ()  # from other tools (SARIF), merged into this review


@dataclass(frozen=True, slots=True)
class Planned:
    file: FileDiff
    hunk: Hunk
    route: Route
    reason: str


def plan(
    files: Sequence[FileDiff],
    config: ReviewConfig,
    ledger: Ledger,
    sources: Mapping[str, str] | None = None,
) -> list[Planned]:
    """Route every hunk (a new file per top-level definition); whole-file skips go straight
    into the ledger's coverage. Head sources make triage's syntax comparison exact."""
    planned: list[Planned] = []
    for file in files:
        decision = classify_file(file, config.rules)
        if decision is not None and decision.route is Route.SKIP:
            ledger.skip(Unreviewed(file.path, None, Route.SKIP, decision.reason))
            continue
        for routed in route_file(file, config.rules, (sources or {}).get(file.path)):
            hunk, hunk_decision = routed.hunk, routed.decision
            route = override(hunk_decision.route, config.mode)
            planned.append(Planned(file, hunk, route, hunk_decision.reason))
            if route is Route.SKIP:
                ledger.skip(Unreviewed(file.path, hunk.index, Route.SKIP, hunk_decision.reason))
    return planned


async def prescreened(
    planned: list[Planned], llm: LLM, config: ReviewConfig, ledger: Ledger
) -> list[Planned]:
    """reviewers.prescreen: FRONTIER hunks no risk rule claimed that the small model clears
    go SMALL, with its reason."""
    asked = [p for p in planned if p.route is Route.FRONTIER and eligible(p.reason)]
    result = await screen([(p.file, p.hunk) for p in asked], llm)
    if result.tokens.total:
        price = price_for(result.model, config.prices)
        cost = cost_usd(result.tokens, price) if price is not None else 0.0
        ledger.spend(Route.SMALL, result.model, result.tokens, cost, known=price is not None)
    if result.note:
        ledger.note(result.note)
    cleared = {id(p): v.reason for p, v in zip(asked, result.verdicts, strict=True) if not v.deep}
    return [
        replace(p, route=Route.SMALL, reason=f"pre-screen: {cleared[id(p)]}")
        if id(p) in cleared
        else p
        for p in planned
    ]


def override(route: Route, mode: Mode) -> Route:
    """Benchmark baselines: send every reviewable hunk to one route."""
    if mode == "frontier-only":
        return Route.FRONTIER
    if mode == "small-only":
        return Route.SMALL
    return route


async def review_diff(
    inp: ReviewInput,
    models: Models,
    prompts: PromptSet,
    config: ReviewConfig,
    cache: ReviewCache,
    linter: Linter | None = None,
) -> Review:
    """`linter`: runs ruff for the static tier (adapters.ruff); None leaves Python unlinted."""
    ledger = Ledger(len(inp.files), config.prices, config.budget_usd, config.budget_tokens)
    planned = plan(inp.files, config, ledger, inp.sources)
    if config.prescreen and config.mode == "routed" and models.small is not None:
        planned = await prescreened(planned, models.small, config, ledger)
    for p in planned:
        ledger.count(p.file.path, p.route, changed_lines(p.hunk))
    reviewable = [f for f in inp.files if any(p.file is f for p in planned)]
    static = await review_static(reviewable, inp.sources, linter, config.static)
    if static.unchecked:
        why = "without full source" if linter is not None else "(no ruff configured)"
        ledger.note(f"ruff not run on {len(static.unchecked)} Python file(s) {why}.")
    if static.opted_out:
        ledger.note(f"{static.opted_out} static finding(s) opted out with `prbot: ignore`.")
    findings = [*static.findings, *inp.findings]
    ruleset = ruleset_version(linter)
    for route, llm, prompt in (
        (Route.FRONTIER, models.frontier, prompts.frontier),
        (Route.SMALL, models.small, prompts.small),
    ):
        items = [p for p in planned if p.route is route]
        if not items:
            continue
        if llm is None or config.mode == "static-only":
            unconfigured(route, items, ledger)
            continue
        runner = RouteRun(route, llm, prompt, inp, config, cache, ledger, ruleset)
        findings += await runner.run(items)
    return finish(findings, inp.files, config, ledger)


def unconfigured(route: Route, items: Sequence[Planned], ledger: Ledger) -> None:
    if route is Route.SMALL:
        # The offline default: the static reviewers serve the small role.
        ledger.note("small-model review: served by the static reviewers (no model configured).")
        return
    ledger.note("frontier review not configured: logic and security were not reviewed by a model.")
    for p in items:
        ledger.miss(Unreviewed(p.file.path, p.hunk.index, route, "frontier model not configured"))


def finish(
    findings: Sequence[Finding], files: Sequence[FileDiff], config: ReviewConfig, ledger: Ledger
) -> Review:
    confident = [f for f in findings if f.confidence >= config.min_confidence]
    comments, unanchored = anchor(confident, files)
    ordered = sorted(
        dedupe(comments),
        key=lambda c: (-c.finding.severity.rank, c.path, c.line),
    )
    if len(ordered) > config.max_comments:
        ledger.note(
            f"{len(ordered) - config.max_comments} lower-severity finding(s) not posted "
            f"(max_comments={config.max_comments})."
        )
        ordered = ordered[: config.max_comments]
    return ledger.review(tuple(ordered), tuple(unanchored))


class RouteRun:
    """Cache lookups, packing and concurrent model calls for the hunks of one route."""

    def __init__(
        self,
        route: Route,
        llm: LLM,
        prompt: Prompt,
        inp: ReviewInput,
        config: ReviewConfig,
        cache: ReviewCache,
        ledger: Ledger,
        ruleset: str,
    ) -> None:
        self.route, self.llm, self.prompt = route, llm, prompt
        self.inp, self.config, self.cache, self.ledger = inp, config, cache, ledger
        self.ruleset = ruleset  # the static tier's version, part of every cache key
        self.judged: dict[str, CachedHunk] = {}  # this run's answers, cache or no cache

    async def run(self, items: Sequence[Planned]) -> list[Finding]:
        findings: list[Finding] = []
        misses: dict[str, Work] = {}  # one model call per distinct hunk, however often it repeats
        repeats: list[Work] = []
        for work in self.works(items):
            cached = self.cache.get(work.key)
            if cached is not None:
                findings += self.replay(work, cached)
            elif work.key in misses:
                repeats.append(work)
            else:
                misses[work.key] = work
        gate = asyncio.Semaphore(self.config.concurrency)
        batches = pack(list(misses.values()), self.config.max_call_tokens)
        for result in await asyncio.gather(*(self.call(batch, gate) for batch in batches)):
            findings += result
        for work in repeats:
            cached = self.judged.get(work.key)
            if cached is None:  # its twin was not judged: say so for this copy too
                self.ledger.miss(
                    Unreviewed(
                        work.file.path,
                        work.hunk.index,
                        self.route,
                        "its identical twin could not be reviewed",
                    )
                )
            else:
                findings += self.replay(work, cached)
        return findings

    def replay(self, work: Work, cached: CachedHunk) -> list[Finding]:
        self.ledger.hit(self.route, cached)
        return [from_cached(f, work.hunk, self.route) for f in cached.findings]

    def works(self, items: Sequence[Planned]) -> list[Work]:
        works = []
        for p in items:
            source = self.inp.sources.get(p.file.path)
            for piece in split_hunk(p.hunk, self.config.max_hunk_lines):
                text = render_hunk(p.file, piece, source)
                key = cache_key(
                    piece,
                    file_kind(p.file.path),
                    self.route,
                    self.prompt.ref,
                    self.llm.model_id,
                    f"{self.ruleset}+{ROUTING_VERSION}",
                    self.config.instructions,
                )
                works.append(Work(p.file, piece, self.route, text, estimate_tokens(text), key))
        return works

    async def call(self, batch: Batch, gate: asyncio.Semaphore) -> list[Finding]:
        async with gate:
            request = self.request(batch)
            estimate = estimate_tokens(request.system + request.prompt)
            if not self.ledger.reserve(self.llm.model_id, estimate, EXPECTED_OUTPUT_TOKENS):
                self.ledger.miss_all(batch, self.route, self.ledger.budget_reason(self.config))
                return []
            try:
                completion = await self.llm.complete(request)
            except LLMError as error:
                self.ledger.release(self.llm.model_id, estimate, EXPECTED_OUTPUT_TOKENS)
                self.ledger.miss_all(
                    batch, self.route, f"model unavailable ({type(error).__name__})"
                )
                self.ledger.note(f"{self.route.value} model error: {error}")
                return []
        self.ledger.release(self.llm.model_id, estimate, EXPECTED_OUTPUT_TOKENS)
        price = price_for(completion.model, self.config.prices)
        cost = cost_usd(completion.tokens, price) if price is not None else 0.0
        self.ledger.spend(
            self.route, completion.model, completion.tokens, cost, known=price is not None
        )
        for note in completion.notes:  # e.g. a fallback model answered, and why
            self.ledger.note(f"{self.route.value} model: {note}")
        parsed = parse_answer(completion.text, self.route, completion.model, batch.paths)
        self.ledger.dropped(parsed.dropped)
        if not completion.text.strip() or (parsed.dropped and not parsed.findings):
            # An unusable answer judged nothing: say so, and do not cache it.
            self.ledger.miss_all(batch, self.route, "model answer failed the schema")
            return []
        self.store(batch, parsed.findings, completion.tokens, cost, completion.model)
        return list(parsed.findings)

    def request(self, batch: Batch) -> CompletionRequest:
        parts = []
        if self.config.instructions:
            parts += [
                "Repository review instructions (from its maintainers):",
                self.config.instructions.strip(),
                "",
            ]
        pr_text = f"Title: {self.inp.title}\n\n{self.inp.body}".strip()
        if pr_text:
            parts += [
                "Pull request title and description:",
                frame_untrusted("pr-text", pr_text),
                "",
            ]
        hunks = "\n\n".join(item.text for item in batch.items)
        parts += ["Hunks to review:", frame_untrusted("diff", hunks)]
        prompt = redact("\n".join(parts)).text
        return CompletionRequest(
            system=self.prompt.system,
            prompt=prompt,
            schema=ANSWER_SCHEMA,
            max_output_tokens=self.config.max_output_tokens,
        )

    def store(
        self, batch: Batch, findings: Sequence[Finding], tokens: TokenUsage, cost: float, model: str
    ) -> None:
        """Cache each hunk with the findings that fall inside it and its share of the cost."""
        owned: dict[int, list[Finding]] = {i: [] for i in range(len(batch.items))}
        for finding in findings:
            owned[owner(batch, finding)].append(finding)
        total = max(1, batch.tokens)
        for index, item in enumerate(batch.items):
            share = item.tokens / total
            value = CachedHunk(
                findings=tuple(to_cached(f, item.hunk) for f in owned[index]),
                tokens=share_tokens(tokens, share),
                cost_usd=cost * share,
                model=model,
            )
            self.judged[item.key] = value
            # The key names the role's first model; a fallback's answer is not that model's,
            # so it is not kept to be replayed as if it were.
            if model == self.llm.model_id:
                self.cache.set(item.key, value)


def owner(batch: Batch, finding: Finding) -> int:
    """Index of the batch item whose hunk holds (or is nearest to) the finding."""
    best, best_distance = 0, None
    for index, item in enumerate(batch.items):
        if item.file.path != finding.path:
            continue
        lo = item.hunk.new_start if finding.side is Side.RIGHT else item.hunk.old_start
        length = item.hunk.new_len if finding.side is Side.RIGHT else item.hunk.old_len
        hi = lo + max(length, 1) - 1
        distance = (
            0
            if lo <= finding.start_line <= hi
            else min(abs(finding.start_line - lo), abs(finding.start_line - hi))
        )
        if best_distance is None or distance < best_distance:
            best, best_distance = index, distance
    return best


def file_kind(path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[-1].lower() if "." in name else name
