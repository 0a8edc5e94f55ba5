"""A scripted 'reviewer' for the fake model server: flags added lines matching patterns.

It reads the prompt the way a model would (the rendered hunks), so tests exercise the
real prompt format, the real SDK and the real answer schema end to end.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tests.fakes.llm_server import AnswerReply, Api, Reply

_FILE = re.compile(r"^File: (\S+) \(")
_ADDED = re.compile(r"^\+\s+(\d+) (.*)$")


@dataclass(frozen=True)
class Rule:
    pattern: str
    title: str
    category: str = "defect"
    severity: str = "high"


def prompt_text(api: Api, body: Mapping[str, Any]) -> str:
    """The user-visible prompt text of an Anthropic, Responses or chat request."""
    if api == "responses":
        value = body.get("input")
        return value if isinstance(value, str) else str(value)
    parts: list[str] = []
    for message in body.get("messages") or []:
        if message.get("role") != "user":
            continue
        content = message.get("content")
        if isinstance(content, str):
            parts.append(content)
        else:
            parts += [b.get("text", "") for b in content or [] if isinstance(b, dict)]
    return "\n".join(parts)


def findings_for(text: str, rules: Sequence[Rule]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    path = None
    for line in text.splitlines():
        if match := _FILE.match(line):
            path = match.group(1)
        elif (match := _ADDED.match(line)) and path:
            number, code = int(match.group(1)), match.group(2)
            for rule in rules:
                if re.search(rule.pattern, code):
                    found.append(
                        {
                            "path": path,
                            "side": "RIGHT",
                            "start_line": number,
                            "end_line": number,
                            "category": rule.category,
                            "severity": rule.severity,
                            "confidence": 0.9,
                            "title": rule.title,
                            "body": f"{rule.title}.",
                            "suggestion": None,
                        }
                    )
    return found


def pattern_reviewer(*rules: Rule) -> Any:
    """A FakeLLM responder answering with one finding per added line matching a rule."""

    def respond(api: Api, body: Mapping[str, Any]) -> Reply:
        return AnswerReply({"findings": findings_for(prompt_text(api, body), rules)})

    return respond
