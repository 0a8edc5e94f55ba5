"""The fake model server refuses what the real APIs refuse (issue 15 item 5).

Raw HTTP, so each documented rule is exercised on its own; a valid request of each kind
is the control. The providers' own requests pass the same rules in test_llm_providers.py.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from reviewers.findings import ANSWER_SCHEMA
from tests.fakes.llm_schemas import anthropic_schema_problems, openai_schema_problems
from tests.fakes.llm_server import FakeLLM

Mutate = Callable[[dict[str, Any]], None]
HEADERS = {"anthropic-version": "2023-06-01", "x-api-key": "k"}
SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"findings": {"type": "array", "items": {"type": "string"}}},
    "required": ["findings"],
    "additionalProperties": False,
}
TOOL = {"name": "submit_review", "input_schema": SCHEMA, "strict": True}


def messages_body() -> dict[str, Any]:
    return {
        "model": "claude-haiku-5-5",
        "max_tokens": 2048,
        "system": [{"type": "text", "text": "rules"}],
        "messages": [{"role": "user", "content": "the diff"}],
        "tools": [copy.deepcopy(TOOL)],
        "tool_choice": {"type": "tool", "name": "submit_review"},
    }


def responses_body() -> dict[str, Any]:
    fmt = {
        "type": "json_schema",
        "name": "submit_review",
        "schema": copy.deepcopy(SCHEMA),
        "strict": True,
    }
    return {
        "model": "gpt-6-luna",
        "instructions": "rules",
        "input": "the diff",
        "text": {"format": fmt},
    }


def chat_body() -> dict[str, Any]:
    return {
        "model": "gpt-6-luna",
        "messages": [
            {"role": "system", "content": "Answer in JSON."},
            {"role": "user", "content": "the diff"},
        ],
        "response_format": {"type": "json_object"},
    }


def post(
    url: str, path: str, body: dict[str, Any], headers: dict[str, str] | None = None
) -> httpx.Response:
    return httpx.post(
        f"{url}{path}", json=body, headers=headers or {"authorization": "Bearer k"}, timeout=10
    )


def refused(response: httpx.Response, fragment: str) -> None:
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error"
    assert fragment in error["message"], error["message"]


def schema_of(path: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def find(body: dict[str, Any]) -> dict[str, Any]:
        if path == "anthropic":
            return body["tools"][0]["input_schema"]
        if path == "responses":
            return body["text"]["format"]["schema"]
        return body["response_format"]["json_schema"]["schema"]

    return find


# --- Anthropic Messages ----------------------------------------------------------------------

ANTHROPIC_CASES: list[tuple[str, Mutate, str]] = [
    ("max_tokens is required", lambda b: b.pop("max_tokens"), "max_tokens"),
    (
        "tool_choice names a defined tool",
        lambda b: b["tool_choice"].update(name="other"),
        "'other'",
    ),
    (
        "forced tool use excludes thinking",
        lambda b: b.update(thinking={"type": "adaptive"}),
        "Thinking may not be enabled",
    ),
    (
        "any-tool use excludes thinking too",
        lambda b: b.update(
            thinking={"type": "enabled", "budget_tokens": 1024}, tool_choice={"type": "any"}
        ),
        "Thinking may not be enabled",
    ),
    (
        "a thinking budget is at least 1,024",
        lambda b: b.update(
            thinking={"type": "enabled", "budget_tokens": 512}, tool_choice={"type": "auto"}
        ),
        "budget_tokens",
    ),
    (
        "a thinking budget is under max_tokens",
        lambda b: b.update(
            thinking={"type": "enabled", "budget_tokens": 4096}, tool_choice={"type": "auto"}
        ),
        "greater than thinking.budget_tokens",
    ),
    (
        "strict tools: no string length limits",
        lambda b: b["tools"][0]["input_schema"]["properties"]["findings"]["items"].update(
            maxLength=9
        ),
        "'maxLength' is not supported",
    ),
    (
        "strict tools: no numeric bounds",
        lambda b: b["tools"][0]["input_schema"]["properties"].update(
            n={"type": "integer", "minimum": 0}
        ),
        "'minimum' is not supported",
    ),
    (
        "strict tools: objects are closed",
        lambda b: b["tools"][0]["input_schema"].pop("additionalProperties"),
        "additionalProperties to false",
    ),
    (
        "strict tools: minItems 0 or 1 only",
        lambda b: b["tools"][0]["input_schema"]["properties"]["findings"].update(minItems=2),
        "minItems",
    ),
    (
        "at most 4 cache breakpoints",
        lambda b: b.update(
            system=[
                {"type": "text", "text": str(i), "cache_control": {"type": "ephemeral"}}
                for i in range(5)
            ]
        ),
        "maximum of 4 blocks",
    ),
    (
        "JSON outputs use the strict subset too",
        lambda b: b.update(
            output_config={
                "format": {"type": "json_schema", "schema": {"type": "object", "properties": {}}}
            }
        ),
        "additionalProperties",
    ),
    (
        "effort is a known level",
        lambda b: b.update(output_config={"effort": "extreme"}),
        "output_config.effort",
    ),
]


@pytest.mark.parametrize(
    ("rule", "mutate", "fragment"), ANTHROPIC_CASES, ids=[c[0] for c in ANTHROPIC_CASES]
)
def test_anthropic_refuses_what_the_messages_api_refuses(
    fake_llm: FakeLLM, fake_llm_url: str, rule: str, mutate: Mutate, fragment: str
) -> None:
    body = messages_body()
    mutate(body)
    refused(post(fake_llm_url, "/v1/messages", body, HEADERS), fragment)
    assert fake_llm.pending == 0  # nothing scripted was consumed by a refused request


def test_anthropic_needs_the_version_header(fake_llm_url: str) -> None:
    refused(
        post(fake_llm_url, "/v1/messages", messages_body(), {"x-api-key": "k"}), "anthropic-version"
    )


def test_anthropic_accepts_the_valid_forms(fake_llm_url: str) -> None:
    assert post(fake_llm_url, "/v1/messages", messages_body(), HEADERS).status_code == 200
    thinking = messages_body()
    thinking.pop("tool_choice")
    thinking.pop("tools")
    thinking.update(
        thinking={"type": "adaptive"},
        output_config={"effort": "high", "format": {"type": "json_schema", "schema": SCHEMA}},
    )
    assert post(fake_llm_url, "/v1/messages", thinking, HEADERS).status_code == 200


# --- OpenAI Responses ------------------------------------------------------------------------

STRICT_CASES: list[tuple[str, Mutate, str]] = [
    ("every property is required", lambda s: s.update(required=[]), "Missing 'findings'"),
    (
        "objects are closed",
        lambda s: s.pop("additionalProperties"),
        "'additionalProperties' is required",
    ),
    (
        "unsupported keywords",
        lambda s: s["properties"]["findings"]["items"].update(minLength=1),
        "'minLength' is not permitted",
    ),
    ("the root is an object", lambda s: s.update(type="array"), 'type: "object"'),
]


@pytest.mark.parametrize("path", ["responses", "chat"])
@pytest.mark.parametrize(
    ("rule", "mutate", "fragment"), STRICT_CASES, ids=[c[0] for c in STRICT_CASES]
)
def test_openai_strict_json_schema_rules(
    fake_llm_url: str, path: str, rule: str, mutate: Mutate, fragment: str
) -> None:
    if path == "responses":
        body = responses_body()
    else:
        body = chat_body()
        body["response_format"] = {
            "type": "json_schema",
            "json_schema": {
                "name": "submit_review",
                "schema": copy.deepcopy(SCHEMA),
                "strict": True,
            },
        }
    mutate(schema_of(path)(body))
    url_path = "/v1/responses" if path == "responses" else "/v1/chat/completions"
    refused(post(fake_llm_url, url_path, body), fragment)


RESPONSES_CASES: list[tuple[str, Mutate, str]] = [
    (
        "json_object needs 'json' in the input",
        lambda b: b["text"].update(format={"type": "json_object"}),
        "must contain the word 'json'",
    ),
    (
        "response_format moved to text.format",
        lambda b: b.update(response_format={"type": "json_object"}),
        "moved to 'text.format'",
    ),
    ("unknown parameters", lambda b: b.update(max_tokens=10), "Unknown parameter: 'max_tokens'"),
    (
        "reasoning on a model without it",
        lambda b: b.update(model="gpt-4o", reasoning={"effort": "low"}),
        "'reasoning.effort' is not supported",
    ),
    (
        "temperature with reasoning",
        lambda b: b.update(reasoning={"effort": "high"}, temperature=0),
        "'temperature' is not supported",
    ),
    ("max_output_tokens >= 16", lambda b: b.update(max_output_tokens=8), "Expected a value >= 16"),
    (
        "a format name OpenAI accepts",
        lambda b: b["text"]["format"].update(name="submit review"),
        "text.format.name",
    ),
]


@pytest.mark.parametrize(
    ("rule", "mutate", "fragment"), RESPONSES_CASES, ids=[c[0] for c in RESPONSES_CASES]
)
def test_responses_refuses_what_the_api_refuses(
    fake_llm_url: str, rule: str, mutate: Mutate, fragment: str
) -> None:
    body = responses_body()
    mutate(body)
    refused(post(fake_llm_url, "/v1/responses", body), fragment)


def test_responses_accepts_the_valid_forms(fake_llm_url: str) -> None:
    assert post(fake_llm_url, "/v1/responses", responses_body()).status_code == 200
    body = responses_body()
    body.update(
        input="the diff; answer in JSON",
        text={"format": {"type": "json_object"}},
        reasoning={"effort": "high"},
    )
    assert post(fake_llm_url, "/v1/responses", body).status_code == 200


# --- OpenAI Chat Completions (what the openai-compatible provider must satisfy) ------------------

CHAT_CASES: list[tuple[str, Mutate, str]] = [
    (
        "json_object needs 'json' in the messages",
        lambda b: b["messages"][0].update(content="Answer."),
        "must contain the word 'json'",
    ),
    (
        "json_object takes no schema key",
        lambda b: b["response_format"].update(schema=SCHEMA),
        "Unknown parameter: 'response_format.schema'",
    ),
    (
        "max_tokens on a reasoning model",
        lambda b: b.update(max_tokens=100),
        "'max_completion_tokens' instead",
    ),
    (
        "reasoning_effort on a model without it",
        lambda b: b.update(model="gpt-4o", reasoning_effort="low"),
        "'reasoning_effort' is not supported",
    ),
    (
        "unknown parameters",
        lambda b: b.update(thinking={"type": "enabled"}),
        "Unknown parameter: 'thinking'",
    ),
]


@pytest.mark.parametrize(("rule", "mutate", "fragment"), CHAT_CASES, ids=[c[0] for c in CHAT_CASES])
def test_chat_refuses_what_the_api_refuses(
    fake_llm_url: str, rule: str, mutate: Mutate, fragment: str
) -> None:
    body = chat_body()
    mutate(body)
    refused(post(fake_llm_url, "/v1/chat/completions", body), fragment)


def test_chat_accepts_json_mode_named_in_the_messages(fake_llm_url: str) -> None:
    assert post(fake_llm_url, "/v1/chat/completions", chat_body()).status_code == 200


# --- the answer schema itself --------------------------------------------------------------


def test_the_review_answer_schema_is_strict_on_both_vendors() -> None:
    assert anthropic_schema_problems(ANSWER_SCHEMA) == []
    assert openai_schema_problems(ANSWER_SCHEMA) == []
