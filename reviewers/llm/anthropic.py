"""Anthropic Messages API provider: a strict tool for structured output, a cached system prefix."""

from __future__ import annotations

import json
from typing import Any

import anthropic
from anthropic.types import Message, MessageParam, TextBlockParam, ToolParam

from reviewers.llm.base import Completion, CompletionRequest, LLMError, LLMRejected, LLMUnavailable
from reviewers.llm.chain import LLMAccountRejected
from reviewers.models import TokenUsage

# A 429 that is a billing state, not a rate limit: error.type is still "rate_limit_error" and
# there is no retry-after; only error.details.error_code tells them apart.
SPEND_LIMIT_CODE = "enforced_spend_limit_reached"
_ACCOUNT_STATUSES = frozenset({401, 402, 403, 404})
_TOOL_DESCRIPTION = "Submit the review findings for the diff. Call exactly once."


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


def _tool_input_text(message: Message, tool_name: str) -> str:
    """The forced tool call's input as JSON text; "" for a refusal or a reply without it."""
    if message.stop_reason == "refusal":  # a tool input cut short by a refusal is not an answer
        return ""
    for block in message.content:
        if block.type == "tool_use" and block.name == tool_name:
            return json.dumps(block.input)
    return ""


class AnthropicLLM:
    """Messages API. Cache order is tools -> system -> messages, so the strict tool (the schema)
    and the stable system prompt form the cached prefix, and the diff comes last, uncached."""

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
        tool: ToolParam = {
            "name": request.schema_name,
            "description": _TOOL_DESCRIPTION,
            "input_schema": dict(request.schema),
            "strict": True,
        }
        system: list[TextBlockParam] = [
            {"type": "text", "text": request.system, "cache_control": {"type": "ephemeral"}}
        ]
        messages: list[MessageParam] = [{"role": "user", "content": request.prompt}]
        try:
            message = await self._client.messages.create(
                model=self._model,
                max_tokens=request.max_output_tokens,
                tools=[tool],
                tool_choice={
                    "type": "tool",
                    "name": request.schema_name,
                    "disable_parallel_tool_use": True,
                },
                system=system,
                messages=messages,
            )
        except anthropic.APIError as err:
            raise map_anthropic_error(err, self._model) from err
        return Completion(
            text=_tool_input_text(message, request.schema_name),
            tokens=_usage(message),
            model=self._model,
        )


def _usage(message: Message) -> TokenUsage:
    # Anthropic's input_tokens already excludes cache reads and writes (the three add up).
    usage = message.usage
    return TokenUsage(
        input_tokens=usage.input_tokens,
        output_tokens=usage.output_tokens,
        cache_read_tokens=usage.cache_read_input_tokens or 0,
        cache_write_tokens=usage.cache_creation_input_tokens or 0,
    )
