"""The fake model server's state and scripted replies, shared by its vendor routes."""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from tests.fakes.llm_cache import PromptCache
from tests.fakes.llm_rules import Refusal

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
Answer = AnswerReply | TextReply | RefusalReply
Responder = Callable[[Api, Mapping[str, Any]], Reply]


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    api: Api | None
    path: str
    headers: Mapping[str, str]  # lower-case names
    body: Mapping[str, Any]


# Reasoning tokens the fake "spends" per effort level (deterministic, inside output_tokens).
REASONING_TOKENS: Mapping[str, int] = {
    "none": 0, "minimal": 64, "low": 256, "medium": 1024, "high": 2048, "xhigh": 4096,
    "max": 8192,
}  # fmt: skip


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


class FakeLLM:
    """The fake's state: scripted replies, request log, prompt-cache memory, auth settings."""

    def __init__(
        self,
        *,
        api_key: str | None = None,
        min_cache_tokens: int | None = None,
        reject_json_schema: bool = False,
        responder: Responder | None = None,
    ) -> None:
        self._defaults = (api_key, min_cache_tokens, reject_json_schema, responder)
        self._lock = threading.Lock()
        self._queue: list[tuple[Api | None, Reply]] = []
        self._log: list[RecordedRequest] = []
        self.cache = PromptCache()
        self._ids = itertools.count(1)
        self.generation = 0  # bumped by reset()
        self.api_key = api_key  # when set, requests must carry it (x-api-key / Bearer)
        # None: each model's real minimum cacheable prefix; 0: every marked prefix is
        # cached, exactly (OpenAI's 128-token steps too), for tests that want round figures.
        self.min_cache_tokens = min_cache_tokens
        self.reject_json_schema = reject_json_schema  # chat json_schema -> 500, like llama.cpp
        self.responder = responder

    def reset(self) -> None:
        """Back to the constructor's settings, with no script, log or cache."""
        with self._lock:
            self._queue.clear()
            self._log.clear()
            self.cache.clear()
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


async def resolve(fake: FakeLLM, api: Api, body: Mapping[str, Any]) -> Answer | ErrorReply:
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


def error_headers(reply: ErrorReply, id_header: str, request_id: str) -> dict[str, str]:
    headers = {id_header: request_id}
    if reply.retry_after is not None:
        headers["retry-after"] = reply.retry_after
    if reply.should_retry is not None:
        headers["x-should-retry"] = "true" if reply.should_retry else "false"
    return headers


def output_text(reply: Answer) -> str:
    if isinstance(reply, AnswerReply):
        return json.dumps(reply.answer)
    return reply.text


def refused(refusal: Refusal) -> ErrorReply:
    """A rule the request broke, as the vendor's 400."""
    return ErrorReply(refusal.status, "invalid_request_error", refusal.message, code=refusal.code)


def reasoning_tokens(effort: str | None) -> int:
    return REASONING_TOKENS.get(effort or "none", 0)
