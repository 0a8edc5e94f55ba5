"""parse_answer on arbitrary and JSON-shaped model output: never raises, every drop counted."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from reviewers.findings import MAX_FINDINGS, ParsedAnswer, parse_answer
from reviewers.models import Route
from tests.fuzz.conftest import FUZZ

PATHS = ("app/users.py", "b.py")
VALID = {
    "path": "app/users.py",
    "side": "RIGHT",
    "start_line": 4,
    "end_line": 5,
    "category": "security",
    "severity": "high",
    "confidence": 0.9,
    "title": "SQL built by string formatting",
    "body": "Use a parameterised query.",
    "suggestion": None,
}
ODD_VALUES = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-5, max_value=10**12)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
    | st.sampled_from(["LEFT", "RIGHT", "left", "12", "security", "blocker", "b.py", "../x"])
    | st.lists(st.integers(), max_size=2)
)


@st.composite
def findings(draw: st.DrawFn) -> dict[str, Any]:
    """A valid finding with some fields changed, removed or added."""
    item = dict(VALID)
    for name in draw(st.lists(st.sampled_from([*VALID, "extra"]), max_size=3)):
        if draw(st.booleans()):
            item[name] = draw(ODD_VALUES)
        else:
            item.pop(name, None)
    return item


ENVELOPES = st.fixed_dictionaries(
    {"findings": st.lists(findings() | ODD_VALUES, max_size=8)},
    optional={"summary": st.text(max_size=5)},
)
JSONISH = st.one_of(
    st.text(max_size=200),
    ENVELOPES.map(json.dumps),
    ENVELOPES.map(lambda e: "```json\n" + json.dumps(e) + "\n```"),
    ENVELOPES.map(lambda e: json.dumps(e)[: len(json.dumps(e)) // 2]),  # cut off mid-answer
    st.recursive(ODD_VALUES, lambda inner: st.lists(inner, max_size=3), max_leaves=8).map(
        json.dumps
    ),
)


def expected_items(text: str) -> int | None:
    """How many findings the answer holds, when it is a well-formed envelope."""
    try:
        value = json.loads(text.strip().removeprefix("```json").removesuffix("```"))
    except json.JSONDecodeError:
        return None
    if (
        isinstance(value, dict)
        and set(value) == {"findings"}
        and isinstance(value["findings"], list)
    ):
        return len(value["findings"])
    return None


def check(text: str, parsed: ParsedAnswer) -> None:
    assert parsed.dropped >= 0
    assert all(f.path in PATHS for f in parsed.findings)
    items = expected_items(text)
    if items is None:
        assert parsed.findings == () and parsed.dropped == 1
    else:
        assert len(parsed.findings) + parsed.dropped == items
        assert len(parsed.findings) <= MAX_FINDINGS


@FUZZ
@given(text=JSONISH)
def test_json_shaped_answers(tally: Counter[str], text: str) -> None:
    tally["findings.parse_answer(JSON-shaped)"] += 1
    check(text, parse_answer(text, Route.FRONTIER, "model-x", PATHS))


@FUZZ
@given(text=st.text(max_size=300))
def test_arbitrary_text(tally: Counter[str], text: str) -> None:
    tally["findings.parse_answer(arbitrary text)"] += 1
    parsed = parse_answer(text, Route.SMALL, "model-x", PATHS)
    assert parsed.dropped >= 0 and all(f.path in PATHS for f in parsed.findings)


# Found by this fuzzing (see docs/reliability.md): a deeply nested answer made json.loads
# raise RecursionError, which escaped parse_answer and failed the whole review job.
def test_deeply_nested_answer_is_dropped_not_raised() -> None:
    text = '{"findings": ' + "[" * 100_000 + "]" * 100_000 + "}"
    parsed = parse_answer(text, Route.FRONTIER, "model-x", PATHS)
    assert parsed == ParsedAnswer(findings=(), dropped=1)
