"""The fake's Anthropic Messages routes: POST /v1/messages and /v1/messages/count_tokens."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from tests.fakes.llm_cache import estimate_tokens
from tests.fakes.llm_rules import anthropic_refusal
from tests.fakes.llm_state import (
    Answer,
    AnswerReply,
    ErrorReply,
    FakeLLM,
    RefusalReply,
    canonical_json,
    error_headers,
    output_text,
    reasoning_tokens,
    refused,
    resolve,
)

DEFAULT_EFFORT = "high"  # the API's default when thinking is on and no effort is given


def segments(body: Mapping[str, Any]) -> list[tuple[str, bool]]:
    """(text, ends a cacheable prefix) in cache order: tools, system blocks, message blocks;
    a top-level cache_control marks the last block."""
    found: list[tuple[str, bool]] = []
    for tool in body.get("tools") or []:
        found.append((canonical_json(tool), bool(tool.get("cache_control"))))
    system = body.get("system") or []
    if isinstance(system, str):
        system = [{"type": "text", "text": system}]
    for block in system:
        found.append((block.get("text", ""), bool(block.get("cache_control"))))
    for message in body.get("messages") or []:
        content = message.get("content", "")
        if isinstance(content, str):
            found.append((content, False))
            continue
        for block in content:
            text = block.get("text") if block.get("type") == "text" else canonical_json(block)
            found.append((text, bool(block.get("cache_control"))))
    if body.get("cache_control") and found:
        found[-1] = (found[-1][0], True)
    return found


def _authorized(fake: FakeLLM, request: Request) -> bool:
    # anthropic-python 2.x sends the key as "Authorization: Bearer"; older clients and curl
    # examples use x-api-key. The API takes either.
    if fake.api_key is None:
        return True
    headers = request.headers
    return fake.api_key == headers.get("x-api-key") or (
        headers.get("authorization") == f"Bearer {fake.api_key}"
    )


def _error(fake: FakeLLM, reply: ErrorReply) -> JSONResponse:
    request_id = fake.request_id()
    error: dict[str, Any] = {"type": reply.error_type, "message": reply.message}
    if reply.code is not None:
        error["details"] = {"error_code": reply.code}
    return JSONResponse(
        {"type": "error", "error": error, "request_id": request_id},
        status_code=reply.status,
        headers=error_headers(reply, "request-id", request_id),
    )


def _thinking_tokens(body: Mapping[str, Any]) -> int:
    thinking = body.get("thinking") or {}
    if thinking.get("type") == "enabled":
        return min(int(thinking["budget_tokens"]), reasoning_tokens(DEFAULT_EFFORT))
    if thinking.get("type") == "adaptive":
        return reasoning_tokens((body.get("output_config") or {}).get("effort") or DEFAULT_EFFORT)
    return 0


def _content(body: Mapping[str, Any], reply: Answer, thinking: int) -> tuple[list[Any], str]:
    blocks: list[dict[str, Any]] = []
    if thinking:
        blocks.append(
            {"type": "thinking", "thinking": "(the fake's thinking)", "signature": "c2ln"}
        )
    choice = body.get("tool_choice") or {}
    if isinstance(reply, AnswerReply) and choice.get("type") == "tool":
        call = {"type": "tool_use", "id": "toolu_fake", "name": choice["name"]}
        return [*blocks, {**call, "input": dict(reply.answer)}], "tool_use"
    # With output_config.format the answer is the text block's JSON.
    stop = "refusal" if isinstance(reply, RefusalReply) else "end_turn"
    return [*blocks, {"type": "text", "text": output_text(reply)}], stop


async def messages(fake: FakeLLM, request: Request) -> JSONResponse:
    body = await request.json()
    fake.record("anthropic", request.url.path, request.headers, body)
    if not _authorized(fake, request):
        return _error(fake, ErrorReply(401, "authentication_error", "invalid x-api-key"))
    if (refusal := anthropic_refusal(request.headers, body)) is not None:
        return _error(fake, refused(refusal))
    reply = await resolve(fake, "anthropic", body)
    if isinstance(reply, ErrorReply):
        return _error(fake, reply)
    thinking = _thinking_tokens(body)
    content, stop_reason = _content(body, reply, thinking)
    cache = fake.cache.anthropic(body.get("model", ""), segments(body), fake.min_cache_tokens)
    request_id = fake.request_id()
    message = {
        "id": f"msg_{request_id}",
        "type": "message",
        "role": "assistant",
        "model": body.get("model"),
        "content": content,
        "stop_reason": stop_reason,
        "stop_sequence": None,
        "usage": {
            "input_tokens": cache.uncached,
            "output_tokens": thinking + estimate_tokens(output_text(reply)),
            "output_tokens_details": {"thinking_tokens": thinking},
            "cache_creation_input_tokens": cache.written,
            "cache_read_input_tokens": cache.read,
        },
    }
    return JSONResponse(message, headers={"request-id": request_id})


async def count_tokens(fake: FakeLLM, request: Request) -> JSONResponse:
    body = await request.json()
    fake.record("anthropic", request.url.path, request.headers, body)
    return JSONResponse({"input_tokens": sum(estimate_tokens(t) for t, _ in segments(body))})
