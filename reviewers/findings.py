"""Schema-checked model output -> Finding; invalid answers and findings are dropped and counted.

The model answers {"findings": [...]} (ANSWER_SCHEMA). Validation is strict (a line number sent
as "12" or 12.0 is a failure, not a coercion), and nothing is repaired: the one transformation
is stripping a ```json fence around an otherwise valid JSON text, because openai-compatible
local servers in json_object mode often add one.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from reviewers.models import Category, Finding, Route, Severity, Side

MAX_FINDINGS: Final = 50
MAX_TITLE_CHARS: Final = 120
MAX_BODY_CHARS: Final = 2000


class ModelFinding(BaseModel):
    """One finding as the model states it; line numbers are 1-based on `side`."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    path: str = Field(min_length=1)
    side: Literal["LEFT", "RIGHT"] = "RIGHT"
    start_line: int = Field(ge=1)
    end_line: int = Field(ge=1)
    # Enums arrive as JSON strings; strict mode would only accept enum instances.
    category: Annotated[Category, Field(strict=False)]
    severity: Annotated[Severity, Field(strict=False)]
    confidence: float = Field(ge=0.0, le=1.0)
    title: str = Field(min_length=1, max_length=MAX_TITLE_CHARS)
    body: str = Field(min_length=1, max_length=MAX_BODY_CHARS)
    suggestion: str | None = None

    @model_validator(mode="after")
    def _check_range(self) -> ModelFinding:
        if self.end_line < self.start_line:
            raise ValueError(f"end_line {self.end_line} < start_line {self.start_line}")
        return self


class ModelAnswer(BaseModel):
    """The whole answer; parse_answer validates its findings one by one instead."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    findings: list[ModelFinding] = Field(max_length=MAX_FINDINGS)


class _Envelope(BaseModel):
    """The top level only, so one bad finding does not sink its siblings."""

    model_config = ConfigDict(extra="forbid", strict=True)

    findings: list[Any]


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


# Hand-written, not ModelFinding.model_json_schema(): strict modes accept a subset of JSON
# Schema. Anthropic strict tools reject numeric bounds (minimum/maximum) and string lengths;
# OpenAI strict json_schema needs every property listed in `required` and
# additionalProperties: false on every object, and expresses "optional" as a nullable type.
# The bounds live in ModelFinding and in the descriptions instead.
_FINDING_SCHEMA: Final[dict[str, Any]] = {
    "type": "object",
    "properties": {
        "path": {"type": "string", "description": "File path exactly as in the diff header."},
        "side": {
            "type": "string",
            "enum": ["LEFT", "RIGHT"],
            "description": "RIGHT: new file (added or context lines); LEFT: removed lines.",
        },
        "start_line": {"type": "integer", "description": "First line (1-based) on `side`."},
        "end_line": {"type": "integer", "description": "Last line, >= start_line."},
        "category": {"type": "string", "enum": [c.value for c in Category]},
        "severity": {"type": "string", "enum": [s.value for s in Severity]},
        "confidence": {"type": "number", "description": "0 to 1: how sure you are."},
        "title": {"type": "string", "description": f"One line, <= {MAX_TITLE_CHARS} chars."},
        "body": {"type": "string", "description": f"Why it matters, <= {MAX_BODY_CHARS} chars."},
        "suggestion": _nullable(
            {
                "type": "string",
                "description": "Replacement text for start_line..end_line (RIGHT side only).",
            }
        ),
    },
    "required": [
        "path",
        "side",
        "start_line",
        "end_line",
        "category",
        "severity",
        "confidence",
        "title",
        "body",
        "suggestion",
    ],
    "additionalProperties": False,
}

ANSWER_SCHEMA: Final[Mapping[str, Any]] = {
    "type": "object",
    "properties": {
        "findings": {
            "type": "array",
            "description": f"At most {MAX_FINDINGS} findings; an empty list if nothing is wrong.",
            "items": _FINDING_SCHEMA,
        }
    },
    "required": ["findings"],
    "additionalProperties": False,
}


@dataclass(frozen=True, slots=True)
class ParsedAnswer:
    findings: tuple[Finding, ...]
    dropped: int  # invalid findings, or 1 for a whole answer that failed


def strip_json_fence(text: str) -> str:
    """The text inside a ```json (or bare ```) fence that wraps the whole answer, else the text."""
    stripped = text.strip()
    lines = stripped.splitlines()
    if len(lines) < 2 or lines[-1].strip() != "```":
        return stripped
    opener = lines[0].strip().lower()
    if opener not in ("```", "```json"):
        return stripped
    return "\n".join(lines[1:-1]).strip()


def parse_answer(text: str, route: Route, model: str, paths: Collection[str]) -> ParsedAnswer:
    """Validate a model's answer; keep the valid findings on known paths, count the rest."""
    try:
        envelope = _Envelope.model_validate(json.loads(strip_json_fence(text)))
    # RecursionError: absurdly nested JSON (a model can be talked into it) is just invalid.
    except (json.JSONDecodeError, ValidationError, RecursionError):
        return ParsedAnswer(findings=(), dropped=1)
    kept: list[Finding] = []
    for item in envelope.findings[:MAX_FINDINGS]:
        finding = _validate_finding(item, paths)
        if finding is not None:
            kept.append(_to_finding(finding, route, model))
    return ParsedAnswer(findings=tuple(kept), dropped=len(envelope.findings) - len(kept))


def _validate_finding(item: object, paths: Collection[str]) -> ModelFinding | None:
    try:
        finding = ModelFinding.model_validate(item)
    except ValidationError:
        return None
    return finding if finding.path in paths else None


def _to_finding(finding: ModelFinding, route: Route, model: str) -> Finding:
    side = Side(finding.side)
    return Finding(
        path=finding.path,
        side=side,
        start_line=finding.start_line,
        end_line=finding.end_line,
        category=finding.category,
        severity=finding.severity,
        confidence=finding.confidence,
        title=finding.title,
        body=finding.body,
        route=route,
        source=model,
        # Finding.replacement is text for the RIGHT side; a suggestion on removed lines has
        # nothing to replace, so it is not carried over (the finding itself is kept).
        replacement=finding.suggestion if side is Side.RIGHT else None,
    )
