"""What routing and the cache save, on the labeled cases: `python -m bench.perf_routing`.

Runs the pipeline with the ScriptedModel (bench.scripted: deterministic, NOT a real model)
in both roles, priced like claude-sonnet-5-5 (frontier) and claude-haiku-5-5 (small):
routed vs frontier-only on a cold cache, then routed twice on one DiskCache (cold, warm).
Targets: routed frontier tokens <= 0.4 x frontier-only's; 0 model calls on the warm run.
"""

from __future__ import annotations

import argparse
import tempfile
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from bench.cases import Case, load_cases
from bench.run import RunResult, parse_case, run_benchmark
from bench.scripted import PRICED_LIKE, scripted_models, scripted_prices
from reviewers.budget import changed_lines
from reviewers.cache import DiskCache, NoCache
from reviewers.llm.pricing import DEFAULT_PRICES
from reviewers.models import Route
from reviewers.prompts import default_prompts_dir, load_prompts
from reviewers.review import Mode, ReviewConfig
from reviewers.triage import TriageRules, route_file

TARGET_RATIO = 0.4
# The shared real set sits beside the checkout (../shared), in CI as here.
REAL_SET = Path(__file__).resolve().parents[2] / "shared" / "labeled_prs_real"
TOP_REASONS = 8


def run(cases: Sequence[Case], mode: Mode, cache_dir: Path | None) -> RunResult:
    """One run with fresh scripted models; a DiskCache in cache_dir, else no cache."""
    config = ReviewConfig(prices={**DEFAULT_PRICES, **scripted_prices()})
    prompts = load_prompts(default_prompts_dir())
    cache = DiskCache(cache_dir) if cache_dir is not None else NoCache()
    try:
        return run_benchmark(cases, mode, scripted_models(), prompts, config, cache)
    finally:
        if isinstance(cache, DiskCache):
            cache.close()


def line(name: str, result: RunResult) -> str:
    f, s = result.by_route(Route.FRONTIER), result.by_route(Route.SMALL)
    return (
        f"  {name:<22} frontier {f.tokens.total:>8} tok {f.calls:>4} calls | "
        f"small {s.tokens.total:>7} tok {s.calls:>4} calls | total "
        f"{result.cost.tokens:>8} tok ${result.cost.usd:.4f} {result.model_calls:>4} calls "
        f"| cache hits {result.cost.cache_hits}/{result.cost.cache_lookups}"
    )


def frontier_reasons(cases: Sequence[Case]) -> Counter[str]:
    """Changed lines routed FRONTIER by triage, per decision reason (risk:..., code, ...)."""
    reasons: Counter[str] = Counter()
    rules = TriageRules()
    for case in cases:
        for file in parse_case(case):
            for routed in route_file(file, rules, case.files.get(file.path)):
                if routed.decision.route is Route.FRONTIER:
                    reasons[routed.decision.reason] += changed_lines(routed.hunk)
    return reasons


def measure(name: str, cases: Sequence[Case]) -> float | None:
    print(f"{name}: {len(cases)} cases")
    routed = run(cases, "routed", None)
    frontier_only = run(cases, "frontier-only", None)
    with tempfile.TemporaryDirectory(prefix="prbot-perf-cache-") as tmp:
        cold = run(cases, "routed", Path(tmp))
        warm = run(cases, "routed", Path(tmp))
    for label, result in (
        ("routed (no cache)", routed),
        ("frontier-only", frontier_only),
        ("routed, cold DiskCache", cold),
        ("routed, warm DiskCache", warm),
    ):
        print(line(label, result))
    base = frontier_only.by_route(Route.FRONTIER).tokens.total
    ratio = routed.by_route(Route.FRONTIER).tokens.total / base if base else None
    verdict = "n/a" if ratio is None else ("ok" if ratio <= TARGET_RATIO else "ABOVE TARGET")
    shown = "n/a" if ratio is None else f"{ratio:.3f}"
    print(f"  frontier tokens, routed / frontier-only: {shown} (<= {TARGET_RATIO}: {verdict})")
    print(
        f"  warm cache: {warm.model_calls} model calls (target 0), "
        f"{warm.cost.cache_hits} cache hits of {warm.cost.cache_lookups} lookups"
    )
    if ratio is not None and ratio > TARGET_RATIO:
        print("  changed lines triage sends FRONTIER, by reason:")
        for reason, n in frontier_reasons(cases).most_common(TOP_REASONS):
            print(f"    {n:>6}  {reason}")
    return ratio


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.perf_routing", description=__doc__)
    parser.add_argument("--cases", type=Path, default=Path("labeled_prs"))
    parser.add_argument("--real", type=Path, default=REAL_SET, help="skipped when absent")
    args = parser.parse_args(argv)
    priced = ", ".join(f"{model} priced like {like}" for model, like in PRICED_LIKE.items())
    print(f"ScriptedModel (not a real model): {priced}.")
    measure(str(args.cases), load_cases([args.cases]))
    if args.real.is_dir():
        measure(str(args.real), load_cases([args.real]))
    else:
        print(f"{args.real}: not present, skipped")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
