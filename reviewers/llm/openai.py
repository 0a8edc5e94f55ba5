"""OpenAI Responses API provider, and the openai-SDK error mapping the compatible one shares.

Strict json_schema output (`text.format`); reasoning effort (`reasoning.effort`) when the
request asks for room to think (reasoning models only: others refuse the field). Prompt
caching is automatic for prefixes of 1,024 tokens and more: instructions first, then the
shared text, then the diff; usage counts cached tokens inside input_tokens.
"""

from __future__ import annotations

import hashlib
import json

import openai
from openai.types.responses import Response, ResponseTextConfigParam
from openai.types.shared_params import Reasoning

from reviewers.llm.base import (
    Completion,
    CompletionRequest,
    LLMError,
    LLMRejected,
    LLMUnavailable,
)
from reviewers.llm.chain import LLMAccountRejected
from reviewers.models import TokenUsage

# 429s that are billing states, not rate limits: waiting does not help. The SDK still retries
# them (it retries every 429 unless the server sends `x-should-retry: false`), so they reach
# us after max_retries attempts; we then refuse rather than report "unavailable".
_QUOTA_CODES = frozenset(
    {
        "insufficient_quota",
        "credit_balance_exhausted",
        "organization_usage_limit_exceeded",
        "organization_spend_limit_exceeded",
        "project_spend_limit_exceeded",
    }
)
_ACCOUNT_STATUSES = frozenset({401, 403, 404})


def map_openai_error(err: openai.APIError, provider: str, model: str) -> LLMError:
    """Our error for an openai-SDK error raised after the SDK's own retries."""
    where = f"{provider} model {model}"
    if isinstance(err, openai.APITimeoutError):
        return LLMUnavailable(f"{where}: timed out (after retries)")
    if isinstance(err, openai.APIConnectionError):
        return LLMUnavailable(f"{where}: connection failed (after retries): {err.message}")
    if not isinstance(err, openai.APIStatusError):
        return LLMUnavailable(f"{where}: unexpected response: {err.message}")
    kind = "/".join(part for part in (err.type, err.code) if part)
    detail = f"{where}: HTTP {err.status_code} {kind}: {_api_message(err)}"
    rid = err.request_id
    if err.status_code == 429 and (err.code in _QUOTA_CODES or err.type == "insufficient_quota"):
        return LLMAccountRejected(detail, rid)
    if err.status_code in (408, 409, 429) or err.status_code >= 500:
        return LLMUnavailable(detail, rid)
    if err.status_code in _ACCOUNT_STATUSES:
        return LLMAccountRejected(detail, rid)
    return LLMRejected(detail, rid)


def _api_message(err: openai.APIStatusError) -> str:
    # err.body is the "error" object of {"error": {...}}; err.message repeats the whole body
    message = err.body.get("message") if isinstance(err.body, dict) else None
    return message if isinstance(message, str) else err.message


def prompt_cache_key(request: CompletionRequest) -> str:
    """A stable key for the cacheable prefix (instructions + schema), for OpenAI's cache routing."""
    digest = hashlib.sha256()
    digest.update(request.system.encode())
    digest.update(json.dumps(request.schema, sort_keys=True).encode())
    return f"prbot-{digest.hexdigest()[:32]}"


def _usage(response: Response) -> TokenUsage:
    usage = response.usage
    if usage is None:
        return TokenUsage()
    details = usage.input_tokens_details
    # input_tokens counts every input token; cached reads (and, from the GPT-5.6 family on,
    # cache writes) are billed at their own rates, so they are split out of "uncached".
    cached = getattr(details, "cached_tokens", None) or 0
    written = getattr(details, "cache_write_tokens", None) or 0
    reasoning = getattr(usage.output_tokens_details, "reasoning_tokens", None) or 0
    return TokenUsage(
        input_tokens=max(0, usage.input_tokens - cached - written),
        output_tokens=usage.output_tokens,  # reasoning tokens included
        cache_read_tokens=cached,
        cache_write_tokens=written,
        reasoning_tokens=reasoning,
    )


def joined_input(request: CompletionRequest) -> str:
    """The user input: the shared text (a stable prefix across a review's calls) first."""
    return f"{request.shared}\n\n{request.prompt}" if request.shared else request.prompt


class OpenAIResponsesLLM:
    """OpenAI's Responses API with strict json_schema output; instructions first for caching."""

    def __init__(self, client: openai.AsyncOpenAI, model: str) -> None:
        self._client = client
        self._model = model

    @property
    def model_id(self) -> str:
        return self._model

    async def aclose(self) -> None:
        """Close the SDK client's connection pool (the owner calls it at shutdown)."""
        await self._client.close()

    async def complete(self, request: CompletionRequest) -> Completion:
        text_format: ResponseTextConfigParam = {
            "format": {
                "type": "json_schema",
                "name": request.schema_name,
                "schema": dict(request.schema),
                "strict": True,
            }
        }
        reasoning: Reasoning | openai.Omit = (
            {"effort": request.reasoning} if request.reasoning != "off" else openai.omit
        )
        try:
            response = await self._client.responses.create(
                model=self._model,
                instructions=request.system,
                input=joined_input(request),
                text=text_format,
                reasoning=reasoning,
                max_output_tokens=request.max_output_tokens,
                prompt_cache_key=prompt_cache_key(request),
                # diffs are private code: do not keep them server-side for later retrieval
                store=False,
            )
        except openai.APIError as err:
            raise map_openai_error(err, "openai", self._model) from err
        # output_text is "" for a refusal (a `refusal` content item) or a reply without text;
        # the caller counts that as an invalid answer.
        return Completion(text=response.output_text, tokens=_usage(response), model=self._model)
