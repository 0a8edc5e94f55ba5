"""Routing on real history: `python -m bench.routing_history [REPO_GIT_DIR ...]`.

Treats each of the last N non-merge commits of a git repository (a bare mirror read in place
with git, nothing copied) as a pull request and prints, per repository:
- the share of changed lines triage routes SKIP / SMALL / FRONTIER, and the FRONTIER lines
  by decision reason;
- with --tokens, the frontier and total tokens of the real pipeline in routed mode against
  frontier-only, both roles served by the ScriptedModel (bench.scripted, NOT a real model).
Then routing recall (labels whose lines reach a reviewer that looks at them) on the
labeled sets, and the FRONTIER labels the optional small-model pre-screen
(reviewers.prescreen) would have sent to SMALL, asked through the ScriptedModel: it cannot
answer the pre-screen's schema, so every hunk stays FRONTIER; with a real model the same
count is the figure to check before turning the pre-screen on.
Targets (issue 15): FRONTIER share <= 40% per repository, routed frontier
tokens <= 0.6 x frontier-only, routing recall >= 0.98.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench.cases import load_cases
from bench.perf_routing import REAL_SET
from bench.routing_report import RoutingCase, best_route, score_routing
from bench.run import line_routes, parse_case
from bench.scripted import SMALL_ID, ScriptedModel, scripted_models, scripted_prices
from reviewers.cache import NoCache
from reviewers.diff import DiffError, parse_diff
from reviewers.llm.base import LLM
from reviewers.llm.pricing import DEFAULT_PRICES
from reviewers.models import FileDiff, FileStatus, LineKind, Route
from reviewers.models import Side as ModelSide
from reviewers.prescreen import eligible, screen
from reviewers.prompts import default_prompts_dir, load_prompts
from reviewers.review import Mode, ReviewConfig, ReviewInput, review_diff
from reviewers.triage import TriageRules, route_file

MIRRORS = Path("/work/.mirror")
DEFAULT_REPOS = (
    "pallets+flask", "pytest-dev+pytest", "psf+black", "encode+starlette",
    "python-attrs+attrs", "scrapy+scrapy", "expressjs+express", "gin-gonic+gin",
    "sinatra+sinatra", "google+gson", "slimphp+Slim",
)  # fmt: skip
FRONTIER_TARGET = 0.40
TOKEN_TARGET = 0.6
RECALL_TARGET = 0.98
MAX_SOURCE_BYTES = 200_000
TOP_REASONS = 6


@dataclass(slots=True)
class RepoFigures:
    name: str
    commits: int = 0
    unparsed: int = 0
    lines: Counter[Route] = field(default_factory=Counter)
    reasons: Counter[str] = field(default_factory=Counter)
    tokens: dict[str, Counter[str]] = field(default_factory=dict)  # mode -> route -> tokens

    @property
    def frontier_share(self) -> float:
        total = sum(self.lines.values())
        return self.lines[Route.FRONTIER] / total if total else 0.0

    @property
    def reviewed_frontier_share(self) -> float:
        """FRONTIER share of the lines a model reviews (lock files and the like left out)."""
        reviewed = self.lines[Route.SMALL] + self.lines[Route.FRONTIER]
        return self.lines[Route.FRONTIER] / reviewed if reviewed else 0.0


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True,
        encoding="utf-8", errors="replace",
    )  # fmt: skip
    return done.stdout


def commits(repo: Path, count: int) -> list[str]:
    return git(repo, "rev-list", "--no-merges", f"--max-count={count}", "HEAD").split()


class Blobs:
    """`git cat-file --batch` on one repository: head text of a path, or None (binary, big)."""

    def __init__(self, repo: Path) -> None:
        self._proc = subprocess.Popen(
            ["git", "-C", str(repo), "cat-file", "--batch"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        )  # fmt: skip

    def read(self, commit: str, path: str) -> str | None:
        assert self._proc.stdin is not None and self._proc.stdout is not None
        self._proc.stdin.write(f"{commit}:{path}\n".encode())
        self._proc.stdin.flush()
        header = self._proc.stdout.readline().split()
        if len(header) < 3 or header[1] != b"blob":
            return None
        data = self._proc.stdout.read(int(header[2]) + 1)[:-1]
        if len(data) > MAX_SOURCE_BYTES or b"\0" in data:
            return None
        return data.decode("utf-8", errors="replace")

    def close(self) -> None:
        if self._proc.stdin is not None:
            self._proc.stdin.close()
        self._proc.wait()


def pull_requests(repo: Path, count: int) -> Iterator[tuple[str, tuple[FileDiff, ...] | None]]:
    """(commit, its diff against the first parent) for the last `count` non-merge commits."""
    for sha in commits(repo, count):
        try:
            yield sha, parse_diff(git(repo, "show", "--no-color", "-M", "--format=", sha))
        except (DiffError, subprocess.CalledProcessError):  # e.g. a blob the mirror lacks
            yield sha, None


def head_sources(blobs: Blobs, sha: str, files: Sequence[FileDiff]) -> dict[str, str]:
    sources = {}
    for file in files:
        if file.status is not FileStatus.DELETED and file.hunks and not file.is_binary:
            text = blobs.read(sha, file.path)
            if text is not None:
                sources[file.path] = text
    return sources


def count_routes(
    figures: RepoFigures,
    files: Sequence[FileDiff],
    rules: TriageRules,
    sources: Mapping[str, str],
) -> None:
    for file in files:
        for routed in route_file(file, rules, sources.get(file.path)):
            n = sum(1 for ln in routed.hunk.lines if ln.kind is not LineKind.CONTEXT)
            figures.lines[routed.decision.route] += n
            if routed.decision.route is Route.FRONTIER:
                figures.reasons[routed.decision.reason] += n


async def review_tokens(inp: ReviewInput, mode: Mode) -> Counter[str]:
    config = ReviewConfig(prices={**DEFAULT_PRICES, **scripted_prices()}, mode=mode)
    review = await review_diff(
        inp, scripted_models(), load_prompts(default_prompts_dir()), config, NoCache()
    )
    spent: Counter[str] = Counter()
    for usage in review.usage:
        spent[usage.route.value] += usage.tokens.total
    return spent


def measure_repo(repo: Path, count: int, with_tokens: bool) -> RepoFigures:
    figures = RepoFigures(repo.parent.name if repo.name == "repo" else repo.name)
    figures.tokens = {"routed": Counter(), "frontier-only": Counter()}
    rules = TriageRules()
    blobs = Blobs(repo)
    try:
        for sha, files in pull_requests(repo, count):
            figures.commits += 1
            if files is None:
                figures.unparsed += 1
                continue
            sources = head_sources(blobs, sha, files)
            count_routes(figures, files, rules, sources)
            if with_tokens:
                inp = ReviewInput(files, sources)
                for mode in ("routed", "frontier-only"):
                    figures.tokens[mode] += asyncio.run(review_tokens(inp, mode))
    finally:
        blobs.close()
    return figures


def print_repo(fig: RepoFigures, with_tokens: bool) -> None:
    total = sum(fig.lines.values())
    shares = " / ".join(
        f"{r.value} {fig.lines[r]} ({fig.lines[r] / total:.1%})" if total else f"{r.value} 0"
        for r in Route
    )
    verdict = "ok" if fig.frontier_share <= FRONTIER_TARGET else "ABOVE TARGET"
    print(f"{fig.name}: {fig.commits} commits ({fig.unparsed} unparsed), {total} changed lines")
    print(
        f"  lines {shares}; FRONTIER share {fig.frontier_share:.1%} ({verdict}),"
        f" {fig.reviewed_frontier_share:.1%} of the lines not skipped"
    )
    top = ", ".join(f"{reason} {n}" for reason, n in fig.reasons.most_common(TOP_REASONS))
    print(f"  FRONTIER lines by reason: {top}")
    if with_tokens:
        routed, alone = fig.tokens["routed"], fig.tokens["frontier-only"]
        base = alone["frontier"]
        ratio = routed["frontier"] / base if base else 0.0
        total_ratio = sum(routed.values()) / sum(alone.values()) if base else 0.0
        verdict = "ok" if ratio <= TOKEN_TARGET else "ABOVE TARGET"
        print(
            f"  scripted tokens: routed frontier {routed['frontier']} + small {routed['small']}"
            f" vs frontier-only {base}; frontier ratio {ratio:.3f} ({verdict}),"
            f" total ratio {total_ratio:.3f}"
        )


def print_recall(name: str, directory: Path) -> None:
    cases = load_cases([directory])
    routing = [
        RoutingCase(c.id, c.labels, line_routes(parse_case(c), TriageRules(), c.files))
        for c in cases
    ]
    score = score_routing(routing)
    recall = score.routing_recall
    shown = "n/a" if recall is None else f"{recall:.3f}"
    verdict = "n/a" if recall is None else ("ok" if recall >= RECALL_TARGET else "BELOW TARGET")
    shares = " / ".join(f"{r.value} {score.lines_by_route[r]}" for r in Route)
    labels = [label for case in cases for label in case.labels]
    unreviewed = [
        f"{c.id}:{label.path}:{label.start_line}"
        for c, case in zip(cases, routing, strict=True)
        for label in c.labels
        if best_route(label, case.routes) in (None, Route.SKIP)
    ]
    print(
        f"{name}: routing recall {score.reached_frontier}/{score.labels} = {shown} ({verdict});"
        f" labels of any category reaching a model {len(labels) - len(unreviewed)}/{len(labels)};"
        f" changed lines {shares}"
    )
    for where in unreviewed:
        print(f"  reaches no model: {where}")


def print_prescreen(name: str, directory: Path, llm: LLM) -> None:
    """Labels (per category) whose every in-diff line is in a hunk the pre-screen clears."""
    sent_away: Counter[str] = Counter()
    asked = cleared = 0
    for case in load_cases([directory]):
        items = [
            (file, routed.hunk)
            for file in parse_case(case)
            for routed in route_file(file, TriageRules(), case.files.get(file.path))
            if routed.decision.route is Route.FRONTIER and eligible(routed.decision.reason)
        ]
        result = asyncio.run(screen(items, llm))
        gone = [(f, h) for (f, h), v in zip(items, result.verdicts, strict=True) if not v.deep]
        asked, cleared = asked + len(items), cleared + len(gone)
        routes = line_routes(parse_case(case), TriageRules(), case.files)
        for f, h in gone:
            for ln in h.lines:
                if ln.kind is LineKind.ADDED and ln.new_no is not None:
                    routes[(f.path, ModelSide.RIGHT, ln.new_no)] = Route.SMALL
                elif ln.kind is LineKind.REMOVED and ln.old_no is not None:
                    routes[(f.path, ModelSide.LEFT, ln.old_no)] = Route.SMALL
        before = line_routes(parse_case(case), TriageRules(), case.files)
        for label in case.labels:
            if best_route(label, before) is Route.FRONTIER is not best_route(label, routes):
                sent_away[label.category.value] += 1
    shown = ", ".join(f"{c} {n}" for c, n in sorted(sent_away.items())) or "none"
    print(
        f"{name}: pre-screen ({llm.model_id}) asked about {asked} hunks, cleared {cleared};"
        f" FRONTIER labels it would have sent to SMALL: {shown}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.routing_history", description=__doc__)
    parser.add_argument("repos", nargs="*", type=Path, help="git dirs (default: the mirrors)")
    parser.add_argument("--commits", type=int, default=200)
    parser.add_argument("--tokens", action="store_true", help="also run the scripted pipeline")
    parser.add_argument("--cases", type=Path, default=Path("labeled_prs"))
    parser.add_argument("--real", type=Path, default=REAL_SET, help="skipped when absent")
    args = parser.parse_args(argv)
    repos = args.repos or [MIRRORS / name / "repo" for name in DEFAULT_REPOS]
    for repo in repos:
        print_repo(measure_repo(repo, args.commits, args.tokens), args.tokens)
    sets = [args.cases] + ([args.real] if args.real.is_dir() else [])
    for directory in sets:
        print_recall(str(directory), directory)
    if not args.real.is_dir():
        print(f"{args.real}: not present, skipped")
    for directory in sets:
        print_prescreen(str(directory), directory, ScriptedModel(SMALL_ID))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
