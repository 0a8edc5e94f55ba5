"""A fake Anthropic + OpenAI model server (one FastAPI app) for tests: scripted, recording.

Wire formats served on 127.0.0.1 (run it with tests.fakes.servers.ServerThread):
  Anthropic  POST /v1/messages, POST /v1/messages/count_tokens   (base_url without /v1)
  OpenAI     POST /v1/responses, POST /v1/responses/input_tokens,
             POST /v1/chat/completions                          (base_url with /v1)

Each answering request takes the next scripted reply (FakeLLM.enqueue), else asks the
responder, else answers {"findings": []}. Token counts are deterministic (estimate_tokens:
ceil(chars / 4) per text segment) and prompt caching is simulated: the first request with a
cacheable prefix reports a cache write, later ones with the same prefix a cache read.
  Anthropic: the prefix runs through the last block carrying cache_control, in the API's
             order tools -> system -> messages (top-level cache_control: everything).
  OpenAI:    the prefix is instructions/system messages plus the response format, cached
             automatically once it reaches min_cache_tokens (1,024 on the real API; 0 here).
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import json
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from tests.fakes.llm_rules import Refusal, anthropic_refusal, chat_refusal, responses_refusal

Api = Literal["anthropic", "responses", "chat"]
EMPTY_ANSWER: Mapping[str, Any] = {"findings": []}


@dataclass(frozen=True, slots=True)
class AnswerReply:
    """A JSON answer: the forced tool's input (Anthropic) or the output text (OpenAI)."""

    answer: Mapping[str, Any] = field(default_factory=lambda: dict(EMPTY_ANSWER))


@dataclass(frozen=True, slots=True)
class TextReply:
    """Raw model text: garbage, fenced JSON... On Anthropic a text block and no tool_use."""

    text: str


@dataclass(frozen=True, slots=True)
class RefusalReply:
    text: str = "I can't help with that."


@dataclass(frozen=True, slots=True)
class ErrorReply:
    """An HTTP error in the vendor's body format; `code` is Anthropic's error.details.error_code
    and OpenAI's error.code. retry_after is sent verbatim; the SDKs treat "0" as no hint and
    back off exponentially from 0.5 s, so fast tests use a small positive value."""

    status: int
    error_type: str
    message: str = "scripted error"
    code: str | None = None
    retry_after: str | None = None
    should_retry: bool | None = None  # sent as x-should-retry when set


@dataclass(frozen=True, slots=True)
class DelayReply:
    """Sleep (to trip client timeouts), then answer with `then`."""

    seconds: float
    then: Reply = field(default_factory=AnswerReply)


Reply = AnswerReply | TextReply | RefusalReply | ErrorReply | DelayReply
_Answer = AnswerReply | TextReply | RefusalReply
Responder = Callable[[Api, Mapping[str, Any]], Reply]


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    api: Api | None
    path: str
    headers: Mapping[str, str]  # lower-case names
    body: Mapping[str, Any]


def estimate_tokens(text: str) -> int:
    return (len(text) + 3) // 4


def canonical_json(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def rate_limited(retry_after: str = "0.01") -> ErrorReply:
    return ErrorReply(429, "rate_limit_error", "Rate limited", retry_after=retry_after)


def overloaded(retry_after: str = "0.01") -> ErrorReply:
    return ErrorReply(529, "overloaded_error", "Overloaded", retry_after=retry_after)


def server_error(retry_after: str | None = "0.01") -> ErrorReply:
    return ErrorReply(500, "api_error", "Internal server error", retry_after=retry_after)


def spend_limit() -> ErrorReply:
    """Anthropic's spend cap: a 429 rate_limit_error without retry-after, told apart by code."""
    return ErrorReply(
        429, "rate_limit_error", "Spend limit reached", code="enforced_spend_limit_reached"
    )


@dataclass(frozen=True, slots=True)
class _Usage:
    uncached: int  # input tokens outside the cacheable prefix, or all of them
    prefix: int  # tokens of the cacheable prefix (0 when nothing is cacheable)
    hit: bool  # the prefix was cached by an earlier request


class FakeLLM:
    """The fake's state: scripted replies, request log, prompt-cache memory, auth settings."""

    def __init__(
        self,
        *,
        api_key: str | None = None,
        min_cache_tokens: int = 0,
        reject_json_schema: bool = False,
        responder: Responder | None = None,
    ) -> None:
        self._defaults = (api_key, min_cache_tokens, reject_json_schema, responder)
        self._lock = threading.Lock()
        self._queue: list[tuple[Api | None, Reply]] = []
        self._log: list[RecordedRequest] = []
        self._cached: set[str] = set()
        self._ids = itertools.count(1)
        self.generation = 0  # bumped by reset()
        self.api_key = api_key  # when set, requests must carry it (x-api-key / Bearer)
        self.min_cache_tokens = min_cache_tokens
        self.reject_json_schema = reject_json_schema  # chat json_schema -> 500, like llama.cpp
        self.responder = responder

    def reset(self) -> None:
        """Back to the constructor's settings, with no script, log or cache."""
        with self._lock:
            self._queue.clear()
            self._log.clear()
            self._cached.clear()
            self._ids = itertools.count(1)
            self.generation += 1
        self.api_key, self.min_cache_tokens, self.reject_json_schema, self.responder = (
            self._defaults
        )

    def enqueue(self, *replies: Reply, api: Api | None = None) -> None:
        """Script the next replies, in order; with `api`, only that endpoint takes them."""
        with self._lock:
            self._queue.extend((api, reply) for reply in replies)

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._queue)

    @property
    def requests(self) -> tuple[RecordedRequest, ...]:
        with self._lock:
            return tuple(self._log)

    def requests_to(self, api: Api) -> tuple[RecordedRequest, ...]:
        return tuple(r for r in self.requests if r.api == api)

    def record(self, api: Api | None, path: str, headers: Mapping[str, str], body: Any) -> None:
        with self._lock:
            self._log.append(RecordedRequest(api, path, dict(headers), body))

    def request_id(self) -> str:
        return f"req_fake_{next(self._ids):04d}"

    def next_reply(self, api: Api, body: Mapping[str, Any]) -> Reply:
        with self._lock:
            for index, (wanted, reply) in enumerate(self._queue):
                if wanted is None or wanted == api:
                    del self._queue[index]
                    return reply
        if self.responder is not None:
            return self.responder(api, body)
        return AnswerReply()

    def usage(self, api: Api, model: str, prefix: Sequence[str], rest: Sequence[str]) -> _Usage:
        """Token counts, remembering the prefix as cached (call once per successful answer)."""
        prefix_tokens = sum(estimate_tokens(s) for s in prefix)
        rest_tokens = sum(estimate_tokens(s) for s in rest)
        if not prefix or prefix_tokens < max(1, self.min_cache_tokens):
            return _Usage(uncached=prefix_tokens + rest_tokens, prefix=0, hit=False)
        key = hashlib.sha256(canonical_json([api, model, *prefix]).encode()).hexdigest()
        with self._lock:
            hit = key in self._cached
            self._cached.add(key)
        return _Usage(uncached=rest_tokens, prefix=prefix_tokens, hit=hit)


async def _resolve(fake: FakeLLM, api: Api, body: Mapping[str, Any]) -> _Answer | ErrorReply:
    generation = fake.generation
    reply = fake.next_reply(api, body)
    while isinstance(reply, DelayReply):
        await asyncio.sleep(reply.seconds)
        reply = reply.then
    if fake.generation != generation:
        # a delayed request that outlived its test (the client timed out and left): it must
        # not leave ids or cache entries in the next test's state
        return ErrorReply(503, "api_error", "request outlived a reset of the fake")
    return reply


def _error_headers(reply: ErrorReply, id_header: str, request_id: str) -> dict[str, str]:
    headers = {id_header: request_id}
    if reply.retry_after is not None:
        headers["retry-after"] = reply.retry_after
    if reply.should_retry is not None:
        headers["x-should-retry"] = "true" if reply.should_retry else "false"
    return headers


def _output_text(reply: _Answer) -> str:
    if isinstance(reply, AnswerReply):
        return json.dumps(reply.answer)
    return reply.text


# --- Anthropic -------------------------------------------------------------------------


def _anthropic_segments(body: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """(prefix, rest) texts in cache order: tools, system blocks, message blocks."""
    segments: list[tuple[str, bool]] = []
    for tool in body.get("tools") or []:
        segments.append((canonical_json(tool), bool(tool.get("cache_control"))))
    system = body.get("system") or []
    if isinstance(system, str):
        system = [{"type": "text", "text": system}]
    for block in system:
        segments.append((block.get("text", ""), bool(block.get("cache_control"))))
    for message in body.get("messages") or []:
        content = message.get("content", "")
        if isinstance(content, str):
            segments.append((content, False))
            continue
        for block in content:
            text = block.get("text") if block.get("type") == "text" else canonical_json(block)
            segments.append((text, bool(block.get("cache_control"))))
    breaks = [i + 1 for i, (_, marked) in enumerate(segments) if marked]
    end = len(segments) if body.get("cache_control") else max(breaks, default=0)
    return [s for s, _ in segments[:end]], [s for s, _ in segments[end:]]


def _anthropic_authorized(fake: FakeLLM, request: Request) -> bool:
    # anthropic-python 2.x sends the key as "Authorization: Bearer"; older clients and curl
    # examples use x-api-key. The API takes either.
    if fake.api_key is None:
        return True
    headers = request.headers
    return fake.api_key == headers.get("x-api-key") or (
        headers.get("authorization") == f"Bearer {fake.api_key}"
    )


def _refused(refusal: Refusal) -> ErrorReply:
    return ErrorReply(refusal.status, "invalid_request_error", refusal.message, code=refusal.code)


def _anthropic_error(fake: FakeLLM, reply: ErrorReply) -> JSONResponse:
    request_id = fake.request_id()
    error: dict[str, Any] = {"type": reply.error_type, "message": reply.message}
    if reply.code is not None:
        error["details"] = {"error_code": reply.code}
    return JSONResponse(
        {"type": "error", "error": error, "request_id": request_id},
        status_code=reply.status,
        headers=_error_headers(reply, "request-id", request_id),
    )


def _anthropic_content(body: Mapping[str, Any], reply: _Answer) -> tuple[list[dict[str, Any]], str]:
    choice = body.get("tool_choice") or {}
    if isinstance(reply, AnswerReply) and choice.get("type") == "tool":
        block = {"type": "tool_use", "id": "toolu_fake", "name": choice["name"]}
        return [{**block, "input": dict(reply.answer)}], "tool_use"
    stop = "refusal" if isinstance(reply, RefusalReply) else "end_turn"
    return [{"type": "text", "text": _output_text(reply)}], stop


async def _anthropic_messages(fake: FakeLLM, request: Request) -> JSONResponse:
    body = await request.json()
    fake.record("anthropic", request.url.path, request.headers, body)
    if not _anthropic_authorized(fake, request):
        return _anthropic_error(fake, ErrorReply(401, "authentication_error", "invalid x-api-key"))
    if (refusal := anthropic_refusal(request.headers, body)) is not None:
        return _anthropic_error(fake, _refused(refusal))
    reply = await _resolve(fake, "anthropic", body)
    if isinstance(reply, ErrorReply):
        return _anthropic_error(fake, reply)
    content, stop_reason = _anthropic_content(body, reply)
    prefix, rest = _anthropic_segments(body)
    usage = fake.usage("anthropic", body.get("model", ""), prefix, rest)
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
            "input_tokens": usage.uncached,
            "output_tokens": estimate_tokens(_output_text(reply)),
            "cache_creation_input_tokens": 0 if usage.hit else usage.prefix,
            "cache_read_input_tokens": usage.prefix if usage.hit else 0,
        },
    }
    return JSONResponse(message, headers={"request-id": request_id})


async def _anthropic_count(fake: FakeLLM, request: Request) -> JSONResponse:
    body = await request.json()
    fake.record("anthropic", request.url.path, request.headers, body)
    prefix, rest = _anthropic_segments(body)
    return JSONResponse({"input_tokens": sum(estimate_tokens(s) for s in prefix + rest)})


# --- OpenAI ----------------------------------------------------------------------------


def _openai_error(fake: FakeLLM, reply: ErrorReply, param: str | None = None) -> JSONResponse:
    request_id = fake.request_id()
    error = {"message": reply.message, "type": reply.error_type, "param": param, "code": reply.code}
    return JSONResponse(
        {"error": error},
        status_code=reply.status,
        headers=_error_headers(reply, "x-request-id", request_id),
    )


def _openai_denied(fake: FakeLLM, request: Request) -> JSONResponse | None:
    if fake.api_key is None or request.headers.get("authorization") == f"Bearer {fake.api_key}":
        return None
    reply = ErrorReply(401, "invalid_request_error", "Incorrect API key", code="invalid_api_key")
    return _openai_error(fake, reply)


def _responses_segments(body: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    prefix = [body.get("instructions") or ""]
    text_config = body.get("text") or {}
    if "format" in text_config:
        prefix.append(canonical_json(text_config["format"]))
    items = body.get("input") or ""
    rest = [items] if isinstance(items, str) else [canonical_json(item) for item in items]
    return [s for s in prefix if s], rest


def _responses_usage(fake: FakeLLM, body: Mapping[str, Any], output: str) -> dict[str, Any]:
    prefix, rest = _responses_segments(body)
    usage = fake.usage("responses", body.get("model", ""), prefix, rest)
    total_in = usage.uncached + usage.prefix
    out = estimate_tokens(output)
    return {
        "input_tokens": total_in,
        "input_tokens_details": {
            "cached_tokens": usage.prefix if usage.hit else 0,
            "cache_write_tokens": 0 if usage.hit else usage.prefix,
        },
        "output_tokens": out,
        "output_tokens_details": {"reasoning_tokens": 0},
        "total_tokens": total_in + out,
    }


async def _responses_create(fake: FakeLLM, request: Request) -> JSONResponse:
    body = await request.json()
    fake.record("responses", request.url.path, request.headers, body)
    if (denied := _openai_denied(fake, request)) is not None:
        return denied
    if (refusal := responses_refusal(body)) is not None:
        return _openai_error(fake, _refused(refusal), refusal.param)
    reply = await _resolve(fake, "responses", body)
    if isinstance(reply, ErrorReply):
        return _openai_error(fake, reply)
    text = _output_text(reply)
    part = (
        {"type": "refusal", "refusal": text}
        if isinstance(reply, RefusalReply)
        else {"type": "output_text", "text": text, "annotations": []}
    )
    request_id = fake.request_id()
    response = {
        "id": f"resp_{request_id}",
        "object": "response",
        "created_at": int(time.time()),
        "status": "completed",
        "model": body.get("model"),
        "instructions": body.get("instructions"),
        "output": [
            {
                "type": "message",
                "id": f"msg_{request_id}",
                "status": "completed",
                "role": "assistant",
                "content": [part],
            }
        ],
        "parallel_tool_calls": True,
        "tool_choice": "auto",
        "tools": [],
        "usage": _responses_usage(fake, body, text),
    }
    return JSONResponse(response, headers={"x-request-id": request_id})


async def _responses_count(fake: FakeLLM, request: Request) -> JSONResponse:
    body = await request.json()
    fake.record("responses", request.url.path, request.headers, body)
    if (denied := _openai_denied(fake, request)) is not None:
        return denied
    prefix, rest = _responses_segments(body)
    count = sum(estimate_tokens(s) for s in prefix + rest)
    return JSONResponse({"object": "response.input_tokens", "input_tokens": count})


def _chat_segments(body: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    prefix: list[str] = []
    rest: list[str] = []
    for message in body.get("messages") or []:
        content = message.get("content") or ""
        text = content if isinstance(content, str) else canonical_json(content)
        (prefix if message.get("role") in ("system", "developer") else rest).append(text)
    if body.get("response_format"):
        prefix.append(canonical_json(body["response_format"]))
    return prefix, rest


async def _chat_create(fake: FakeLLM, request: Request) -> JSONResponse:
    body = await request.json()
    fake.record("chat", request.url.path, request.headers, body)
    if (denied := _openai_denied(fake, request)) is not None:
        return denied
    if (refusal := chat_refusal(body)) is not None:
        return _openai_error(fake, _refused(refusal), refusal.param)
    if fake.reject_json_schema and (body.get("response_format") or {}).get("type") == "json_schema":
        # llama.cpp's server: the json_schema form is a 500, json_object + schema works
        return _openai_error(fake, ErrorReply(500, "server_error", "json_schema not supported"))
    reply = await _resolve(fake, "chat", body)
    if isinstance(reply, ErrorReply):
        return _openai_error(fake, reply)
    text = _output_text(reply)
    refused = isinstance(reply, RefusalReply)
    prefix, rest = _chat_segments(body)
    usage = fake.usage("chat", body.get("model", ""), prefix, rest)
    prompt, completion = usage.uncached + usage.prefix, estimate_tokens(text)
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
                    "content": None if refused else text,
                    "refusal": text if refused else None,
                },
                "finish_reason": "stop",
            }
        ],
        "usage": {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
            "prompt_tokens_details": {"cached_tokens": usage.prefix if usage.hit else 0},
        },
    }
    return JSONResponse(response, headers={"x-request-id": request_id})


def create_fake_llm_app(fake: FakeLLM) -> FastAPI:
    """The ASGI app serving `fake`'s state."""
    app = FastAPI(title="fake LLM")

    @app.post("/v1/messages")
    async def messages(request: Request) -> JSONResponse:
        return await _anthropic_messages(fake, request)

    @app.post("/v1/messages/count_tokens")
    async def count_tokens(request: Request) -> JSONResponse:
        return await _anthropic_count(fake, request)

    @app.post("/v1/responses")
    async def responses(request: Request) -> JSONResponse:
        return await _responses_create(fake, request)

    @app.post("/v1/responses/input_tokens")
    async def input_tokens(request: Request) -> JSONResponse:
        return await _responses_count(fake, request)

    @app.post("/v1/chat/completions")
    async def chat(request: Request) -> JSONResponse:
        return await _chat_create(fake, request)

    return app
