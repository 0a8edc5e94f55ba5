"""The optional small-model pre-screen: what it asks, what it clears, and that it fails safe."""

from __future__ import annotations

import json
from typing import Any

import pytest

from reviewers.cache import NoCache
from reviewers.diff import parse_diff
from reviewers.llm.base import CompletionRequest, LLMUnavailable
from reviewers.models import Route
from reviewers.prescreen import SCHEMA, screen
from reviewers.prompts import default_prompts_dir, load_prompts
from reviewers.review import Models, ReviewConfig, ReviewInput, review_diff
from tests.fakes.scripted_llm import ScriptedLLM, answer

DIFF = """\
diff --git a/calc.py b/calc.py
--- a/calc.py
+++ b/calc.py
@@ -1,2 +1,2 @@
 def total(a, b):
-    return a + b
+    return a - b
diff --git a/log.py b/log.py
--- a/log.py
+++ b/log.py
@@ -1,2 +1,2 @@
 def hello(name):
-    print("hello", name)
+    print("hi", name)
diff --git a/run.py b/run.py
--- a/run.py
+++ b/run.py
@@ -1,2 +1,2 @@
 def go(cmd):
-    return cmd
+    return subprocess.run(cmd)
"""


def decisions(*pairs: tuple[int, bool]) -> dict[str, Any]:
    return {"decisions": [{"hunk": n, "deep_review": d, "reason": f"r{n}"} for n, d in pairs]}


def screener(reply: object) -> ScriptedLLM:
    def respond(request: CompletionRequest) -> Any:
        if request.schema is SCHEMA:
            return reply
        return answer()

    return ScriptedLLM("small-model", respond)


async def routed(small: ScriptedLLM, prescreen: bool = True) -> dict[Route, int]:
    files = parse_diff(DIFF)
    frontier = ScriptedLLM("frontier-model", lambda request: answer())
    config = ReviewConfig(prescreen=prescreen)
    review = await review_diff(
        ReviewInput(files),
        Models(small=small, frontier=frontier),
        load_prompts(default_prompts_dir()),
        config,
        NoCache(),
    )
    return dict(review.coverage.hunks_by_route)


async def test_only_hunks_no_risk_rule_claimed_are_asked_and_cleared_ones_go_small() -> None:
    small = screener(decisions((1, True), (2, False)))
    hunks = await routed(small)
    asked = [r for r in small.requests if r.schema is SCHEMA]
    assert len(asked) == 1
    assert "calc.py" in asked[0].prompt and "log.py" in asked[0].prompt
    assert "run.py" not in asked[0].prompt  # `risk: subprocess` is never second-guessed
    assert (hunks.get(Route.SMALL), hunks.get(Route.FRONTIER)) == (1, 2)


async def test_off_by_default() -> None:
    small = screener(decisions((1, False), (2, False)))
    hunks = await routed(small, prescreen=False)
    assert not [r for r in small.requests if r.schema is SCHEMA]
    assert hunks[Route.FRONTIER] == 3


@pytest.mark.parametrize(
    "reply",
    [
        "not json",
        {"decisions": [{"hunk": 1, "deep_review": "no"}]},  # fails the schema
        decisions(),  # answers for no hunk
        LLMUnavailable("down"),
    ],
    ids=["garbage", "schema", "silent", "error"],
)
async def test_every_failure_keeps_the_hunks_frontier(reply: object) -> None:
    assert (await routed(screener(reply)))[Route.FRONTIER] == 3


async def test_screen_reports_why_it_decided_nothing() -> None:
    files = parse_diff(DIFF)
    items = [(f, f.hunks[0]) for f in files[:2]]
    result = await screen(items, screener("{}"))
    assert [v.deep for v in result.verdicts] == [True, True]
    assert result.note == "pre-screen answer failed the schema"
    cleared = await screen(items, screener(json.dumps(decisions((1, False), (2, True)))))
    assert [(v.deep, v.reason) for v in cleared.verdicts] == [(False, "r1"), (True, "r2")]
