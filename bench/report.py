"""Benchmark reports: stable JSON for machines, Markdown tables and an optional plot for people.

Every precision printed here carries its chance baseline and lift beside it.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.routing_report import RoutingScore
from bench.score import CaseScore, Interval, LevelScore, SetScore

SCHEMA = "prbot-bench/1"
GATED = ("precision", "recall")


class PlotUnavailable(RuntimeError):
    """matplotlib is not installed: the plot is optional."""


@dataclass(frozen=True, slots=True)
class RunCost:
    """What the runner measured for one config; per-PR values are derived."""

    prs: int
    tokens: int = 0
    usd: float = 0.0
    cache_hits: int = 0
    cache_lookups: int = 0
    wall_seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        per = (lambda v: v / self.prs) if self.prs else (lambda v: None)
        return {
            "prs": self.prs,
            "tokens": self.tokens,
            "usd": self.usd,
            "cache_hits": self.cache_hits,
            "cache_lookups": self.cache_lookups,
            "wall_seconds": self.wall_seconds,
            "tokens_per_pr": per(self.tokens),
            "usd_per_pr": per(self.usd),
            "wall_seconds_per_pr": per(self.wall_seconds),
            "cache_hit_rate": self.cache_hits / self.cache_lookups if self.cache_lookups else None,
        }


def _ci(interval: Interval) -> list[float | None]:
    return [interval.low, interval.high]


def _level_json(lv: LevelScore) -> dict[str, Any]:
    m = lv.micro
    return {
        "micro": {
            "tp": m.tp,
            "fp": m.fp,
            "fn": m.fn,
            "known_fp": m.known_fp,
            "precision": m.precision,
            "recall": m.recall,
            "f1": m.f1,
            "chance": m.chance,
            "lift": m.lift,
        },
        "ci95": {
            "precision": _ci(lv.precision_ci),
            "recall": _ci(lv.recall_ci),
            "f1": _ci(lv.f1_ci),
        },
        "by_category": {
            cat.value: {
                "comments": c.comments,
                "comment_tp": c.comment_tp,
                "precision": c.precision,
                "chance": c.chance,
                "lift": c.lift,
                "labels": c.labels,
                "label_tp": c.label_tp,
                "recall": c.recall,
                "f1": c.f1,
            }
            for cat, c in lv.by_category.items()
        },
        "by_route": {
            key: {
                "comments": r.comments,
                "tp": r.tp,
                "precision": r.precision,
                "chance": r.chance,
                "lift": r.lift,
                "labels_found": r.labels_found,
                "recall_share": r.recall_share,
            }
            for key, r in lv.by_route.items()
        },
    }


def _case_json(cs: CaseScore) -> dict[str, Any]:
    return {
        "id": cs.case_id,
        "labels": len(cs.labels),
        "comments": len(cs.comments),
        "duplicates": len(cs.duplicates),
        "chance_right": cs.chance_right,
        **{
            level.value: {"tp": lv.tp, "fp": lv.fp, "fn": lv.fn, "known_fp": lv.known_fp}
            for level, lv in cs.levels.items()
        },
    }


def routing_to_json(score: RoutingScore) -> dict[str, Any]:
    return {
        "labels": score.labels,
        "reached_frontier": score.reached_frontier,
        "routing_recall": score.routing_recall,
        "by_category": {
            cat.value: {
                "labels": c.labels,
                "not_in_diff": c.not_in_diff,
                "best_route": {r.value: n for r, n in c.best_route.items()},
                "frontier_share": c.frontier_share,
            }
            for cat, c in score.by_category.items()
        },
        "lines_by_route": {r.value: n for r, n in score.lines_by_route.items()},
        "line_share_by_route": {r.value: s for r, s in score.line_share_by_route.items()},
    }


def to_json(
    result: SetScore, cost: RunCost | None = None, routing: RoutingScore | None = None
) -> dict[str, Any]:
    """A scored run as plain JSON data with stable keys (schema prbot-bench/1)."""
    return {
        "schema": SCHEMA,
        "tolerance": result.tolerance,
        "cases": result.cases,
        "clean_cases": result.clean_cases,
        "labels": result.labels,
        "comments": result.comments,
        "duplicates": result.duplicates,
        "comments_per_clean_pr": result.comments_per_clean_pr,
        "chance_unweighted": result.chance_unweighted,
        "bootstrap": {"resamples": result.resamples, "seed": result.seed},
        "levels": {level.value: _level_json(lv) for level, lv in result.levels.items()},
        "cost": cost.to_json() if cost is not None else None,
        "routing": routing_to_json(routing) if routing is not None else None,
        "per_case": [_case_json(cs) for cs in result.case_scores],
    }


def _pct(value: Any) -> str:
    return "n/a" if value is None else f"{100 * float(value):.1f}%"


def _num(value: Any, digits: int = 2) -> str:
    return "n/a" if value is None else f"{float(value):.{digits}f}"


def _with_ci(value: Any, ci: Any) -> str:
    if value is None:
        return "n/a"
    low, high = ci if ci else (None, None)
    if low is None or high is None:
        return _pct(value)
    return f"{_pct(value)} [{_pct(low)}, {_pct(high)}]"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def _summary_row(name: str, run: Mapping[str, Any]) -> list[str]:
    loc = run["levels"]["located"]
    typed = run["levels"]["typed"]["micro"]
    m, ci = loc["micro"], loc["ci95"]
    cost = run.get("cost") or {}
    return [
        name,
        _with_ci(m["precision"], ci["precision"]),
        _pct(m["chance"]),
        _num(m["lift"]),
        _with_ci(m["recall"], ci["recall"]),
        _with_ci(m["f1"], ci["f1"]),
        f"{_pct(typed['precision'])} / {_pct(typed['chance'])} / {_num(typed['lift'])}",
        _pct(typed["recall"]),
        _num(run["comments_per_clean_pr"]),
        str(run["duplicates"]),
        str(m["known_fp"]),
        _num(cost.get("tokens_per_pr"), 0),
        _num(cost.get("usd_per_pr"), 4),
        _pct(cost.get("cache_hit_rate")),
        _num(cost.get("wall_seconds_per_pr"), 1),
    ]


SUMMARY_HEADER = [
    "config", "P [95% CI]", "chance P", "lift", "R [95% CI]", "F1 [95% CI]",
    "typed P / chance / lift", "typed R", "comments/clean PR", "duplicates", "known FPs",
    "tokens/PR", "$/PR", "cache hits", "wall s/PR",
]  # fmt: skip


def _category_rows(run: Mapping[str, Any]) -> list[list[str]]:
    loc, typed = run["levels"]["located"]["by_category"], run["levels"]["typed"]["by_category"]
    return [
        [
            cat, str(c["comments"]), _pct(c["precision"]), _pct(c["chance"]), _num(c["lift"]),
            _pct(typed[cat]["precision"]), _pct(typed[cat]["chance"]), _num(typed[cat]["lift"]),
            str(c["labels"]), _pct(c["recall"]), _pct(typed[cat]["recall"]),
        ]
        for cat, c in loc.items()
    ]  # fmt: skip


def _route_rows(run: Mapping[str, Any]) -> list[list[str]]:
    return [
        [
            key, str(r["comments"]), _pct(r["precision"]), _pct(r["chance"]), _num(r["lift"]),
            str(r["labels_found"]), _pct(r["recall_share"]),
        ]
        for key, r in run["levels"]["located"]["by_route"].items()
    ]  # fmt: skip


ROUTING_HEADER = [
    "category",
    "labels",
    "not in diff",
    "frontier",
    "small",
    "skip",
    "frontier share",
]


def _routing_lines(routing: Mapping[str, Any]) -> list[str]:
    rows = [
        [cat, str(c["labels"]), str(c["not_in_diff"])]
        + [str(c["best_route"][r]) for r in ("frontier", "small", "skip")]
        + [_pct(c["frontier_share"])]
        for cat, c in routing["by_category"].items()
    ]
    shares = ", ".join(
        f"{r} {routing['lines_by_route'][r]} ({_pct(s)})"
        for r, s in routing["line_share_by_route"].items()
    )
    recall = (
        f"{routing['reached_frontier']}/{routing['labels']} = {_pct(routing['routing_recall'])}"
    )
    return [
        f"Routing recall (defect/security/performance labels reaching frontier): {recall}",
        "",
        *_table(ROUTING_HEADER, rows),
        "",
        f"Changed lines by route: {shares}",
    ]


def to_markdown(results_by_config: Mapping[str, Mapping[str, Any]]) -> str:
    """Side-by-side tables of to_json() outputs, one per config, then per category and route."""
    out = ["## Benchmark", ""]
    if results_by_config:
        first = next(iter(results_by_config.values()))
        out += [
            f"{first['cases']} cases ({first['clean_cases']} clean), {first['labels']} labels; "
            f"match window +-{first['tolerance']} lines; 95% CIs from "
            f"{first['bootstrap']['resamples']} bootstrap resamples over cases. Chance P = "
            "precision of a comment on a random changed line; lift = P / chance.",
            "",
        ]
    rows = [_summary_row(name, run) for name, run in results_by_config.items()]
    out += [*_table(SUMMARY_HEADER, rows), ""]
    for name, run in results_by_config.items():
        out += [f"### {name}: by category (P by comment category, R by label category)", ""]
        out += _table(
            ["category", "comments", "P", "chance", "lift", "typed P", "typed chance",
             "typed lift", "labels", "R", "typed R"],
            _category_rows(run),
        )  # fmt: skip
        out += ["", f"### {name}: by route (located)", ""]
        out += _table(
            ["route", "comments", "P", "chance", "lift", "labels found", "recall share"],
            _route_rows(run),
        )
        if run.get("routing"):
            out += ["", f"### {name}: routing", "", *_routing_lines(run["routing"])]
        if run.get("evidence"):
            out += ["", f"### {name}: evidence recall", "", *evidence_lines(run["evidence"])]
        out.append("")
    return "\n".join(out)


def evidence_lines(evidence: Mapping[str, Any]) -> list[str]:
    """Labels whose evidence (lines outside the diff) reached the frontier prompt."""
    lines = [
        f"{evidence['reached']}/{evidence['labels']} labels = {_pct(evidence['recall'])} "
        f"(their own lines reached a frontier call: {evidence['seen']}/{evidence['labels']})",
        "",
    ]
    rows = [
        [kind, str(v["spans"]), str(v["reached"]), _pct(v["recall"])]
        for kind, v in evidence["by_kind"].items()
    ]
    lines += _table(["evidence kind", "spans", "reached", "recall"], rows)
    carried = ", ".join(f"{k} {n}" for k, n in evidence.get("carried_by", {}).items())
    return [*lines, "", f"spans carried by context block kind: {carried or 'none'}"]


def compare(
    old_json: Mapping[str, Any], new_json: Mapping[str, Any], max_drop: float = 0.02
) -> tuple[str, int]:
    """CI gate: exit code 1 when located micro precision or recall drops by more than max_drop."""
    old_m, new_m = old_json["levels"]["located"]["micro"], new_json["levels"]["located"]["micro"]
    rows: list[list[str]] = []
    failed: list[str] = []
    for key in GATED:
        old, new = old_m[key], new_m[key]
        if old is None or new is None:
            delta, status = "n/a", "not compared"
        else:
            delta = f"{100 * (new - old):+.1f} pts"
            status = "FAIL" if old - new > max_drop else "ok"
            if status == "FAIL":
                failed.append(key)
        rows.append([key, _pct(old), _pct(new), delta, status])
    rows.append(["chance P", _pct(old_m["chance"]), _pct(new_m["chance"]), "", ""])
    rows.append(["lift", _num(old_m["lift"]), _num(new_m["lift"]), "", ""])
    verdict = (
        f"**FAIL**: {', '.join(failed)} dropped by more than {100 * max_drop:.1f} pts"
        if failed
        else f"ok: no drop above {100 * max_drop:.1f} pts"
    )
    lines = ["## Benchmark comparison (located, micro)", ""]
    lines += _table(["metric", "old", "new", "delta", "status"], rows)
    lines += ["", verdict, ""]
    return "\n".join(lines), 1 if failed else 0


def plot(results_by_config: Mapping[str, Mapping[str, Any]], path: Path) -> None:
    """Precision vs recall per config, and $ per PR; needs matplotlib (optional)."""
    try:
        # Imported here, by name: matplotlib is an optional extra and must not load at import.
        mpl = importlib.import_module("matplotlib")
    except ImportError as exc:
        raise PlotUnavailable(
            "the benchmark plot needs matplotlib, which is not installed "
            "(.venv/bin/pip install matplotlib); the JSON and Markdown reports are complete"
        ) from exc
    mpl.use("Agg")
    plt = importlib.import_module("matplotlib.pyplot")
    fig, (ax_pr, ax_cost) = plt.subplots(1, 2, figsize=(11, 4.5))
    names = list(results_by_config)
    # Configs often score alike: a legend, not labels on the points, keeps them readable.
    for name in names:
        m = results_by_config[name]["levels"]["located"]["micro"]
        point = ([m["recall"] or 0.0], [m["precision"] or 0.0])
        ax_pr.scatter(*point, label=f"{name} (chance {_pct(m['chance'])})", alpha=0.7)
    ax_pr.set(xlabel="recall", ylabel="precision", xlim=(0, 1), ylim=(0, 1), title="located")
    ax_pr.legend(fontsize="small", loc="lower right")
    costs = [(results_by_config[n].get("cost") or {}).get("usd_per_pr") or 0.0 for n in names]
    ax_cost.bar([n.split(" (")[0] for n in names], costs)
    ax_cost.set(ylabel="$ per PR", title="cost")
    ax_cost.tick_params(axis="x", labelrotation=20)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
