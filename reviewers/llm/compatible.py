"""OpenAI-compatible chat completions (vLLM, llama.cpp, Ollama, Azure/OpenAI): JSON output.

Two forms of JSON output, as ModelSpec.json_mode chooses:
- json_schema: strict structured output (`response_format.json_schema`), where supported;
- json_object: JSON mode, which every such server knows. OpenAI and Azure refuse it unless
  a message contains the word "json", and it carries no schema (OpenAI refuses unknown keys
  such as llama.cpp's `schema`), so the system message says to answer in JSON and gives
  the schema itself: every server sees the field names.
Room to reason, where these servers have no common field for it: with reasoning on, the
answer schema gains a first property, `reasoning`, which the model fills before the
findings; it is taken out of the answer here, and its share of the output tokens is
reported as reasoning tokens (unless the server reports its own).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any, Literal

import openai
from openai.types.chat import ChatCompletion, ChatCompletionMessageParam
from openai.types.chat.completion_create_params import ResponseFormat

from reviewers.llm.base import Completion, CompletionRequest
from reviewers.llm.openai import map_openai_error
from reviewers.models import TokenUsage

log = logging.getLogger(__name__)

JsonMode = Literal["json_schema", "json_object"]

# Statuses with which servers refuse the json_schema form they do not support: llama.cpp's
# server answers 500, others validate the request and answer 400.
_SCHEMA_UNSUPPORTED = frozenset({400, 500})


REASONING_FIELD = "reasoning"
_REASONING_PROPERTY = {
    "type": "string",
    "description": "Your reasoning first: what the change does, what could break, which "
    "lines. Then the findings.",
}


def wire_schema(request: CompletionRequest) -> Mapping[str, Any]:
    """The answer schema as sent: with a leading `reasoning` property when reasoning is on."""
    schema = request.schema
    if request.reasoning == "off" or schema.get("type") != "object":
        return schema
    properties = {REASONING_FIELD: _REASONING_PROPERTY, **schema.get("properties", {})}
    required = [REASONING_FIELD, *schema.get("required", [])]
    return {**schema, "properties": properties, "required": required}


def _schema_format(request: CompletionRequest) -> ResponseFormat:
    return {
        "type": "json_schema",
        "json_schema": {
            "name": request.schema_name,
            "schema": dict(wire_schema(request)),
            "strict": True,
        },
    }


_OBJECT_FORMAT: ResponseFormat = {"type": "json_object"}


def json_instruction(request: CompletionRequest) -> str:
    """The system message's last paragraph in JSON mode: the format named, the schema given."""
    # Key order kept: the reasoning property comes first, as the model should write it.
    schema = json.dumps(wire_schema(request), separators=(",", ":"))
    return (
        "Answer with one JSON object and nothing else: no prose, no code fence. The JSON "
        f"object must match this JSON schema ({request.schema_name}):\n{schema}"
    )


def split_reasoning(text: str) -> tuple[str, str]:
    """(the answer without its `reasoning` field, the reasoning); text that is not such an
    object is the answer as it is (the caller validates it)."""
    try:
        data = json.loads(text)
    except ValueError:
        return text, ""
    if not isinstance(data, dict) or not isinstance(data.get(REASONING_FIELD), str):
        return text, ""
    reasoning = data.pop(REASONING_FIELD)
    return json.dumps(data), reasoning


def _usage(response: ChatCompletion, text: str, reasoning: str) -> TokenUsage:
    """The server's usage; without its own reasoning count, the `reasoning` field's share of
    the output tokens (by characters: an estimate)."""
    usage = response.usage
    if usage is None:  # some servers omit usage; the call is then reported as free
        return TokenUsage()
    details = usage.prompt_tokens_details
    cached = (details.cached_tokens if details is not None else None) or 0
    own = usage.completion_tokens_details
    thought = (own.reasoning_tokens if own is not None else None) or 0
    if not thought and reasoning and text:
        thought = round(usage.completion_tokens * len(reasoning) / len(text))
    return TokenUsage(
        input_tokens=max(0, usage.prompt_tokens - cached),
        output_tokens=usage.completion_tokens,
        cache_read_tokens=cached,
        reasoning_tokens=thought,
    )


def _text(response: ChatCompletion) -> str:
    if not response.choices:
        return ""
    message = response.choices[0].message
    if message.refusal:
        return ""
    return message.content or ""


class OpenAICompatibleLLM:
    """Chat completions with [system, user] messages and JSON output.

    json_mode="json_schema" asks for strict json_schema output; if the server refuses that
    form (400/500) on the first try, this instance falls back to json_object for good.
    """

    def __init__(
        self, client: openai.AsyncOpenAI, model: str, json_mode: JsonMode = "json_object"
    ) -> None:
        self._client = client
        self._model = model
        self._json_mode: JsonMode = json_mode
        self._schema_confirmed = False

    @property
    def model_id(self) -> str:
        return self._model

    async def aclose(self) -> None:
        """Close the SDK client's connection pool (the owner calls it at shutdown)."""
        await self._client.close()

    @property
    def json_mode(self) -> JsonMode:
        return self._json_mode

    async def complete(self, request: CompletionRequest) -> Completion:
        response = None
        if self._json_mode == "json_schema":
            response = await self._try_schema(request)
        if response is None:
            response = await self._create(self._client, request, _OBJECT_FORMAT)
        text = _text(response)
        answer, reasoning = split_reasoning(text) if request.reasoning != "off" else (text, "")
        tokens = _usage(response, text, reasoning)
        return Completion(text=answer, tokens=tokens, model=self._model)

    async def _try_schema(self, request: CompletionRequest) -> ChatCompletion | None:
        """The json_schema answer, or None once the server has refused that form."""
        if self._schema_confirmed:
            return await self._create(self._client, request, _schema_format(request))
        # The first call probes with SDK retries off: the SDK retries every 500, so a server
        # that cannot do json_schema would otherwise cost max_retries backoffs per instance.
        probe = self._client.with_options(max_retries=0)
        try:
            response = await self._post(probe, request, _schema_format(request))
        except openai.APIStatusError as err:
            if err.status_code not in _SCHEMA_UNSUPPORTED:
                # a transient refusal (429, 503...): retry the same form with SDK retries on
                return await self._create(self._client, request, _schema_format(request))
            log.warning(
                "%s refused json_schema output (HTTP %s); using json_object from now on",
                self._model,
                err.status_code,
            )
            self._json_mode = "json_object"
            return None
        except openai.APIError as err:
            raise map_openai_error(err, "openai-compatible", self._model) from err
        self._schema_confirmed = True
        return response

    async def _create(
        self, client: openai.AsyncOpenAI, request: CompletionRequest, fmt: ResponseFormat
    ) -> ChatCompletion:
        try:
            return await self._post(client, request, fmt)
        except openai.APIError as err:
            raise map_openai_error(err, "openai-compatible", self._model) from err

    async def _post(
        self, client: openai.AsyncOpenAI, request: CompletionRequest, fmt: ResponseFormat
    ) -> ChatCompletion:
        system = request.system
        if fmt["type"] == "json_object":
            system = f"{system}\n\n{json_instruction(request)}"
        # One user message, the shared text first: some chat templates of local servers
        # refuse two user turns in a row.
        user = f"{request.shared}\n\n{request.prompt}" if request.shared else request.prompt
        messages: list[ChatCompletionMessageParam] = [
            {"role": "system", "content": system},
            {"role": "user", "content": user},
        ]
        return await client.chat.completions.create(
            model=self._model,
            messages=messages,
            response_format=fmt,
            # max_tokens, not max_completion_tokens: the one every compatible server reads
            max_tokens=request.max_output_tokens,
            # reviews should be reproducible; local servers default to sampling
            temperature=0,
        )
