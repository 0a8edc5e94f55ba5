"""Anthropic Messages API provider: structured output, cached prefixes, extended thinking.

- reasoning "off": the answer is a forced call of a strict tool whose input schema is the
  answer schema (tool_choice names it);
- reasoning on: forced tool use is refused with thinking, so the answer is a JSON output
  (`output_config.format`, the same strict schema subset) after adaptive thinking at the
  requested effort (`output_config.effort`); thinking tokens count toward max_tokens, so
  room for them is added.
Cache breakpoints: the system prompt (with the tool, which precedes it in cache order), and
CompletionRequest.shared when given; the diff comes last, uncached. Below a model's minimum
cacheable length nothing is cached: usage says so, and the cost follows usage.
"""

from __future__ import annotations

import json
from typing import Any

import anthropic
from anthropic.types import Message, MessageParam, TextBlockParam, ToolParam
from anthropic.types.message_create_params import MessageCreateParamsNonStreaming

from reviewers.llm.base import (
    Completion,
    CompletionRequest,
    LLMError,
    LLMRejected,
    LLMUnavailable,
    Reasoning,
)
from reviewers.llm.chain import LLMAccountRejected
from reviewers.models import TokenUsage

# A 429 that is a billing state, not a rate limit: error.type is still "rate_limit_error" and
# there is no retry-after; only error.details.error_code tells them apart.
SPEND_LIMIT_CODE = "enforced_spend_limit_reached"
_ACCOUNT_STATUSES = frozenset({401, 402, 403, 404})
_TOOL_DESCRIPTION = "Submit the review findings for the diff. Call exactly once."
# Thinking tokens are part of max_tokens: room added for them per effort level.
THINKING_ROOM: dict[Reasoning, int] = {"off": 0, "low": 2048, "medium": 4096, "high": 8192}


class SpendLimitGuard(anthropic.Middleware):
    """Stops the SDK from retrying a spend-limit 429.

    The SDK retries every 429 (max_retries times, with backoff, as the response has no
    retry-after), and every retry fails the same way. Middleware runs inside the retry loop,
    once per attempt, and an exception that is not an SDK error ends the loop at once.
    """

    async def handle_async(
        self, request: anthropic.APIRequest, call_next: anthropic.AsyncCallNext
    ) -> anthropic.AsyncAPIResponse[Any]:
        response = await call_next(request)
        if response.status_code != 429:
            return response
        try:
            body = await response.json()
        except ValueError:
            return response
        if _error_code(body) == SPEND_LIMIT_CODE:
            model = request.json.get("model") if isinstance(request.json, dict) else None
            raise LLMAccountRejected(
                f"anthropic model {model}: HTTP 429 {SPEND_LIMIT_CODE} (not retried)",
                response.request_id,
            )
        return response


def _error_code(body: object) -> str | None:
    error = body.get("error") if isinstance(body, dict) else None
    details = error.get("details") if isinstance(error, dict) else None
    code = details.get("error_code") if isinstance(details, dict) else None
    return code if isinstance(code, str) else None


def map_anthropic_error(err: anthropic.APIError, model: str) -> LLMError:
    """Our error for an anthropic-SDK error raised after the SDK's own retries."""
    where = f"anthropic model {model}"
    if isinstance(err, anthropic.APITimeoutError):
        return LLMUnavailable(f"{where}: timed out (after retries)")
    if isinstance(err, anthropic.APIConnectionError):
        return LLMUnavailable(f"{where}: connection failed (after retries): {err.message}")
    if not isinstance(err, anthropic.APIStatusError):
        return LLMUnavailable(f"{where}: unexpected response: {err.message}")
    kind = "/".join(part for part in (err.type, err.error_code) if part)
    detail = f"{where}: HTTP {err.status_code} {kind}: {err.api_message or err.message}"
    rid = err.request_id
    if err.status_code == 429 and err.error_code == SPEND_LIMIT_CODE:
        return LLMAccountRejected(detail, rid)
    # 529 overloaded_error is an InternalServerError subclass and lands here with the 5xx.
    if err.status_code in (408, 409, 429) or err.status_code >= 500:
        return LLMUnavailable(detail, rid)
    if err.status_code in _ACCOUNT_STATUSES:
        return LLMAccountRejected(detail, rid)
    return LLMRejected(detail, rid)


def _answer_text(message: Message, tool_name: str | None) -> str:
    """The answer as JSON text: the forced tool call's input, or (with thinking) the text
    blocks after it; "" for a refusal or a reply without an answer."""
    if message.stop_reason == "refusal":  # an answer cut short by a refusal is not an answer
        return ""
    if tool_name is None:
        return "".join(block.text for block in message.content if block.type == "text")
    for block in message.content:
        if block.type == "tool_use" and block.name == tool_name:
            return json.dumps(block.input)
    return ""


def _user_content(request: CompletionRequest) -> str | list[TextBlockParam]:
    if not request.shared:
        return request.prompt
    return [
        {"type": "text", "text": request.shared, "cache_control": {"type": "ephemeral"}},
        {"type": "text", "text": request.prompt},
    ]


def build_params(model: str, request: CompletionRequest) -> MessageCreateParamsNonStreaming:
    """The Messages API request for `request` (see the module docstring for its two forms)."""
    system: list[TextBlockParam] = [
        {"type": "text", "text": request.system, "cache_control": {"type": "ephemeral"}}
    ]
    messages: list[MessageParam] = [{"role": "user", "content": _user_content(request)}]
    params: MessageCreateParamsNonStreaming = {
        "model": model,
        "max_tokens": request.max_output_tokens + THINKING_ROOM[request.reasoning],
        "system": system,
        "messages": messages,
    }
    if request.reasoning != "off":
        params["thinking"] = {"type": "adaptive"}
        params["output_config"] = {
            "effort": request.reasoning,
            "format": {"type": "json_schema", "schema": dict(request.schema)},
        }
        return params
    tool: ToolParam = {
        "name": request.schema_name,
        "description": _TOOL_DESCRIPTION,
        "input_schema": dict(request.schema),
        "strict": True,
    }
    params["tools"] = [tool]
    params["tool_choice"] = {
        "type": "tool",
        "name": request.schema_name,
        "disable_parallel_tool_use": True,
    }
    return params


class AnthropicLLM:
    """Messages API. Cache order is tools -> system -> messages, so the strict tool (the schema)
    and the stable system prompt form the first cached prefix, the shared text the second."""

    def __init__(self, client: anthropic.AsyncAnthropic, model: str) -> None:
        self._client = client
        self._model = model

    @property
    def model_id(self) -> str:
        return self._model

    async def aclose(self) -> None:
        """Close the SDK client's connection pool (the owner calls it at shutdown)."""
        await self._client.close()

    async def complete(self, request: CompletionRequest) -> Completion:
        try:
            message = await self._client.messages.create(**build_params(self._model, request))
        except anthropic.APIError as err:
            raise map_anthropic_error(err, self._model) from err
        tool = None if request.reasoning != "off" else request.schema_name
        return Completion(
            text=_answer_text(message, tool), tokens=_usage(message), model=self._model
        )


def _usage(message: Message) -> TokenUsage:
    # Anthropic's input_tokens already excludes cache reads and writes (the three add up);
    # output_tokens includes the thinking tokens, which output_tokens_details breaks out.
    usage = message.usage
    details = usage.output_tokens_details
    return TokenUsage(
        input_tokens=usage.input_tokens,
        output_tokens=usage.output_tokens,
        cache_read_tokens=usage.cache_read_input_tokens or 0,
        cache_write_tokens=usage.cache_creation_input_tokens or 0,
        reasoning_tokens=details.thinking_tokens if details is not None else 0,
    )
