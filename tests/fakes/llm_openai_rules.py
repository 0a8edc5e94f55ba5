"""OpenAI's documented request rules (Responses, Chat Completions), for the fake model server.

See llm_rules.py for the sources and the Refusal the fake turns into the vendor's 400.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from tests.fakes.llm_rules import NAME, Refusal
from tests.fakes.llm_schemas import openai_schema_problems

MIN_OUTPUT_TOKENS = 16  # Responses: max_output_tokens
REASONING_PREFIXES = ("gpt-5", "gpt-6", "o1", "o3", "o4")  # OpenAI reasoning model families
EFFORTS_OPENAI = frozenset({"none", "minimal", "low", "medium", "high", "xhigh"})
RESPONSES_FIELDS = frozenset(
    {
        "model", "input", "instructions", "text", "max_output_tokens", "prompt_cache_key",
        "prompt_cache_retention", "store", "reasoning", "temperature", "top_p", "tools",
        "tool_choice", "parallel_tool_calls", "metadata", "previous_response_id", "include",
        "truncation", "user", "safety_identifier", "service_tier", "stream", "stream_options",
        "background", "conversation", "max_tool_calls", "prompt", "top_logprobs",
    }
)  # fmt: skip
CHAT_FIELDS = frozenset(
    {
        "model", "messages", "response_format", "max_tokens", "max_completion_tokens",
        "temperature", "top_p", "n", "stop", "seed", "stream", "stream_options", "tools",
        "tool_choice", "parallel_tool_calls", "user", "reasoning_effort", "logprobs",
        "top_logprobs", "presence_penalty", "frequency_penalty", "logit_bias", "metadata",
        "store", "prompt_cache_key", "prompt_cache_retention", "safety_identifier",
        "service_tier", "modalities", "audio", "prediction", "verbosity", "web_search_options",
    }
)  # fmt: skip


def is_reasoning_model(model: str) -> bool:
    return model.startswith(REASONING_PREFIXES)


def _unknown(fields: Mapping[str, Any], known: frozenset[str], prefix: str = "") -> Refusal | None:
    for name in fields:
        if name not in known:
            return Refusal(
                f"Unknown parameter: '{prefix}{name}'.", f"{prefix}{name}", "unknown_parameter"
            )
    return None


def _texts(values: Sequence[Any]) -> Iterator[str]:
    for value in values:
        if isinstance(value, str):
            yield value
        elif isinstance(value, Mapping):
            yield from _texts(list(value.values()))
        elif isinstance(value, list):
            yield from _texts(value)


def _mentions_json(values: Sequence[Any]) -> bool:
    return any("json" in text.lower() for text in _texts(values))


def _format_refusal(
    fmt: Any, where: str, spec: Mapping[str, Any] | None, mentions_json: bool, words: str
) -> Refusal | None:
    """A response format (`text.format` or `response_format`): its type, name and schema.

    `spec`: where the json_schema's name/schema/strict live (the format itself on
    Responses, its `json_schema` member on Chat Completions)."""
    if not isinstance(fmt, Mapping):
        return Refusal(f"Invalid type for '{where}': expected an object.", where)
    kind = fmt.get("type")
    if kind == "text":
        return _unknown(fmt, frozenset({"type"}), f"{where}.")
    if kind == "json_object":
        if not mentions_json:
            return Refusal(
                f"{words} must contain the word 'json' in some form, to use '{where}' of type "
                "'json_object'.",
                words.strip("'"),
            )
        return _unknown(fmt, frozenset({"type"}), f"{where}.")
    if kind != "json_schema" or spec is None:
        return Refusal(
            f"Invalid value: '{kind}'. Supported values are: 'text', 'json_object' and "
            "'json_schema'.",
            f"{where}.type",
        )
    name = spec.get("name")
    if not isinstance(name, str) or not NAME.match(name):
        return Refusal(f"Invalid '{where}.name': must match {NAME.pattern}.", f"{where}.name")
    if not isinstance(spec.get("schema"), Mapping):
        return Refusal(f"Missing required parameter: '{where}.schema'.", f"{where}.schema")
    if spec.get("strict"):
        problems = openai_schema_problems(spec["schema"])
        if problems:
            return Refusal(
                f"Invalid schema for response_format '{name}': {problems[0]}",
                where,
                "invalid_json_schema",
            )
    return None


def _reasoning_refusal(model: str, effort: Any, param: str, temperature: Any) -> Refusal | None:
    if effort is None:
        return None
    if not is_reasoning_model(model):
        return Refusal(
            f"Unsupported parameter: '{param}' is not supported with this model.",
            param,
            "unsupported_parameter",
        )
    if effort not in EFFORTS_OPENAI:
        return Refusal(
            f"Invalid value: '{effort}'. Supported values are: {sorted(EFFORTS_OPENAI)}.", param
        )
    if effort != "none" and temperature is not None:
        return Refusal(
            "Unsupported parameter: 'temperature' is not supported with this model.",
            "temperature",
            "unsupported_parameter",
        )
    return None


def responses_refusal(body: Mapping[str, Any]) -> Refusal | None:
    """The first rule of POST /v1/responses that `body` breaks, or None."""
    if "response_format" in body:
        return Refusal(
            "Unsupported parameter: 'response_format'. In the Responses API, this parameter "
            "has moved to 'text.format'.",
            "response_format",
            "unsupported_parameter",
        )
    if unknown := _unknown(body, RESPONSES_FIELDS):
        return unknown
    model = body.get("model")
    if not isinstance(model, str) or not model:
        return Refusal(
            "Missing required parameter: 'model'.", "model", "missing_required_parameter"
        )
    limit = body.get("max_output_tokens")
    if limit is not None and (not isinstance(limit, int) or limit < MIN_OUTPUT_TOKENS):
        return Refusal(
            f"Invalid 'max_output_tokens': integer below minimum value. Expected a value >= "
            f"{MIN_OUTPUT_TOKENS}.",
            "max_output_tokens",
            "integer_below_min_value",
        )
    reasoning = body.get("reasoning")
    if reasoning is not None:
        if unknown := _unknown(reasoning, frozenset({"effort", "summary"}), "reasoning."):
            return unknown
        refusal = _reasoning_refusal(
            model, reasoning.get("effort"), "reasoning.effort", body.get("temperature")
        )
        if refusal:
            return refusal
    text = body.get("text")
    if text is None or "format" not in text:
        return None
    fmt = text["format"]
    mentions = _mentions_json([body.get("instructions") or "", body.get("input") or ""])
    known = frozenset({"type", "name", "schema", "strict", "description"})
    is_schema = isinstance(fmt, Mapping) and fmt.get("type") == "json_schema"
    if is_schema and (unknown := _unknown(fmt, known, "text.format.")):
        return unknown
    return _format_refusal(fmt, "text.format", fmt, mentions, "Response input messages")


def chat_refusal(body: Mapping[str, Any]) -> Refusal | None:
    """The first rule of POST /v1/chat/completions (OpenAI's) that `body` breaks, or None."""
    if unknown := _unknown(body, CHAT_FIELDS):
        return unknown
    model = body.get("model")
    if not isinstance(model, str) or not model:
        return Refusal("you must provide a model parameter", "model")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return Refusal("'messages' must contain at least one message.", "messages")
    roles = {"system", "developer", "user", "assistant", "tool"}
    if any(m.get("role") not in roles for m in messages):
        return Refusal("Invalid value for 'messages[].role'.", "messages")
    if is_reasoning_model(model) and "max_tokens" in body:
        return Refusal(
            "Unsupported parameter: 'max_tokens' is not supported with this model. Use "
            "'max_completion_tokens' instead.",
            "max_tokens",
            "unsupported_parameter",
        )
    refusal = _reasoning_refusal(
        model, body.get("reasoning_effort"), "reasoning_effort", body.get("temperature")
    )
    if refusal:
        return refusal
    fmt = body.get("response_format")
    if fmt is None:
        return None
    spec = fmt.get("json_schema") if isinstance(fmt, Mapping) else None
    if isinstance(fmt, Mapping) and fmt.get("type") == "json_schema":
        if unknown := _unknown(fmt, frozenset({"type", "json_schema"}), "response_format."):
            return unknown
        if not isinstance(spec, Mapping):
            return Refusal(
                "Missing required parameter: 'response_format.json_schema'.",
                "response_format.json_schema",
            )
    mentions = _mentions_json([m.get("content") or "" for m in messages])
    return _format_refusal(fmt, "response_format", spec, mentions, "'messages'")
