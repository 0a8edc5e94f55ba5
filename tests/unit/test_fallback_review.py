"""A fallback model's answer in a review: the summary says why, the cache does not keep it
under the first model's name (issue 15 item 5, issue 16 item 8)."""

from pathlib import Path

from reviewers.cache import DiskCache
from reviewers.diff import parse_diff
from reviewers.llm.base import LLMRejected
from reviewers.llm.chain import FallbackLLM
from reviewers.models import Route
from reviewers.review import Models, ReviewInput, review_diff
from tests.fakes.scripted_llm import ScriptedLLM, answer
from tests.unit.test_review import DIFF, PROMPTS, config, sql_finding


def refuse(request: object) -> Exception:
    return LLMRejected("anthropic model frontier-x: HTTP 400 invalid_request_error: bad", "req_1")


async def test_a_400_falls_back_and_the_summary_says_why(tmp_path: Path) -> None:
    primary = ScriptedLLM("frontier-x", refuse)
    fallback = ScriptedLLM("frontier-y", sql_finding)
    models = Models(frontier=FallbackLLM([primary, fallback]))
    cache = DiskCache(tmp_path)
    inp = ReviewInput(files=parse_diff(DIFF), title="t")
    review = await review_diff(inp, models, PROMPTS, config(), cache)

    assert [c.finding.source for c in review.comments if c.finding.route is Route.FRONTIER] == [
        "frontier-y"
    ]
    assert any(
        n.startswith("frontier model: frontier-x failed (LLMRejected: ")
        and "HTTP 400" in n
        and n.endswith("frontier-y answered instead")
        and "req_1" not in n
        for n in review.notes
    ), review.notes

    # The fallback's answer was not cached as frontier-x's: once frontier-x is back, it is
    # asked itself, and its own answer is what the next review replays.
    primary.responder = lambda request: answer()
    again = await review_diff(inp, models, PROMPTS, config(), cache)
    assert len(primary.requests) == 2 and len(fallback.requests) == 1
    assert not [c for c in again.comments if c.finding.route is Route.FRONTIER]
    third = await review_diff(inp, models, PROMPTS, config(), cache)
    assert len(primary.requests) == 2  # replayed from the cache: frontier-x's own answer
    assert [(u.model, u.calls, u.cache_hits) for u in third.usage if u.route is Route.FRONTIER] == [
        ("frontier-x", 0, 1)
    ]
    assert not any("answered instead" in n for n in third.notes)
