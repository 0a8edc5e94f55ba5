"""Webhook intake on arbitrary bytes and headers: a verdict or our own error, nothing else."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from bot.events import HANDLED, MAX_ID, PayloadError
from bot.jobs import job_for
from bot.webhook import BadDelivery, SignatureError, parse_event, sign, verify_signature
from tests.fuzz.conftest import FUZZ

JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=20,
)
# Near what GitHub sends: the keys our payload models read, with values of any shape.
GITHUB_KEYS = ("action", "installation", "repository", "pull_request", "issue", "comment", "sender")
PAYLOADS = st.dictionaries(
    st.sampled_from(GITHUB_KEYS) | st.text(max_size=8),
    JSON_VALUES
    | st.fixed_dictionaries(
        {},
        optional={
            "id": JSON_SCALARS,
            "number": JSON_SCALARS,
            "full_name": st.sampled_from(["o/r", "o", "", "o/r/x", "/"]) | JSON_SCALARS,
            "pull_request": JSON_VALUES,
        },
    ),
    max_size=7,
)
BODIES = (
    st.binary(max_size=300)
    | JSON_VALUES.map(lambda v: json.dumps(v).encode())
    | PAYLOADS.map(lambda v: json.dumps(v).encode())
)
HEADER_NAMES = st.sampled_from(
    ["X-GitHub-Event", "x-github-event", "X-GitHub-Delivery", "X-GITHUB-DELIVERY", "Content-Type"]
) | st.text(max_size=10)
HEADERS = st.dictionaries(HEADER_NAMES, st.text(max_size=40), max_size=5)


@FUZZ
@given(secret=st.binary(max_size=40), body=st.binary(max_size=300), header=st.none() | st.text())
def test_verify_signature_accepts_or_raises_signature_error(
    tally: Counter[str], secret: bytes, body: bytes, header: str | None
) -> None:
    tally["webhook.verify_signature"] += 1
    try:
        verify_signature(secret, body, header)
    except SignatureError:
        return
    assert secret and header is not None and header.strip() == sign(secret, body)


@FUZZ
@given(
    secret=st.binary(min_size=1, max_size=40),
    body=st.binary(max_size=300),
    flip=st.integers(min_value=0, max_value=70),
)
def test_only_the_exact_signature_verifies(
    tally: Counter[str], secret: bytes, body: bytes, flip: int
) -> None:
    tally["webhook.signature_flip"] += 1
    good = sign(secret, body)
    verify_signature(secret, body, good)
    index = flip % len(good)
    bad = good[:index] + ("0" if good[index] != "0" else "1") + good[index + 1 :]
    try:
        verify_signature(secret, body, bad)
    except SignatureError:
        return
    raise AssertionError(f"a changed signature verified: {bad}")


@FUZZ
@given(headers=HEADERS, body=BODIES)
def test_parse_event_gives_an_event_or_bad_delivery(
    tally: Counter[str], headers: dict[str, str], body: bytes
) -> None:
    tally["webhook.parse_event(arbitrary headers)"] += 1
    try:
        event = parse_event(headers, body)
    except (BadDelivery, PayloadError):  # both answer 400
        return
    assert isinstance(event.payload, dict)
    assert event.delivery_id and event.name
    assert event.installation_id is None or 1 <= event.installation_id <= MAX_ID
    if event.name in HANDLED:  # what its handler reads was checked at intake
        event.view(HANDLED[event.name])


@FUZZ
@given(event=st.sampled_from(["pull_request", "issue_comment", "ping", "x"]), body=BODIES)
def test_a_parsed_event_is_queued_as_a_job_or_refused_with_payload_error(
    tally: Counter[str], event: str, body: bytes
) -> None:
    tally["webhook.parse_event+job_for"] += 1
    headers = {"X-GitHub-Event": event, "X-GitHub-Delivery": "fuzz-1"}
    try:
        parsed = parse_event(headers, body)
        job = job_for(parsed)
    except (BadDelivery, PayloadError):
        return
    again: Any = job.to_event()
    assert (again.name, again.delivery_id, again.action) == (event, "fuzz-1", parsed.action)
    assert json.loads(job.payload) == json.loads(json.dumps(parsed.payload))
    if job.key is not None:
        repo, _, number = job.key.rpartition("#")
        assert repo and number.lstrip("-").isdigit()
