"""bench.prompt_tokens: what is counted in each API's request body, the fit, the report."""

from __future__ import annotations

import pytest

from bench.prompt_tokens import (
    Measured,
    PRFigures,
    baseline_report,
    linear_fit,
    paths_in_prompts,
    prompt_tokens,
    report,
    request_texts,
)

SCHEMA = {"type": "object", "properties": {"findings": {"type": "array"}}}


def words(text: str) -> int:
    return len(text.split())


def test_anthropic_counts_tools_system_and_messages() -> None:
    body = {
        "model": "m",
        "max_tokens": 10,
        "tools": [{"name": "submit_review", "input_schema": SCHEMA}],
        "system": [{"type": "text", "text": "be brief", "cache_control": {"type": "ephemeral"}}],
        "messages": [
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "pr text"},
                    {"type": "text", "text": "the diff"},
                ],
            }
        ],
    }
    texts = request_texts("anthropic", body)
    assert texts[1:] == ["be brief", "pr text", "the diff"]
    assert '"submit_review"' in texts[0] and "findings" in texts[0]
    assert prompt_tokens("anthropic", body, words) == 1 + 2 + 2 + 2


def test_responses_counts_instructions_input_and_the_format() -> None:
    fmt = {"type": "json_schema", "name": "r", "schema": SCHEMA, "strict": True}
    body = {"model": "m", "instructions": "rules", "input": "the diff", "text": {"format": fmt}}
    assert request_texts("responses", body)[:2] == ["rules", "the diff"]
    items = [{"role": "user", "content": [{"type": "input_text", "text": "a b c"}]}]
    assert request_texts("responses", {"input": items}) == ["a b c"]


def test_chat_counts_messages_and_the_response_format() -> None:
    body = {
        "messages": [{"role": "system", "content": "rules"}, {"role": "user", "content": "diff"}],
        "response_format": {"type": "json_object"},
    }
    assert request_texts("chat", body) == ["rules", "diff", '{"type":"json_object"}']
    with pytest.raises(ValueError, match="unknown API"):
        request_texts("gemini", body)


def test_linear_fit_recovers_a_line() -> None:
    intercept, slope = linear_fit(
        [(58, 79 + 58 * 27.4), (572, 79 + 572 * 27.4), (6070, 79 + 6070 * 27.4)]
    )
    assert intercept == pytest.approx(79) and slope == pytest.approx(27.4)
    with pytest.raises(ValueError):
        linear_fit([(1, 1)])
    with pytest.raises(ValueError):
        linear_fit([(1, 1), (1, 2)])


def test_report_compares_with_pr_agent_and_the_followup_share() -> None:
    rows = [
        PRFigures("small", 58, 1, 1, 1000, 1, 1),
        PRFigures("medium", 572, 8, 2, 7966, 8, 8),
        PRFigures("large", 6070, 60, 10, 60000, 60, 59),
    ]
    first = PRFigures("medium, first review", 572, 8, 2, 8000, 8, 8)
    followup = PRFigures("follow-up", 24, 8, 1, 400, 8, 1)
    text = report(rows, followup, first)
    assert (
        "| medium | 572 | 8 | 2 | 7,966 | 13.9 | 8/8 | 8/8 | 11,299 / 22,759 | 0.71x / 0.35x |"
        in text
    )
    assert "5.0% of the first review (8,000)" in text
    assert "large: 0.83x pr-agent review+improve, 60/60 files reviewed" in text
    assert "linear fit:" in text


def test_paths_in_prompts() -> None:
    assert paths_in_prompts(["a.py", "b/c.py", "d.py"], ["File: a.py", "b/c.py:3"]) == 2


def test_baseline_report_sets_each_pr_beside_the_other_revision() -> None:
    now = Measured([PRFigures("small", 58, 1, 1, 900, 1, 1)], None, None)
    before = Measured([PRFigures("small", 58, 1, 2, 1800, 1, 1)], None, None)
    assert "| small | 900 | 1,800 | 0.50x | 1 | 2 |" in baseline_report(now, before)
