"""The vendors' documented request rules, enforced by the fake model server (Anthropic's here,
OpenAI's in llm_openai_rules.py).

A request the real API would refuse gets the 400 the real API sends, so a provider change
that breaks a rule fails a test instead of failing in production. Sources: the Messages API
reference, extended thinking, prompt caching and structured outputs / strict tool use pages
(Anthropic); the Responses and Chat Completions references and the structured outputs guide
(OpenAI); the SDKs' own schema transforms (anthropic.lib._parse._transform). Rules not
stated there are not enforced.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tests.fakes.llm_schemas import anthropic_schema_problems

ANTHROPIC_VERSION = "2023-06-01"
NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")  # tool and response-format names, both vendors
MAX_CACHE_BREAKPOINTS = 4
MIN_THINKING_BUDGET = 1024
EFFORTS_ANTHROPIC = frozenset({"low", "medium", "high", "xhigh", "max"})


@dataclass(frozen=True, slots=True)
class Refusal:
    """What the real API answers: 400 invalid_request_error, `param`/`code` on OpenAI."""

    message: str
    param: str | None = None
    code: str | None = None
    status: int = 400


# --- Anthropic Messages -------------------------------------------------------------------


def _cache_breakpoints(body: Mapping[str, Any]) -> int:
    count = sum(1 for tool in body.get("tools") or [] if tool.get("cache_control"))
    system = body.get("system")
    if isinstance(system, list):
        count += sum(1 for block in system if block.get("cache_control"))
    for message in body.get("messages") or []:
        content = message.get("content")
        if isinstance(content, list):
            count += sum(1 for block in content if block.get("cache_control"))
    return count


def _thinking_refusal(body: Mapping[str, Any]) -> Refusal | None:
    thinking = body.get("thinking") or {"type": "disabled"}
    kind = thinking.get("type")
    if kind not in ("enabled", "adaptive", "disabled"):
        return Refusal("thinking.type: Input should be 'enabled', 'adaptive' or 'disabled'")
    if kind == "disabled":
        return None
    if kind == "enabled":
        budget = thinking.get("budget_tokens")
        if not isinstance(budget, int) or budget < MIN_THINKING_BUDGET:
            return Refusal(f"thinking.budget_tokens: must be >= {MIN_THINKING_BUDGET}")
        if budget >= body.get("max_tokens", 0):
            return Refusal("max_tokens must be greater than thinking.budget_tokens")
    choice = (body.get("tool_choice") or {}).get("type")
    if choice in ("any", "tool"):
        return Refusal("Thinking may not be enabled when tool_choice forces tool use.")
    if body.get("temperature") not in (None, 1):
        return Refusal("temperature may only be set to 1 when thinking is enabled")
    return None


def _tools_refusal(body: Mapping[str, Any]) -> Refusal | None:
    tools = body.get("tools") or []
    names = [tool.get("name") for tool in tools]
    for tool, name in zip(tools, names, strict=True):
        if not isinstance(name, str) or not NAME.match(name):
            return Refusal(f"tools: tool name {name!r} must match {NAME.pattern}")
        schema = tool.get("input_schema")
        if not isinstance(schema, Mapping) or schema.get("type") != "object":
            return Refusal(f"tools.{name}.input_schema: type must be 'object'")
        if tool.get("strict"):
            problems = anthropic_schema_problems(schema)
            if problems:
                return Refusal(f"tools.{name}.input_schema: {problems[0]}")
    choice = body.get("tool_choice")
    if choice is None:
        return None
    kind = choice.get("type")
    if kind not in ("auto", "any", "tool", "none"):
        return Refusal(f"tool_choice.type: unknown type {kind!r}")
    if kind in ("any", "tool") and not tools:
        return Refusal("tool_choice forces tool use but no tools are provided")
    if kind == "tool" and choice.get("name") not in names:
        return Refusal(f"tool_choice: tool {choice.get('name')!r} is not among the tools")
    return None


def _output_config_refusal(body: Mapping[str, Any]) -> Refusal | None:
    config = body.get("output_config")
    if config is None:
        return None
    effort = config.get("effort")
    if effort is not None and effort not in EFFORTS_ANTHROPIC:
        return Refusal(
            f"output_config.effort: {effort!r} is not one of {sorted(EFFORTS_ANTHROPIC)}"
        )
    fmt = config.get("format")
    if fmt is None:
        return None
    if fmt.get("type") != "json_schema" or not isinstance(fmt.get("schema"), Mapping):
        return Refusal("output_config.format: expected {type: 'json_schema', schema: {...}}")
    problems = anthropic_schema_problems(fmt["schema"])
    return Refusal(f"output_config.format.schema: {problems[0]}") if problems else None


def anthropic_refusal(headers: Mapping[str, str], body: Mapping[str, Any]) -> Refusal | None:
    """The first rule of POST /v1/messages that `body` breaks, or None."""
    if not headers.get("anthropic-version"):
        return Refusal("anthropic-version: header is required")
    if not isinstance(body.get("model"), str) or not body["model"]:
        return Refusal("model: Field required")
    max_tokens = body.get("max_tokens")
    if not isinstance(max_tokens, int) or isinstance(max_tokens, bool) or max_tokens < 1:
        return Refusal("max_tokens: Field required (an integer >= 1)")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return Refusal("messages: at least one message is required")
    if any(m.get("role") not in ("user", "assistant") for m in messages):
        return Refusal("messages: roles must be 'user' or 'assistant' (system goes in `system`)")
    system = body.get("system")
    if system is not None and not isinstance(system, str | list):
        return Refusal("system: must be a string or a list of text blocks")
    breakpoints = _cache_breakpoints(body)
    if breakpoints > MAX_CACHE_BREAKPOINTS:
        return Refusal(
            f"A maximum of {MAX_CACHE_BREAKPOINTS} blocks with cache_control may be provided. "
            f"Found {breakpoints}."
        )
    return _tools_refusal(body) or _thinking_refusal(body) or _output_config_refusal(body)
