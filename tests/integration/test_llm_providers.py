"""The three providers, built by the factory, through the real SDKs against the fake LLM server."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import anthropic
import openai
import pytest

from reviewers.findings import ANSWER_SCHEMA
from reviewers.llm.anthropic import THINKING_ROOM, AnthropicLLM
from reviewers.llm.base import (
    LLM,
    CompletionRequest,
    LLMNotConfigured,
    LLMRejected,
    LLMUnavailable,
)
from reviewers.llm.chain import Closable, FallbackLLM, LLMAccountRejected
from reviewers.llm.compatible import OpenAICompatibleLLM, json_instruction
from reviewers.llm.openai import prompt_cache_key
from reviewers.llm.spec import ModelSpec, Provider, build_llm, build_role
from reviewers.models import TokenUsage
from tests.fakes.llm_server import (
    REASONING_TOKENS,
    AnswerReply,
    Api,
    DelayReply,
    ErrorReply,
    FakeLLM,
    RefusalReply,
    TextReply,
    canonical_json,
    estimate_tokens,
    overloaded,
    rate_limited,
    server_error,
    spend_limit,
)

SYSTEM = "You review diffs for defects. " * 20  # 600 chars -> 150 tokens
PROMPT = "<diff>\n+x = 1\n</diff>" + "." * 79  # 100 chars -> 25 tokens
REQUEST = CompletionRequest(system=SYSTEM, prompt=PROMPT, schema=ANSWER_SCHEMA)
BIG_SYSTEM = "You review diffs for defects. " * 150  # 4,500 chars -> 1,125 tokens
BIG = replace(REQUEST, system=BIG_SYSTEM)
FINDING = {
    "path": "app.py",
    "side": "RIGHT",
    "start_line": 3,
    "end_line": 3,
    "category": "defect",
    "severity": "high",
    "confidence": 0.9,
    "title": "Off by one",
    "body": "The loop skips the last element.",
    "suggestion": None,
}
ANSWER = {"findings": [FINDING]}
ANSWER_TOKENS = estimate_tokens(json.dumps(ANSWER))
ANSWER_TOKENS_EMPTY = estimate_tokens(json.dumps({"findings": []}))
KEY = "test-key"
MODELS: dict[Provider, str] = {
    "anthropic": "claude-haiku-5-5",
    "openai": "gpt-6-luna",
    "openai-compatible": "smollm2",
}
APIS: dict[Provider, Api] = {
    "anthropic": "anthropic",
    "openai": "responses",
    "openai-compatible": "chat",
}
PROVIDERS: list[Provider] = ["anthropic", "openai", "openai-compatible"]


def env_for(url: str, key: str = KEY) -> dict[str, str]:
    return {
        "ANTHROPIC_API_KEY": key,
        "OPENAI_API_KEY": key,
        "ANTHROPIC_BASE_URL": url,  # no /v1 for Anthropic
        "OPENAI_BASE_URL": f"{url}/v1",
    }


def spec_for(provider: Provider, url: str, **overrides: Any) -> ModelSpec:
    fields: dict[str, Any] = {
        "provider": provider,
        "model": MODELS[provider],
        "max_retries": 2,
        "timeout_s": 5.0,
    }
    if provider == "openai-compatible":
        fields |= {"base_url": f"{url}/v1", "api_key_env": "OPENAI_API_KEY"}
    return ModelSpec(**(fields | overrides))


class Builder:
    """build_llm against the fake; closes every client it built when the test ends."""

    def __init__(self, url: str) -> None:
        self._url = url
        self._built: list[LLM] = []

    def __call__(self, provider: Provider, key: str = KEY, **overrides: Any) -> LLM:
        llm = build_llm(spec_for(provider, self._url, **overrides), env_for(self._url, key))
        self._built.append(llm)
        return llm

    async def aclose(self) -> None:
        for llm in self._built:
            assert isinstance(llm, Closable)
            await llm.aclose()


@pytest.fixture
async def build(fake_llm_url: str) -> AsyncIterator[Builder]:
    builder = Builder(fake_llm_url)
    yield builder
    await builder.aclose()


def system_prefix_tokens(body: Any, system: str = SYSTEM) -> int:
    """Anthropic's first cacheable prefix: the tool definition, then the system block."""
    return estimate_tokens(canonical_json(body["tools"][0])) + estimate_tokens(system)


# --- the happy path, wire format and token accounting -----------------------------------------


async def test_anthropic_sends_strict_tool_and_cached_system_block(
    fake_llm: FakeLLM, build: Builder
) -> None:
    fake_llm.api_key = KEY
    fake_llm.enqueue(AnswerReply(ANSWER))
    completion = await build("anthropic").complete(REQUEST)

    assert json.loads(completion.text) == ANSWER
    assert completion.model == "claude-haiku-5-5"
    (sent,) = fake_llm.requests
    assert sent.path == "/v1/messages"
    assert sent.headers["authorization"] == f"Bearer {KEY}"  # anthropic-python 2.x: not x-api-key
    assert sent.body["system"] == [
        {"type": "text", "text": SYSTEM, "cache_control": {"type": "ephemeral"}}
    ]
    assert sent.body["tools"] == [
        {
            "name": "submit_review",
            "description": sent.body["tools"][0]["description"],
            "input_schema": ANSWER_SCHEMA,
            "strict": True,
        }
    ]
    assert sent.body["tool_choice"] == {
        "type": "tool",
        "name": "submit_review",
        "disable_parallel_tool_use": True,
    }
    assert sent.body["messages"] == [{"role": "user", "content": PROMPT}]
    assert sent.body["max_tokens"] == 2048
    assert "thinking" not in sent.body and "output_config" not in sent.body
    # 150 + the tool's tokens: far below claude-haiku's 4,096-token minimum, so nothing is
    # cached, and usage says so
    prefix = system_prefix_tokens(sent.body)
    assert completion.tokens == TokenUsage(input_tokens=prefix + 25, output_tokens=ANSWER_TOKENS)


async def test_anthropic_second_call_with_same_prefix_reads_the_cache(
    fake_llm: FakeLLM, build: Builder
) -> None:
    llm = build("anthropic", model="claude-sonnet-5-5")  # a 1,024-token minimum
    first = await llm.complete(BIG)
    other_diff = replace(BIG, prompt="<diff>+y</diff>")
    second = await llm.complete(other_diff)

    prefix = system_prefix_tokens(fake_llm.requests[0].body, BIG_SYSTEM)
    assert prefix >= 1024
    assert first.tokens == TokenUsage(25, ANSWER_TOKENS_EMPTY, cache_write_tokens=prefix)
    assert second.tokens == TokenUsage(
        input_tokens=4,  # "<diff>+y</diff>": 15 chars
        output_tokens=ANSWER_TOKENS_EMPTY,
        cache_read_tokens=prefix,
    )


async def test_anthropic_shared_text_is_a_second_cache_breakpoint(
    fake_llm: FakeLLM, build: Builder
) -> None:
    llm = build("anthropic", model="claude-sonnet-5-5")
    pr_text = "Title: fix the loop\n\n" + "The loop skipped its last element. " * 40
    shared = replace(BIG, shared=pr_text)
    first = await llm.complete(shared)
    second = await llm.complete(replace(shared, prompt="<diff>+y</diff>"))
    third = await llm.complete(
        replace(shared, shared="Title: another PR", prompt="<diff>+z</diff>")
    )

    sent = fake_llm.requests[0].body
    assert sent["messages"] == [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": pr_text, "cache_control": {"type": "ephemeral"}},
                {"type": "text", "text": PROMPT},
            ],
        }
    ]
    system = system_prefix_tokens(sent, BIG_SYSTEM)
    text = estimate_tokens(pr_text)
    assert (first.tokens.cache_write_tokens, first.tokens.cache_read_tokens) == (system + text, 0)
    assert (second.tokens.cache_write_tokens, second.tokens.cache_read_tokens) == (0, system + text)
    # another PR: the system prefix is read, its own text written
    other = estimate_tokens("Title: another PR")
    assert (third.tokens.cache_read_tokens, third.tokens.cache_write_tokens) == (system, other)


async def test_anthropic_reasoning_thinks_then_answers_in_a_json_output(
    fake_llm: FakeLLM, build: Builder
) -> None:
    # forced tool use is refused with thinking (the fake enforces it): a JSON output instead
    fake_llm.enqueue(AnswerReply(ANSWER))
    completion = await build("anthropic").complete(replace(REQUEST, reasoning="high"))

    assert json.loads(completion.text) == ANSWER
    (sent,) = fake_llm.requests
    assert "tools" not in sent.body and "tool_choice" not in sent.body
    assert sent.body["thinking"] == {"type": "adaptive"}
    assert sent.body["output_config"] == {
        "effort": "high",
        "format": {"type": "json_schema", "schema": ANSWER_SCHEMA},
    }
    assert sent.body["max_tokens"] == 2048 + THINKING_ROOM["high"]
    thinking = REASONING_TOKENS["high"]
    assert completion.tokens.reasoning_tokens == thinking
    assert completion.tokens.output_tokens == thinking + ANSWER_TOKENS


async def test_openai_responses_sends_instructions_strict_format_and_cache_key(
    fake_llm: FakeLLM, build: Builder
) -> None:
    fake_llm.api_key = KEY
    fake_llm.enqueue(AnswerReply(ANSWER), AnswerReply(ANSWER))
    llm = build("openai")
    first = await llm.complete(REQUEST)
    second = await llm.complete(REQUEST)

    assert json.loads(first.text) == ANSWER
    assert first.model == "gpt-6-luna"
    sent = fake_llm.requests[0]
    assert sent.path == "/v1/responses"
    assert sent.headers["authorization"] == f"Bearer {KEY}"
    assert sent.body["instructions"] == SYSTEM
    assert sent.body["input"] == PROMPT
    assert sent.body["text"] == {
        "format": {
            "type": "json_schema",
            "name": "submit_review",
            "schema": ANSWER_SCHEMA,
            "strict": True,
        }
    }
    assert sent.body["max_output_tokens"] == 2048
    assert sent.body["store"] is False
    assert sent.body["prompt_cache_key"] == prompt_cache_key(REQUEST)
    assert fake_llm.requests[1].body["prompt_cache_key"] == sent.body["prompt_cache_key"]
    assert "reasoning" not in sent.body
    # under OpenAI's 1,024-token minimum: nothing cached
    total = 150 + 25 + estimate_tokens(canonical_json(sent.body["text"]["format"]))
    assert first.tokens == second.tokens == TokenUsage(total, ANSWER_TOKENS)


async def test_openai_caches_prefixes_from_1024_tokens_in_128_token_steps(
    fake_llm: FakeLLM, build: Builder
) -> None:
    llm = build("openai")
    first = await llm.complete(BIG)
    second = await llm.complete(replace(BIG, prompt="<diff>+y</diff>"))

    fmt = estimate_tokens(canonical_json(fake_llm.requests[0].body["text"]["format"]))
    total = estimate_tokens(BIG_SYSTEM) + fmt + 25
    assert total >= 1024
    # gpt-6 reports (and bills) cache writes: the cacheable part, in whole 128-token steps
    written = total // 128 * 128
    assert first.tokens == TokenUsage(total - written, ANSWER_TOKENS_EMPTY, 0, written)
    # the second call shares everything up to the diff: that prefix, in 128-token steps
    shared_prefix = estimate_tokens(BIG_SYSTEM) + fmt
    read = shared_prefix // 128 * 128
    second_total = shared_prefix + 4
    assert second.tokens.cache_read_tokens == read
    assert second.tokens.input_tokens + second.tokens.cache_write_tokens == second_total - read


async def test_openai_reasoning_sets_the_effort_and_reports_its_tokens(
    fake_llm: FakeLLM, build: Builder
) -> None:
    fake_llm.enqueue(AnswerReply(ANSWER))
    completion = await build("openai").complete(replace(REQUEST, reasoning="low", shared="PR"))
    (sent,) = fake_llm.requests
    assert sent.body["reasoning"] == {"effort": "low"}
    assert sent.body["input"] == f"PR\n\n{PROMPT}"
    assert completion.tokens.reasoning_tokens == REASONING_TOKENS["low"]
    assert completion.tokens.output_tokens == REASONING_TOKENS["low"] + ANSWER_TOKENS
    assert json.loads(completion.text) == ANSWER


async def test_compatible_json_mode_names_json_and_carries_the_schema_in_the_prompt(
    fake_llm: FakeLLM, build: Builder
) -> None:
    # OpenAI and Azure refuse json_object unless a message says "json", and refuse unknown
    # keys such as llama.cpp's `schema`: the fake enforces both (test_llm_request_rules.py).
    fake_llm.enqueue(AnswerReply(ANSWER), AnswerReply(ANSWER))
    llm = build("openai-compatible")
    first = await llm.complete(REQUEST)
    second = await llm.complete(REQUEST)

    assert json.loads(first.text) == ANSWER
    sent = fake_llm.requests[0]
    assert sent.path == "/v1/chat/completions"
    system = f"{SYSTEM}\n\n{json_instruction(REQUEST)}"
    assert sent.body["messages"] == [
        {"role": "system", "content": system},
        {"role": "user", "content": PROMPT},
    ]
    assert "JSON" in system and all(name in system for name in FINDING)
    assert sent.body["response_format"] == {"type": "json_object"}
    assert (sent.body["max_tokens"], sent.body["temperature"]) == (2048, 0)
    total = estimate_tokens(system) + 25 + estimate_tokens('{"type":"json_object"}')
    assert first.tokens == second.tokens == TokenUsage(total, ANSWER_TOKENS)


async def test_compatible_reasoning_is_a_field_before_the_findings(
    fake_llm: FakeLLM, build: Builder
) -> None:
    thought = "The loop stops one short of the end. " * 4
    fake_llm.enqueue(AnswerReply({"reasoning": thought, **ANSWER}))
    completion = await build("openai-compatible").complete(replace(REQUEST, reasoning="medium"))

    (sent,) = fake_llm.requests
    system = sent.body["messages"][0]["content"]
    schema = json.loads(system.split("JSON schema (submit_review):\n", 1)[1])
    assert list(schema["properties"])[0] == "reasoning" and schema["required"][0] == "reasoning"
    assert json.loads(completion.text) == ANSWER  # the reasoning is taken out
    answered = json.dumps({"reasoning": thought, **ANSWER})
    output = estimate_tokens(answered)
    assert completion.tokens.output_tokens == output
    assert completion.tokens.reasoning_tokens == round(output * len(thought) / len(answered))


async def test_compatible_json_schema_mode_sends_strict_schema(
    fake_llm: FakeLLM, build: Builder
) -> None:
    llm = build("openai-compatible", json_mode="json_schema")
    await llm.complete(REQUEST)
    await llm.complete(REQUEST)

    formats = [r.body["response_format"] for r in fake_llm.requests]
    expected = {
        "type": "json_schema",
        "json_schema": {"name": "submit_review", "schema": ANSWER_SCHEMA, "strict": True},
    }
    assert formats == [expected, expected]


async def test_compatible_falls_back_to_json_object_when_json_schema_is_a_500(
    fake_llm: FakeLLM, build: Builder
) -> None:
    fake_llm.reject_json_schema = True  # like llama.cpp's server
    fake_llm.enqueue(AnswerReply(ANSWER), AnswerReply(ANSWER))
    llm = build("openai-compatible", json_mode="json_schema")
    assert isinstance(llm, OpenAICompatibleLLM)
    first = await llm.complete(REQUEST)
    await llm.complete(REQUEST)

    assert json.loads(first.text) == ANSWER
    assert llm.json_mode == "json_object"
    # the probe is not retried (max_retries=2 would otherwise send it 3 times)
    types = [r.body["response_format"]["type"] for r in fake_llm.requests]
    assert types == ["json_schema", "json_object", "json_object"]


async def test_each_model_has_its_own_minimum_cacheable_prefix(
    fake_llm: FakeLLM, build: Builder
) -> None:
    # ~1,300 tokens: enough for claude-sonnet (1,024), not for claude-haiku (4,096)
    haiku, sonnet = build("anthropic"), build("anthropic", model="claude-sonnet-5-5")
    for llm in (haiku, sonnet):
        await llm.complete(BIG)
    second_haiku, second_sonnet = await haiku.complete(BIG), await sonnet.complete(BIG)
    total = system_prefix_tokens(fake_llm.requests[0].body, BIG_SYSTEM) + 25
    assert second_haiku.tokens == TokenUsage(total, ANSWER_TOKENS_EMPTY)
    assert second_sonnet.tokens.cache_read_tokens == total - 25


async def test_responder_answers_when_nothing_is_scripted(
    fake_llm: FakeLLM, build: Builder
) -> None:
    seen: list[Api] = []

    def responder(api: Api, body: Any) -> AnswerReply:
        seen.append(api)
        return AnswerReply(ANSWER)

    fake_llm.responder = responder
    fake_llm.enqueue(TextReply("scripted first"), api="chat")
    chat = build("openai-compatible")
    assert (await chat.complete(REQUEST)).text == "scripted first"
    assert json.loads((await chat.complete(REQUEST)).text) == ANSWER
    assert json.loads((await build("anthropic").complete(REQUEST)).text) == ANSWER
    assert seen == ["chat", "anthropic"]


async def test_count_token_endpoints_answer_the_sdks(fake_llm: FakeLLM, fake_llm_url: str) -> None:
    async with anthropic.AsyncAnthropic(api_key=KEY, base_url=fake_llm_url) as client:
        counted = await client.messages.count_tokens(
            model="claude-haiku-5-5", system=SYSTEM, messages=[{"role": "user", "content": PROMPT}]
        )
    async with openai.AsyncOpenAI(api_key=KEY, base_url=f"{fake_llm_url}/v1") as oai:
        counted_oai = await oai.responses.input_tokens.count(
            model="gpt-6-luna", instructions=SYSTEM, input=PROMPT
        )
    assert (counted.input_tokens, counted_oai.input_tokens) == (175, 175)


# --- answers that are not answers ---------------------------------------------------------------


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (RefusalReply(), {"anthropic": "", "openai": "", "openai-compatible": ""}),
        # Anthropic: a text block instead of the forced tool call is no answer at all
        (
            TextReply("not json"),
            {"anthropic": "", "openai": "not json", "openai-compatible": "not json"},
        ),
    ],
    ids=["refusal", "plain-text"],
)
async def test_non_answers_come_back_as_text_not_exceptions(
    fake_llm: FakeLLM,
    build: Builder,
    provider: Provider,
    reply: RefusalReply | TextReply,
    expected: dict[Provider, str],
) -> None:
    fake_llm.enqueue(reply)
    completion = await build(provider).complete(REQUEST)
    assert completion.text == expected[provider]
    assert completion.tokens.output_tokens == estimate_tokens(reply.text)


# --- retries and error mapping ------------------------------------------------------------------


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize(
    "first", [rate_limited(), overloaded(), server_error()], ids=["429", "529", "500"]
)
async def test_transient_error_then_success_is_retried_by_the_sdk(
    fake_llm: FakeLLM, build: Builder, provider: Provider, first: ErrorReply
) -> None:
    fake_llm.enqueue(first, AnswerReply(ANSWER))
    completion = await build(provider).complete(REQUEST)
    assert json.loads(completion.text) == ANSWER
    retry_counts = [r.headers["x-stainless-retry-count"] for r in fake_llm.requests]
    assert retry_counts == ["0", "1"]


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_repeated_500s_are_unavailable_after_max_retries(
    fake_llm: FakeLLM, build: Builder, provider: Provider
) -> None:
    fake_llm.enqueue(*[server_error()] * 4)
    with pytest.raises(LLMUnavailable) as caught:
        await build(provider, max_retries=2).complete(REQUEST)
    assert len(fake_llm.requests) == 3
    assert fake_llm.pending == 1
    message = str(caught.value)
    assert provider in message and MODELS[provider] in message and "HTTP 500" in message
    assert "req_fake_0003" in message  # the request id of the last attempt


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_bad_key_is_an_account_rejection_without_retry(
    fake_llm: FakeLLM, build: Builder, provider: Provider
) -> None:
    fake_llm.api_key = "the-right-key"
    with pytest.raises(LLMAccountRejected, match="HTTP 401"):
        await build(provider, key="a-wrong-key").complete(REQUEST)
    assert len(fake_llm.requests) == 1


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_bad_request_is_rejected_and_not_an_account_problem(
    fake_llm: FakeLLM, build: Builder, provider: Provider
) -> None:
    fake_llm.enqueue(ErrorReply(400, "invalid_request_error", "prompt is too long"))
    with pytest.raises(LLMRejected, match="prompt is too long") as caught:
        await build(provider).complete(REQUEST)
    assert not isinstance(caught.value, LLMAccountRejected)
    assert len(fake_llm.requests) == 1


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_timeout_is_unavailable(
    fake_llm: FakeLLM, build: Builder, provider: Provider
) -> None:
    fake_llm.enqueue(DelayReply(0.5), DelayReply(0.5))
    llm = build(provider, timeout_s=0.2, max_retries=1)
    with pytest.raises(LLMUnavailable, match="timed out"):
        await llm.complete(REQUEST)
    assert len(fake_llm.requests) == 2


async def test_anthropic_spend_limit_is_rejected_at_the_first_answer(
    fake_llm: FakeLLM, build: Builder
) -> None:
    fake_llm.enqueue(spend_limit(), spend_limit(), spend_limit())
    with pytest.raises(LLMAccountRejected, match="enforced_spend_limit_reached"):
        await build("anthropic", max_retries=2).complete(REQUEST)
    assert len(fake_llm.requests) == 1  # build_llm's SpendLimitGuard stops the SDK's retries


async def test_anthropic_sdk_alone_retries_a_spend_limit_429(
    fake_llm: FakeLLM, fake_llm_url: str
) -> None:
    # Why SpendLimitGuard exists: the SDK retries every 429. (retry-after only keeps this fast;
    # the real spend-limit answer has none, so each retry also waits 0.5 s, 1 s, ...)
    fake_llm.enqueue(
        *[
            ErrorReply(
                429, "rate_limit_error", code="enforced_spend_limit_reached", retry_after="0.01"
            )
        ]
        * 3
    )
    async with anthropic.AsyncAnthropic(
        api_key=KEY, base_url=fake_llm_url, max_retries=2
    ) as client:
        with pytest.raises(LLMAccountRejected, match="enforced_spend_limit_reached"):
            await AnthropicLLM(client, "claude-haiku-5-5").complete(REQUEST)
    assert len(fake_llm.requests) == 3


async def test_openai_quota_429_is_retried_by_the_sdk_then_rejected(
    fake_llm: FakeLLM, build: Builder
) -> None:
    quota = ErrorReply(429, "insufficient_quota", code="insufficient_quota", retry_after="0.01")
    fake_llm.enqueue(quota, quota, quota)
    with pytest.raises(LLMAccountRejected, match="insufficient_quota"):
        await build("openai", max_retries=2).complete(REQUEST)
    assert len(fake_llm.requests) == 3  # the openai SDK has no hook to stop these retries


# --- the fallback chain and the factory ---------------------------------------------------------


async def test_fallback_moves_to_the_next_provider_when_the_first_is_unavailable(
    fake_llm: FakeLLM, build: Builder
) -> None:
    fake_llm.enqueue(ErrorReply(503, "overloaded_error"), api="anthropic")
    fake_llm.enqueue(AnswerReply(ANSWER), api="responses")
    chain = FallbackLLM([build("anthropic", max_retries=0), build("openai")])
    completion = await chain.complete(REQUEST)

    assert chain.model_id == "claude-haiku-5-5"
    assert completion.model == "gpt-6-luna"
    assert json.loads(completion.text) == ANSWER
    assert [r.api for r in fake_llm.requests] == ["anthropic", "responses"]


async def test_fallback_moves_on_after_an_account_rejection(
    fake_llm: FakeLLM, build: Builder
) -> None:
    fake_llm.enqueue(ErrorReply(403, "permission_error"), api="anthropic")
    chain = FallbackLLM([build("anthropic"), build("openai")])
    assert (await chain.complete(REQUEST)).model == "gpt-6-luna"


async def test_fallback_moves_on_after_a_bad_request_and_says_why(
    fake_llm: FakeLLM, build: Builder
) -> None:
    # what one vendor refuses another may accept: a 400 is worth the next model too
    fake_llm.enqueue(ErrorReply(400, "invalid_request_error", "bad schema"), api="anthropic")
    fake_llm.enqueue(AnswerReply(ANSWER), api="responses")
    chain = FallbackLLM([build("anthropic"), build("openai")])
    completion = await chain.complete(REQUEST)
    assert completion.model == "gpt-6-luna" and json.loads(completion.text) == ANSWER
    assert [r.api for r in fake_llm.requests] == ["anthropic", "responses"]
    (note,) = completion.notes
    assert note.startswith("claude-haiku-5-5 failed (LLMRejected: anthropic model claude-haiku-5-5")
    assert "HTTP 400 invalid_request_error: bad schema" in note
    assert note.endswith("gpt-6-luna answered instead") and "request id" not in note


async def test_fallback_raises_the_last_error_when_all_fail(
    fake_llm: FakeLLM, build: Builder
) -> None:
    fake_llm.enqueue(ErrorReply(503, "overloaded_error"), api="anthropic")
    fake_llm.enqueue(ErrorReply(502, "server_error", "bad gateway"), api="responses")
    chain = FallbackLLM([build("anthropic", max_retries=0), build("openai", max_retries=0)])
    with pytest.raises(LLMUnavailable, match="every model of the chain failed") as raised:
        await chain.complete(REQUEST)
    assert "claude-haiku-5-5: anthropic model claude-haiku-5-5: HTTP 503" in str(raised.value)
    assert "gpt-6-luna: openai model gpt-6-luna: HTTP 502" in str(raised.value)


def test_build_role_skips_models_without_keys_and_says_why() -> None:
    specs = [
        ModelSpec(provider="anthropic", model="claude-sonnet-5-5"),
        ModelSpec(provider="openai", model="gpt-6.1-sol"),
    ]
    role = build_role(specs, {"OPENAI_API_KEY": "k"}, role="frontier")
    assert role.models == ("gpt-6.1-sol",)
    assert role.skipped == (
        "anthropic:claude-sonnet-5-5: environment variable ANTHROPIC_API_KEY is not set",
    )


@pytest.mark.parametrize(
    ("specs", "reason"),
    [
        ([], "frontier role not configured: no models listed"),
        (
            [ModelSpec(provider="anthropic", model="m", api_key_env="MY_KEY")],
            "frontier role not configured: anthropic:m: environment variable MY_KEY is not set",
        ),
        (
            [ModelSpec(provider="openai-compatible", model="local")],
            "frontier role not configured: openai-compatible:local: an openai-compatible model "
            "needs a base_url",
        ),
    ],
)
def test_build_role_with_nothing_buildable_is_not_configured(
    specs: list[ModelSpec], reason: str
) -> None:
    with pytest.raises(LLMNotConfigured) as caught:
        build_role(specs, {}, role="frontier")
    assert str(caught.value) == reason


def test_compatible_server_without_key_needs_no_env() -> None:
    spec = ModelSpec(
        provider="openai-compatible", model="smollm2", base_url="http://127.0.0.1:9/v1"
    )
    assert build_llm(spec, {}).model_id == "smollm2"


def test_model_spec_rejects_unknown_fields() -> None:
    with pytest.raises(ValueError, match="extra"):
        ModelSpec.model_validate({"provider": "openai", "model": "m", "temperature": 0.2})
