"""The JSON-schema subsets the vendors' constrained decoding accepts (strict tools, strict
json_schema, JSON outputs): why a schema would be refused, for the fake's request rules.

Anthropic: the keywords the SDK's transform_schema keeps (anthropic.lib._parse._transform),
minItems 0 or 1 only, its string formats, closed objects. OpenAI: the structured outputs
guide's supported keywords, every property required, closed objects, an object at the
root, and its size limits.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

OPENAI_MAX_DEPTH = 10
OPENAI_MAX_PROPERTIES = 5000
OPENAI_MAX_ENUM_VALUES = 1000
ANTHROPIC_KEYWORDS = frozenset(
    {
        "type", "properties", "required", "additionalProperties", "items", "enum", "const",
        "anyOf", "allOf", "$ref", "$defs", "definitions", "description", "title", "default",
        "format", "pattern", "minItems",
    }
)  # fmt: skip
ANTHROPIC_FORMATS = frozenset(
    {"date-time", "time", "date", "duration", "email", "hostname", "uri", "ipv4", "ipv6", "uuid"}
)
OPENAI_KEYWORDS = frozenset(
    {
        "type", "properties", "required", "additionalProperties", "items", "enum", "const",
        "anyOf", "$ref", "$defs", "definitions", "description", "title", "pattern", "format",
        "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
        "minItems", "maxItems",
    }
)  # fmt: skip


def _walk(schema: Any, where: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every subschema with its path (properties, items, anyOf/allOf members, $defs)."""
    if not isinstance(schema, Mapping):
        return
    yield where, schema
    for key, sub in (schema.get("properties") or {}).items():
        yield from _walk(sub, (*where, "properties", key))
    if isinstance(schema.get("items"), Mapping):
        yield from _walk(schema["items"], (*where, "items"))
    for word in ("anyOf", "allOf"):
        for index, sub in enumerate(schema.get(word) or []):
            yield from _walk(sub, (*where, word, str(index)))
    for word in ("$defs", "definitions"):
        for key, sub in (schema.get(word) or {}).items():
            yield from _walk(sub, (*where, word, key))


def _is_object(schema: Mapping[str, Any]) -> bool:
    kind = schema.get("type")
    return kind == "object" or (isinstance(kind, list) and "object" in kind)


def anthropic_schema_problems(schema: Any) -> list[str]:
    """Why Anthropic's strict tools / JSON outputs would refuse `schema` (empty: accepted)."""
    problems: list[str] = []
    for where, sub in _walk(schema):
        at = "/".join(where) or "(root)"
        for key in sub:
            if key not in ANTHROPIC_KEYWORDS:
                problems.append(f"{at}: '{key}' is not supported in strict mode")
        if _is_object(sub) and sub.get("additionalProperties") is not False:
            problems.append(f"{at}: objects must set additionalProperties to false")
        if "minItems" in sub and sub["minItems"] not in (0, 1):
            problems.append(f"{at}: minItems values other than 0 and 1 are not supported")
        if "format" in sub and sub["format"] not in ANTHROPIC_FORMATS:
            problems.append(f"{at}: string format '{sub['format']}' is not supported")
        if "enum" in sub and any(isinstance(v, Mapping | list) for v in sub["enum"]):
            problems.append(f"{at}: enum values must be primitives")
    return problems


def openai_schema_problems(schema: Any) -> list[str]:
    """Why OpenAI's strict json_schema would refuse `schema` (empty: accepted)."""
    if not isinstance(schema, Mapping) or schema.get("type") != "object":
        return ["schema must be a JSON Schema of 'type: \"object\"' at the root"]
    problems: list[str] = []
    properties = enums = 0
    for where, sub in _walk(schema):
        context = f"In context={where!r}"
        depth = sum(1 for part in where if part in ("properties", "items"))
        if depth > OPENAI_MAX_DEPTH:
            problems.append(f"{context}, the schema nests more than {OPENAI_MAX_DEPTH} levels")
        for key in sub:
            if key not in OPENAI_KEYWORDS:
                problems.append(f"{context}, '{key}' is not permitted.")
        if "anyOf" in sub and not where:
            problems.append(f"{context}, the root must not be 'anyOf'.")
        if _is_object(sub):
            names = list((sub.get("properties") or {}).keys())
            properties += len(names)
            missing = [n for n in names if n not in (sub.get("required") or [])]
            if missing:
                problems.append(
                    f"{context}, 'required' is required to be supplied and to be an array "
                    f"including every key in properties. Missing '{missing[0]}'."
                )
            if sub.get("additionalProperties") is not False:
                problems.append(
                    f"{context}, 'additionalProperties' is required to be supplied and to be false."
                )
        enums += len(sub.get("enum") or [])
    if properties > OPENAI_MAX_PROPERTIES:
        problems.append(f"the schema has more than {OPENAI_MAX_PROPERTIES} object properties")
    if enums > OPENAI_MAX_ENUM_VALUES:
        problems.append(f"the schema has more than {OPENAI_MAX_ENUM_VALUES} enum values")
    return problems
