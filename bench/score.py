"""Benchmark scores: per case and per set, with every precision set beside its chance baseline.

Matching rules live in bench.matching. Levels: "located" (location only), "typed" (also the
category must be equal; matched on its own, not filtered from located) and "judged"
(location + Judge.same_issue, only when a judge is given). An unmatched comment within the
tolerance of a negative is a known false positive (and still an FP). The chance precision of
a set is the mean chance over the comments scored (= weighted by comments per case); lift =
precision / chance. Precision by category uses the comment's category, recall the label's;
precision by route uses the comment's route, recall share the route of the matching comment.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from bench.cases import Case, Label, Negative
from bench.matching import (
    DEFAULT_TOLERANCE,
    ChanceModel,
    Comment,
    Judge,
    Match,
    PairFilter,
    changed_lines,
    find_duplicates,
    match,
    near_any,
)
from reviewers.diff import parse_diff
from reviewers.models import Category, FileDiff, Side

__all__ = [
    "DEFAULT_TOLERANCE",
    "CaseScore",
    "Comment",
    "Judge",
    "Level",
    "ScoreInput",
    "SetScore",
    "score_case",
    "score_input",
    "score_set",
]

DEFAULT_RESAMPLES = 1000
DEFAULT_SEED = 20240601
NO_ROUTE = "none"


class Level(StrEnum):
    LOCATED = "located"
    TYPED = "typed"
    JUDGED = "judged"


@dataclass(frozen=True, slots=True)
class ScoreInput:
    case_id: str
    labels: tuple[Label, ...]
    negatives: tuple[Negative, ...]
    comments: tuple[Comment, ...]
    diff: tuple[FileDiff, ...]


@dataclass(frozen=True, slots=True)
class CaseLevel:
    matches: tuple[Match, ...]
    tp: int
    fp: int
    fn: int
    known_fp: int
    chance: tuple[float, ...]  # per scored (non-duplicate) comment, in comment order


@dataclass(frozen=True, slots=True)
class CaseScore:
    case_id: str
    labels: tuple[Label, ...]
    comments: tuple[Comment, ...]
    duplicates: tuple[int, ...]  # indices of comments counted as duplicates
    levels: Mapping[Level, CaseLevel]
    chance_right: float | None  # located chance of a RIGHT comment; None: no added lines

    @property
    def scored(self) -> tuple[int, ...]:
        dup = set(self.duplicates)
        return tuple(i for i in range(len(self.comments)) if i not in dup)


def score_input(case: Case, comments: Sequence[Comment]) -> ScoreInput:
    """Pair a loaded case with the bot's comments on it (parses the case diff)."""
    return ScoreInput(
        case.id, case.labels, case.negatives, tuple(comments), parse_diff(case.diff_text)
    )


def _filters(judge: Judge | None) -> dict[Level, PairFilter]:
    filters: dict[Level, PairFilter] = {
        Level.LOCATED: lambda c, lb: True,
        Level.TYPED: lambda c, lb: c.category is lb.category,
    }
    if judge is not None:
        filters[Level.JUDGED] = lambda c, lb: judge.same_issue(lb.note, c.title, c.body)
    return filters


def score_case(
    inp: ScoreInput, tolerance: int = DEFAULT_TOLERANCE, judge: Judge | None = None
) -> CaseScore:
    duplicates = find_duplicates(inp.comments)
    dup = set(duplicates)
    scored = [i for i in range(len(inp.comments)) if i not in dup]
    chance = ChanceModel(changed_lines(inp.diff), inp.labels, tolerance)
    levels: dict[Level, CaseLevel] = {}
    for level, accept in _filters(judge).items():
        matches = match(inp.comments, inp.labels, scored, tolerance, accept)
        matched = {m.comment for m in matches}
        unmatched = [inp.comments[i] for i in scored if i not in matched]
        typed = level is Level.TYPED
        per_comment = tuple(
            chance.of(c.side, c.category if typed else None) or 0.0
            for c in (inp.comments[i] for i in scored)
        )
        levels[level] = CaseLevel(
            matches=matches,
            tp=len(matches),
            fp=len(unmatched),
            fn=len(inp.labels) - len(matches),
            known_fp=sum(1 for c in unmatched if near_any(c, inp.negatives, tolerance)),
            chance=per_comment,
        )
    return CaseScore(
        inp.case_id, inp.labels, inp.comments, duplicates, levels, chance.of(Side.RIGHT)
    )


@dataclass(frozen=True, slots=True)
class Interval:
    low: float | None
    high: float | None


@dataclass(frozen=True, slots=True)
class Metrics:
    tp: int
    fp: int
    fn: int
    known_fp: int
    precision: float | None  # None: no comments
    recall: float | None  # None: no labels
    f1: float | None
    chance: float | None  # chance precision, weighted by comments per case
    lift: float | None  # precision / chance


@dataclass(frozen=True, slots=True)
class CategoryMetrics:
    """Precision by the comment's category; recall by the label's category."""

    comments: int
    comment_tp: int
    precision: float | None
    chance: float | None
    lift: float | None
    labels: int
    label_tp: int
    recall: float | None
    f1: float | None


@dataclass(frozen=True, slots=True)
class RouteMetrics:
    """Precision by the comment's route; recall share = labels found by comments of this route."""

    comments: int
    tp: int
    precision: float | None
    chance: float | None
    lift: float | None
    labels_found: int
    recall_share: float | None


@dataclass(frozen=True, slots=True)
class LevelScore:
    micro: Metrics
    precision_ci: Interval
    recall_ci: Interval
    f1_ci: Interval
    by_category: Mapping[Category, CategoryMetrics]
    by_route: Mapping[str, RouteMetrics]  # Route value, or NO_ROUTE


@dataclass(frozen=True, slots=True)
class SetScore:
    tolerance: int
    cases: int
    clean_cases: int
    labels: int
    comments: int  # every comment, duplicates included
    duplicates: int
    comments_per_clean_pr: float | None  # every comment posted on a clean PR, per clean PR
    chance_unweighted: float | None  # mean over cases of the RIGHT-side located chance
    resamples: int
    seed: int
    levels: Mapping[Level, LevelScore]
    case_scores: tuple[CaseScore, ...]


def ratio(num: float, den: float) -> float | None:
    return num / den if den else None


def f1_of(precision: float | None, recall: float | None) -> float | None:
    if precision is None or recall is None:
        return None
    return 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)


def lift_of(precision: float | None, chance: float | None) -> float | None:
    return None if precision is None or not chance else precision / chance


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _percentile(sorted_values: Sequence[float], q: float) -> float | None:
    if not sorted_values:
        return None
    pos = q * (len(sorted_values) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def bootstrap(
    counts: Sequence[tuple[int, int, int]], resamples: int, seed: int
) -> tuple[Interval, Interval, Interval]:
    """95% percentile intervals of micro P, R, F1 over cases resampled with replacement."""
    rng = random.Random(seed)
    samples: tuple[list[float], list[float], list[float]] = ([], [], [])
    n = len(counts)
    for _ in range(resamples if n else 0):
        tp = fp = fn = 0
        for _ in range(n):
            a, b, c = counts[rng.randrange(n)]
            tp, fp, fn = tp + a, fp + b, fn + c
        p, r = ratio(tp, tp + fp), ratio(tp, tp + fn)
        for values, v in zip(samples, (p, r, f1_of(p, r)), strict=True):
            if v is not None:  # a resample without comments (or labels) has no precision
                values.append(v)
    p_ci, r_ci, f_ci = (
        Interval(_percentile(sorted(v), 0.025), _percentile(sorted(v), 0.975)) for v in samples
    )
    return p_ci, r_ci, f_ci


def _by_category(cases: Sequence[CaseScore], level: Level) -> dict[Category, CategoryMetrics]:
    out: dict[Category, CategoryMetrics] = {}
    for cat in Category:
        n_c = tp_c = n_l = tp_l = 0
        chances: list[float] = []
        for cs in cases:
            lv = cs.levels[level]
            matched_c = {m.comment for m in lv.matches}
            matched_l = {m.label for m in lv.matches}
            for i, ch in zip(cs.scored, lv.chance, strict=True):
                if cs.comments[i].category is cat:
                    n_c, tp_c = n_c + 1, tp_c + (i in matched_c)
                    chances.append(ch)
            for li, lb in enumerate(cs.labels):
                if lb.category is cat:
                    n_l, tp_l = n_l + 1, tp_l + (li in matched_l)
        p, r, chance = ratio(tp_c, n_c), ratio(tp_l, n_l), _mean(chances)
        out[cat] = CategoryMetrics(
            n_c, tp_c, p, chance, lift_of(p, chance), n_l, tp_l, r, f1_of(p, r)
        )
    return out


def _by_route(cases: Sequence[CaseScore], level: Level) -> dict[str, RouteMetrics]:
    comments: Counter[str] = Counter()
    tps: Counter[str] = Counter()
    chances: dict[str, list[float]] = {}
    total_labels = sum(len(cs.labels) for cs in cases)
    for cs in cases:
        lv = cs.levels[level]
        matched = {m.comment for m in lv.matches}
        for i, ch in zip(cs.scored, lv.chance, strict=True):
            route = cs.comments[i].route
            key = route.value if route is not None else NO_ROUTE
            comments[key] += 1
            tps[key] += i in matched
            chances.setdefault(key, []).append(ch)
    out: dict[str, RouteMetrics] = {}
    for key in sorted(comments):
        p, chance = ratio(tps[key], comments[key]), _mean(chances[key])
        out[key] = RouteMetrics(
            comments[key],
            tps[key],
            p,
            chance,
            lift_of(p, chance),
            tps[key],
            ratio(tps[key], total_labels),
        )
    return out


def _level_score(cases: Sequence[CaseScore], level: Level, resamples: int, seed: int) -> LevelScore:
    lvs = [cs.levels[level] for cs in cases]
    tp, fp, fn = sum(v.tp for v in lvs), sum(v.fp for v in lvs), sum(v.fn for v in lvs)
    p, r = ratio(tp, tp + fp), ratio(tp, tp + fn)
    chance = _mean([ch for v in lvs for ch in v.chance])
    micro = Metrics(
        tp, fp, fn, sum(v.known_fp for v in lvs), p, r, f1_of(p, r), chance, lift_of(p, chance)
    )
    p_ci, r_ci, f_ci = bootstrap([(v.tp, v.fp, v.fn) for v in lvs], resamples, seed)
    return LevelScore(micro, p_ci, r_ci, f_ci, _by_category(cases, level), _by_route(cases, level))


def score_set(
    inputs: Sequence[ScoreInput],
    tolerance: int = DEFAULT_TOLERANCE,
    judge: Judge | None = None,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
) -> SetScore:
    """Score every case and aggregate: micro metrics, CIs, per category and per route."""
    cases = tuple(score_case(inp, tolerance, judge) for inp in inputs)
    clean = [cs for cs in cases if not cs.labels]
    levels = (
        {lv: _level_score(cases, lv, resamples, seed) for lv in cases[0].levels} if cases else {}
    )
    return SetScore(
        tolerance=tolerance,
        cases=len(cases),
        clean_cases=len(clean),
        labels=sum(len(cs.labels) for cs in cases),
        comments=sum(len(cs.comments) for cs in cases),
        duplicates=sum(len(cs.duplicates) for cs in cases),
        comments_per_clean_pr=ratio(sum(len(cs.comments) for cs in clean), len(clean)),
        chance_unweighted=_mean([cs.chance_right for cs in cases if cs.chance_right is not None]),
        resamples=resamples,
        seed=seed,
        levels=levels,
        case_scores=cases,
    )
