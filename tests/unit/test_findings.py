"""parse_answer: what is kept, what is dropped and how drops are counted; the answer schema."""

from __future__ import annotations

import json
from typing import Any

import pytest

from reviewers.findings import (
    ANSWER_SCHEMA,
    MAX_FINDINGS,
    ModelAnswer,
    ModelFinding,
    parse_answer,
    strip_json_fence,
)
from reviewers.models import Category, Finding, Route, Severity, Side

PATHS = frozenset({"app.py", "lib/util.py"})
MODEL = "claude-haiku-5-5"


def finding(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "path": "app.py",
        "side": "RIGHT",
        "start_line": 3,
        "end_line": 4,
        "category": "defect",
        "severity": "high",
        "confidence": 0.8,
        "title": "Off by one",
        "body": "range(len(xs) - 1) skips the last element.",
        "suggestion": "for x in xs:",
    }
    return base | overrides


def answer(*findings: dict[str, Any]) -> str:
    return json.dumps({"findings": list(findings)})


def test_valid_answer_becomes_findings() -> None:
    parsed = parse_answer(answer(finding()), Route.FRONTIER, MODEL, PATHS)
    assert parsed.dropped == 0
    assert parsed.findings == (
        Finding(
            path="app.py",
            side=Side.RIGHT,
            start_line=3,
            end_line=4,
            category=Category.DEFECT,
            severity=Severity.HIGH,
            confidence=0.8,
            title="Off by one",
            body="range(len(xs) - 1) skips the last element.",
            route=Route.FRONTIER,
            source=MODEL,
            replacement="for x in xs:",
        ),
    )


def test_empty_findings_list_is_a_valid_answer() -> None:
    assert parse_answer('{"findings": []}', Route.SMALL, MODEL, PATHS) == parse_answer(
        answer(), Route.SMALL, MODEL, PATHS
    )
    assert parse_answer(answer(), Route.SMALL, MODEL, PATHS).dropped == 0


def test_left_side_suggestion_is_not_a_replacement() -> None:
    (kept,) = parse_answer(answer(finding(side="LEFT")), Route.SMALL, MODEL, PATHS).findings
    assert (kept.side, kept.replacement) == (Side.LEFT, None)


def test_side_defaults_to_right_when_omitted() -> None:
    item = finding()
    del item["side"]
    (kept,) = parse_answer(answer(item), Route.SMALL, MODEL, PATHS).findings
    assert kept.side is Side.RIGHT


@pytest.mark.parametrize(
    "text",
    [
        "",  # a refusal or a missing tool call comes back as ""
        "not json at all",
        '{"findings": [',  # truncated at max_tokens
        "[]",  # valid JSON, wrong top level
        '{"findings": {}}',
        '{"result": []}',
        '{"findings": [], "summary": "extra key"}',
        "Here you go: " + answer(finding()),  # prose around JSON is not stripped
        "```python\n" + answer(finding()) + "\n```",  # only json or bare fences are
    ],
    ids=[
        "empty",
        "garbage",
        "truncated",
        "list",
        "findings-not-list",
        "wrong-key",
        "extra-key",
        "prose",
        "python-fence",
    ],
)
def test_whole_answer_failure_drops_one(text: str) -> None:
    parsed = parse_answer(text, Route.FRONTIER, MODEL, PATHS)
    assert (parsed.findings, parsed.dropped) == ((), 1)


@pytest.mark.parametrize(
    "text",
    [
        "```json\n" + answer(finding()) + "\n```",
        "```\n" + answer(finding()) + "\n```",
        "  ```JSON\n" + answer(finding()) + "\n```  \n",
    ],
    ids=["json-fence", "bare-fence", "padded-upper"],
)
def test_fenced_json_is_unwrapped(text: str) -> None:
    parsed = parse_answer(text, Route.SMALL, MODEL, PATHS)
    assert (len(parsed.findings), parsed.dropped) == (1, 0)


@pytest.mark.parametrize(
    "bad",
    [
        finding(path="unknown.py"),  # not in the diff
        finding(start_line=5, end_line=4),  # reversed range
        finding(start_line=0, end_line=0),
        finding(start_line="3"),  # strings are not coerced to ints
        finding(start_line=3.0),
        finding(side="BOTH"),
        finding(category="style"),
        finding(severity="urgent"),
        finding(confidence=1.5),
        finding(confidence=True),
        finding(title=""),
        finding(title="t" * 121),
        finding(body="b" * 2001),
        finding(extra="field"),
        {k: v for k, v in finding().items() if k != "body"},
        "not an object",
        None,
    ],
    ids=[
        "unknown-path",
        "reversed-range",
        "line-zero",
        "string-line",
        "float-line",
        "bad-side",
        "bad-category",
        "bad-severity",
        "confidence-over-1",
        "bool-confidence",
        "empty-title",
        "long-title",
        "long-body",
        "extra-field",
        "missing-body",
        "string-item",
        "null-item",
    ],
)
def test_invalid_finding_is_dropped_and_its_siblings_kept(bad: Any) -> None:
    text = answer(finding(), bad, finding(path="lib/util.py", start_line=9, end_line=9))
    parsed = parse_answer(text, Route.FRONTIER, MODEL, PATHS)
    assert [(f.path, f.start_line) for f in parsed.findings] == [("app.py", 3), ("lib/util.py", 9)]
    assert parsed.dropped == 1


def test_mixed_answer_counts_every_drop() -> None:
    text = answer(
        finding(),
        finding(path="nope.py"),
        finding(confidence=-0.1),
        finding(title="boundary", confidence=1, start_line=7, end_line=7),
        finding(category="security", severity="critical", suggestion=None),
    )
    parsed = parse_answer(text, Route.FRONTIER, MODEL, PATHS)
    assert [f.title for f in parsed.findings] == ["Off by one", "boundary", "Off by one"]
    assert parsed.findings[1].confidence == 1.0
    assert parsed.findings[2].replacement is None
    assert parsed.dropped == 2


def test_findings_beyond_the_cap_are_dropped() -> None:
    items = [finding(start_line=n, end_line=n) for n in range(1, MAX_FINDINGS + 4)]
    parsed = parse_answer(answer(*items), Route.FRONTIER, MODEL, PATHS)
    assert (len(parsed.findings), parsed.dropped) == (MAX_FINDINGS, 3)
    assert parsed.findings[-1].start_line == MAX_FINDINGS


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('```json\n{"a": 1}\n```', '{"a": 1}'),
        ('```\n{"a": 1}\n```', '{"a": 1}'),
        ('{"a": 1}', '{"a": 1}'),
        ('```json {"a": 1}```', '```json {"a": 1}```'),  # one line: not a fence
        ('```json\n{"a": 1}', '```json\n{"a": 1}'),  # unclosed
    ],
)
def test_strip_json_fence(text: str, expected: str) -> None:
    assert strip_json_fence(text) == expected


def test_schema_and_models_agree() -> None:
    item = ANSWER_SCHEMA["properties"]["findings"]["items"]
    assert set(item["properties"]) == set(ModelFinding.model_fields)
    assert item["required"] == list(ModelFinding.model_fields)  # strict: all required
    assert list(ANSWER_SCHEMA["properties"]) == list(ModelAnswer.model_fields)
    assert item["properties"]["category"]["enum"] == [c.value for c in Category]
    assert item["properties"]["severity"]["enum"] == [s.value for s in Severity]


def _objects(schema: Any) -> list[dict[str, Any]]:
    if isinstance(schema, dict):
        found = [schema] if schema.get("type") == "object" else []
        return found + [o for value in schema.values() for o in _objects(value)]
    if isinstance(schema, list):
        return [o for value in schema for o in _objects(value)]
    return []


def test_schema_fits_strict_modes() -> None:
    objects = _objects(dict(ANSWER_SCHEMA))
    assert len(objects) == 2
    for obj in objects:
        assert obj["additionalProperties"] is False
        assert obj["required"] == list(obj["properties"])
    # Anthropic strict tools reject numeric and length bounds: they live in ModelFinding.
    text = json.dumps(ANSWER_SCHEMA)
    for keyword in ("minimum", "maximum", "minLength", "maxLength", "maxItems", "$ref"):
        assert f'"{keyword}"' not in text


def test_a_schema_valid_answer_validates_as_model_answer() -> None:
    validated = ModelAnswer.model_validate_json(answer(finding(), finding(suggestion=None)))
    assert len(validated.findings) == 2
