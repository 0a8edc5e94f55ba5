"""The fake's OpenAI routes: Responses (and its input-token count) and Chat Completions."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from tests.fakes.llm_cache import CacheUse, estimate_tokens
from tests.fakes.llm_openai_rules import chat_refusal, responses_refusal
from tests.fakes.llm_state import (
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


def _error(fake: FakeLLM, reply: ErrorReply, param: str | None = None) -> JSONResponse:
    request_id = fake.request_id()
    error = {"message": reply.message, "type": reply.error_type, "param": param, "code": reply.code}
    return JSONResponse(
        {"error": error},
        status_code=reply.status,
        headers=error_headers(reply, "x-request-id", request_id),
    )


def _denied(fake: FakeLLM, request: Request) -> JSONResponse | None:
    if fake.api_key is None or request.headers.get("authorization") == f"Bearer {fake.api_key}":
        return None
    reply = ErrorReply(401, "invalid_request_error", "Incorrect API key", code="invalid_api_key")
    return _error(fake, reply)


def responses_segments(body: Mapping[str, Any]) -> list[str]:
    """The prompt in order: instructions, the response format, the input."""
    found = [body.get("instructions") or ""]
    text_config = body.get("text") or {}
    if "format" in text_config:
        found.append(canonical_json(text_config["format"]))
    items = body.get("input") or ""
    found += [items] if isinstance(items, str) else [canonical_json(item) for item in items]
    return [s for s in found if s]


def _input_usage(cache: CacheUse) -> dict[str, Any]:
    # OpenAI counts cached (and written) tokens inside input_tokens.
    return {
        "input_tokens": cache.total,
        "input_tokens_details": {"cached_tokens": cache.read, "cache_write_tokens": cache.written},
    }


async def responses_create(fake: FakeLLM, request: Request) -> JSONResponse:
    body = await request.json()
    fake.record("responses", request.url.path, request.headers, body)
    if (denied := _denied(fake, request)) is not None:
        return denied
    if (refusal := responses_refusal(body)) is not None:
        return _error(fake, refused(refusal), refusal.param)
    reply = await resolve(fake, "responses", body)
    if isinstance(reply, ErrorReply):
        return _error(fake, reply)
    text = output_text(reply)
    part = (
        {"type": "refusal", "refusal": text}
        if isinstance(reply, RefusalReply)
        else {"type": "output_text", "text": text, "annotations": []}
    )
    request_id = fake.request_id()
    reasoning = reasoning_tokens((body.get("reasoning") or {}).get("effort"))
    output: list[dict[str, Any]] = []
    if reasoning:
        output.append({"type": "reasoning", "id": f"rs_{request_id}", "summary": []})
    message = {"type": "message", "id": f"msg_{request_id}", "status": "completed"}
    output.append({**message, "role": "assistant", "content": [part]})
    cache = fake.cache.openai(
        "responses", body.get("model", ""), responses_segments(body), fake.min_cache_tokens
    )
    out = reasoning + estimate_tokens(text)
    response = {
        "id": f"resp_{request_id}",
        "object": "response",
        "created_at": int(time.time()),
        "status": "completed",
        "model": body.get("model"),
        "instructions": body.get("instructions"),
        "output": output,
        "parallel_tool_calls": True,
        "tool_choice": "auto",
        "tools": [],
        "usage": {
            **_input_usage(cache),
            "output_tokens": out,
            "output_tokens_details": {"reasoning_tokens": reasoning},
            "total_tokens": cache.total + out,
        },
    }
    return JSONResponse(response, headers={"x-request-id": request_id})


async def responses_count(fake: FakeLLM, request: Request) -> JSONResponse:
    body = await request.json()
    fake.record("responses", request.url.path, request.headers, body)
    if (denied := _denied(fake, request)) is not None:
        return denied
    count = sum(estimate_tokens(s) for s in responses_segments(body))
    return JSONResponse({"object": "response.input_tokens", "input_tokens": count})


def chat_segments(body: Mapping[str, Any]) -> list[str]:
    """The prompt in order: the messages, then the response format."""
    found: list[str] = []
    for message in body.get("messages") or []:
        content = message.get("content") or ""
        found.append(content if isinstance(content, str) else canonical_json(content))
    if body.get("response_format"):
        found.append(canonical_json(body["response_format"]))
    return found


async def chat_create(fake: FakeLLM, request: Request) -> JSONResponse:
    body = await request.json()
    fake.record("chat", request.url.path, request.headers, body)
    if (denied := _denied(fake, request)) is not None:
        return denied
    if (refusal := chat_refusal(body)) is not None:
        return _error(fake, refused(refusal), refusal.param)
    if fake.reject_json_schema and (body.get("response_format") or {}).get("type") == "json_schema":
        # llama-cpp-python's server: the json_schema form is a 500
        return _error(fake, ErrorReply(500, "server_error", "json_schema not supported"))
    reply = await resolve(fake, "chat", body)
    if isinstance(reply, ErrorReply):
        return _error(fake, reply)
    text = output_text(reply)
    refusal_text = isinstance(reply, RefusalReply)
    cache = fake.cache.openai(
        "chat", body.get("model", ""), chat_segments(body), fake.min_cache_tokens
    )
    reasoning = reasoning_tokens(body.get("reasoning_effort"))
    completion = reasoning + estimate_tokens(text)
    request_id = fake.request_id()
    response = {
        "id": f"chatcmpl-{request_id}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model"),
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": None if refusal_text else text,
                    "refusal": text if refusal_text else None,
                },
                "finish_reason": "stop",
            }
        ],
        "usage": {
            "prompt_tokens": cache.total,
            "completion_tokens": completion,
            "total_tokens": cache.total + completion,
            "prompt_tokens_details": {"cached_tokens": cache.read},
            "completion_tokens_details": {"reasoning_tokens": reasoning},
        },
    }
    return JSONResponse(response, headers={"x-request-id": request_id})
