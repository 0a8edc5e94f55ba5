"""Routing report: do the labeled behaviour-changing lines reach the frontier route?

Independent of any model: it takes, per case, the route triage gave each changed line.
A label "reaches" a route when at least one of its in-diff lines (lines of its range that
are keys of the route mapping) went that route; its best route is the most capable one
reached (frontier > small > skip). Routing recall = share of defect, security and
performance labels that reach FRONTIER; labels with no in-diff line count as misses and are
reported as not_in_diff.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bench.cases import Label
from reviewers.models import Category, Route, Side

FRONTIER_CATEGORIES = frozenset({Category.DEFECT, Category.SECURITY, Category.PERFORMANCE})
_RANK = {Route.SKIP: 0, Route.SMALL: 1, Route.FRONTIER: 2}

LineKey = tuple[str, Side, int]  # (head path, side, line number on that side)


@dataclass(frozen=True, slots=True)
class RoutingCase:
    case_id: str
    labels: tuple[Label, ...]
    routes: Mapping[LineKey, Route]  # every changed line of the case -> its route


@dataclass(frozen=True, slots=True)
class CategoryRouting:
    labels: int
    not_in_diff: int
    best_route: Mapping[Route, int]  # labels whose most capable route reached is this one
    frontier_share: float | None


@dataclass(frozen=True, slots=True)
class RoutingScore:
    labels: int  # defect + security + performance labels
    reached_frontier: int
    routing_recall: float | None
    by_category: Mapping[Category, CategoryRouting]
    lines_by_route: Mapping[Route, int]
    line_share_by_route: Mapping[Route, float | None]


def best_route(label: Label, routes: Mapping[LineKey, Route]) -> Route | None:
    """The most capable route any in-diff line of the label went; None if none is in the diff."""
    reached = [
        routes[key]
        for no in range(label.start_line, label.end_line + 1)
        if (key := (label.path, label.side, no)) in routes
    ]
    return max(reached, key=lambda r: _RANK[r]) if reached else None


def score_routing(cases: Sequence[RoutingCase]) -> RoutingScore:
    per_cat: dict[Category, list[Route | None]] = {cat: [] for cat in Category}
    lines: Counter[Route] = Counter()
    for case in cases:
        lines.update(case.routes.values())
        for label in case.labels:
            per_cat[label.category].append(best_route(label, case.routes))
    by_category: dict[Category, CategoryRouting] = {}
    for cat, bests in per_cat.items():
        counts = Counter(b for b in bests if b is not None)
        frontier = counts[Route.FRONTIER]
        by_category[cat] = CategoryRouting(
            labels=len(bests),
            not_in_diff=sum(1 for b in bests if b is None),
            best_route={r: counts[r] for r in Route},
            frontier_share=frontier / len(bests) if bests else None,
        )
    considered = [by_category[c] for c in Category if c in FRONTIER_CATEGORIES]
    n = sum(c.labels for c in considered)
    reached = sum(c.best_route[Route.FRONTIER] for c in considered)
    total_lines = sum(lines.values())
    return RoutingScore(
        labels=n,
        reached_frontier=reached,
        routing_recall=reached / n if n else None,
        by_category=by_category,
        lines_by_route={r: lines[r] for r in Route},
        line_share_by_route={r: lines[r] / total_lines if total_lines else None for r in Route},
    )
