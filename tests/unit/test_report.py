"""Benchmark report: stable JSON, Markdown tables, the CI gate and the optional plot."""

from __future__ import annotations

import copy
import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest

from bench.cases import Label
from bench.matching import Comment
from bench.report import PlotUnavailable, RunCost, compare, plot, to_json, to_markdown
from bench.routing_report import RoutingCase, score_routing
from bench.score import ScoreInput, score_set
from reviewers.diff import parse_diff
from reviewers.models import Category, Route, Side

DIFF = parse_diff(
    "diff --git a/a.py b/a.py\nindex 1111111..2222222 100644\n--- a/a.py\n+++ b/a.py\n"
    "@@ -1,1 +1,11 @@\n x\n" + "".join(f"+y{i}\n" for i in range(10))
)


def result_json(cost: RunCost | None = None) -> dict[str, Any]:
    label = Label("a.py", Side.RIGHT, 5, 5, Category.DEFECT, "bad")
    hit = Comment("a.py", Side.RIGHT, 5, 5, Category.DEFECT, route=Route.FRONTIER)
    miss = Comment("a.py", Side.RIGHT, 11, 11, Category.FORMATTING, route=Route.SMALL)
    inputs = [
        ScoreInput("buggy", (label,), (), (hit, miss), DIFF),
        ScoreInput("clean", (), (), (miss,), DIFF),
    ]
    routing = score_routing(
        [RoutingCase("buggy", (label,), {("a.py", Side.RIGHT, 5): Route.SMALL})]
    )
    return to_json(score_set(inputs, resamples=20), cost, routing)


def test_json_has_stable_keys_and_values() -> None:
    data = result_json(
        RunCost(prs=2, tokens=3000, usd=0.5, cache_hits=1, cache_lookups=4, wall_seconds=3)
    )
    assert list(data) == [
        "schema", "tolerance", "cases", "clean_cases", "labels", "comments", "duplicates",
        "comments_per_clean_pr", "chance_unweighted", "bootstrap", "levels", "cost", "routing",
        "per_case",
    ]  # fmt: skip
    assert list(data["levels"]) == ["located", "typed"]
    micro = data["levels"]["located"]["micro"]
    assert (micro["tp"], micro["fp"], micro["fn"]) == (1, 2, 0)
    assert micro["precision"] == pytest.approx(1 / 3)
    # Chance: the buggy case's 2 comments each 7/10 (lines 2..8 near line 5); clean 0.
    assert micro["chance"] == pytest.approx((0.7 + 0.7 + 0) / 3)
    assert data["cost"]["usd_per_pr"] == pytest.approx(0.25)
    assert data["cost"]["cache_hit_rate"] == pytest.approx(0.25)
    assert data["routing"]["routing_recall"] == 0.0
    assert data["per_case"][0] == {
        "id": "buggy", "labels": 1, "comments": 2, "duplicates": 0, "chance_right": 0.7,
        "located": {"tp": 1, "fp": 1, "fn": 0, "known_fp": 0},
        "typed": {"tp": 1, "fp": 1, "fn": 0, "known_fp": 0},
    }  # fmt: skip
    json.dumps(data)  # plain JSON data only


def test_markdown_puts_chance_and_lift_beside_every_precision() -> None:
    md = to_markdown({"routed": result_json(), "static-only": result_json()})
    summary_header = next(line for line in md.splitlines() if line.startswith("| config"))
    cols = [c.strip() for c in summary_header.strip("|").split("|")]
    assert cols[1:4] == ["P [95% CI]", "chance P", "lift"]
    assert "| routed | 33.3% [" in md and "| static-only |" in md
    assert "### routed: by category" in md and "### static-only: by route (located)" in md
    assert "Routing recall (defect/security/performance labels reaching frontier): 0/1" in md
    for line in md.splitlines():
        if line.startswith("| category") or line.startswith("| route"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            for i, cell in enumerate(cells):
                if cell in ("P", "typed P"):
                    assert cells[i + 1].endswith("chance") and cells[i + 2].endswith("lift")


def with_metric(
    data: dict[str, Any], precision: float | None, recall: float | None
) -> dict[str, Any]:
    out = copy.deepcopy(data)
    out["levels"]["located"]["micro"].update(precision=precision, recall=recall)
    return out


@pytest.mark.parametrize(
    ("new_p", "new_r", "code", "verdict"),
    [
        (0.50, 0.40, 0, "ok"),
        (0.49, 0.40, 0, "ok"),  # a drop of exactly the threshold passes
        (0.47, 0.40, 1, "FAIL**: precision"),
        (0.60, 0.30, 1, "FAIL**: recall"),
        (None, 0.40, 0, "ok"),  # no comments at all: precision is not compared
    ],
)
def test_compare_gate(new_p: float | None, new_r: float, code: int, verdict: str) -> None:
    base = result_json()
    old = with_metric(base, 0.50, 0.40)
    md, exit_code = compare(old, with_metric(base, new_p, new_r), max_drop=0.01 + 1e-9)
    assert exit_code == code
    assert verdict in md
    assert "| chance P |" in md and "| lift |" in md


def test_plot_is_optional(tmp_path: Path) -> None:
    target = tmp_path / "bench.png"
    if importlib.util.find_spec("matplotlib") is None:
        with pytest.raises(PlotUnavailable, match="pip install matplotlib"):
            plot({"routed": result_json()}, target)
        assert not target.exists()
    else:
        plot({"routed": result_json()}, target)
        assert target.stat().st_size > 0


def test_run_cost_without_prs() -> None:
    assert RunCost(prs=0).to_json()["usd_per_pr"] is None
