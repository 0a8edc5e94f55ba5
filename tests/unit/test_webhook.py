"""verify_signature, parse_event and the typed payload views, on GitHub-shaped deliveries."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.events import (
    Event,
    InstallationEvent,
    IssueCommentEvent,
    PayloadError,
    PullRequestEvent,
    PullRequestReviewCommentEvent,
)
from bot.webhook import BadDelivery, SignatureError, parse_event, sign, verify_signature
from tests.fakes import webhook_sender as gh

SECRET = b"It's a Secret to Everybody"
BODY = b"Hello, World!"
VECTOR = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"


def test_signature_matches_githubs_test_vector() -> None:
    assert sign(SECRET, BODY) == VECTOR
    verify_signature(SECRET, BODY, VECTOR)  # does not raise


@pytest.mark.parametrize(
    ("secret", "body", "header", "message"),
    [
        (b"not the secret", BODY, VECTOR, "does not match"),
        (SECRET, b"Hello, World?", VECTOR, "does not match"),  # tampered body
        (SECRET, BODY + b" ", VECTOR, "does not match"),  # one extra byte
        (SECRET, BODY, None, "missing"),
        (SECRET, BODY, "", "missing"),
        (SECRET, BODY, VECTOR.removeprefix("sha256="), "sha256="),
        (SECRET, BODY, "sha1=" + VECTOR.removeprefix("sha256="), "sha256="),
        (SECRET, BODY, VECTOR[:-1], "does not match"),  # truncated digest
        (SECRET, BODY, VECTOR.upper().replace("SHA256=", "sha256="), "does not match"),
        (b"", BODY, VECTOR, "no webhook secret"),
    ],
)
def test_signature_rejected(secret: bytes, body: bytes, header: str | None, message: str) -> None:
    with pytest.raises(SignatureError, match=message):
        verify_signature(secret, body, header)


def headers(event: str | None = "pull_request", delivery: str | None = "d-1") -> dict[str, str]:
    found = {"Content-Type": "application/json"}
    if event is not None:
        found["X-GitHub-Event"] = event
    if delivery is not None:
        found["X-GitHub-Delivery"] = delivery
    return found


def test_parse_event_reads_headers_and_payload() -> None:
    body = json.dumps(gh.pull_request_payload("opened")).encode()
    event = parse_event(headers(delivery="72d3162e-cc78-11e3-81ab-4c9367dc0958"), body)
    assert event.name == "pull_request"
    assert event.action == "opened"
    assert event.delivery_id == "72d3162e-cc78-11e3-81ab-4c9367dc0958"
    assert event.installation_id == gh.INSTALLATION_ID
    assert event.payload["number"] == 12


def test_parse_event_headers_are_case_insensitive_and_action_optional() -> None:
    event = parse_event({"x-github-event": "ping", "x-github-delivery": "d-9"}, b'{"zen": "z"}')
    assert (event.name, event.action, event.delivery_id, event.installation_id) == (
        "ping",
        None,
        "d-9",
        None,
    )


@pytest.mark.parametrize(
    ("hdrs", "body", "message"),
    [
        (headers(event=None), b"{}", "missing X-GitHub-Event"),
        (headers(delivery=None), b"{}", "missing X-GitHub-Delivery"),
        (headers(event=""), b"{}", "missing X-GitHub-Event"),
        (headers(), b'{"action": "opened"', "not valid JSON"),
        (headers(), b"payload=%7B%7D", "not valid JSON"),  # form-encoded delivery
        (headers(), b"", "not valid JSON"),
        (headers(), b"\xff\xfe\x00", "not valid JSON"),
        (headers(), b"[1, 2]", "JSON list, expected an object"),
        (headers(), b'"text"', "JSON str, expected an object"),
        (headers(), b"null", "JSON NoneType, expected an object"),
    ],
)
def test_parse_event_rejects(hdrs: dict[str, str], body: bytes, message: str) -> None:
    with pytest.raises(BadDelivery, match=message):
        parse_event(hdrs, body)


def event_of(name: str, payload: dict[str, Any]) -> Event:
    return parse_event(headers(name, "d-7"), json.dumps(payload).encode())


def test_pull_request_view() -> None:
    view = event_of("pull_request", gh.pull_request_payload("synchronize", number=7)).pull_request()
    assert isinstance(view, PullRequestEvent)
    assert view.action == "synchronize"
    assert view.repository.full_name == gh.REPO
    pr = view.pull_request
    assert (pr.number, pr.state, pr.draft) == (7, "open", False)
    assert (pr.head.sha, pr.base.sha, pr.base.ref) == (gh.HEAD_SHA, gh.BASE_SHA, "main")
    assert (pr.user.login, pr.user.type) == ("contributor", "User")
    assert [label.name for label in pr.labels] == ["enhancement"]
    assert view.sender.login == "contributor"
    assert view.installation is not None and view.installation.id == gh.INSTALLATION_ID


@pytest.mark.parametrize(("on_pr", "expected"), [(True, True), (False, False)])
def test_issue_comment_view_tells_pull_request_comments(on_pr: bool, expected: bool) -> None:
    payload = gh.issue_comment_payload("/review", on_pull_request=on_pr, kind="Bot")
    view = event_of("issue_comment", payload).issue_comment()
    assert isinstance(view, IssueCommentEvent)
    assert view.on_pull_request is expected
    assert view.issue.number == 12
    assert (view.comment.body, view.comment.author_association) == ("/review", "MEMBER")
    assert (view.comment.user.login, view.comment.user.type) == ("maintainer", "Bot")
    assert view.sender.type == "Bot"


@pytest.mark.parametrize("reply_to", [2_200_000, None])
def test_review_comment_view(reply_to: int | None) -> None:
    payload = gh.review_comment_payload("Why?", in_reply_to_id=reply_to)
    view = event_of("pull_request_review_comment", payload).review_comment()
    assert isinstance(view, PullRequestReviewCommentEvent)
    assert (view.comment.id, view.comment.in_reply_to_id) == (2_200_001, reply_to)
    assert view.pull_request.number == 12


def test_installation_view() -> None:
    view = event_of("installation", gh.installation_payload("created")).installation()
    assert isinstance(view, InstallationEvent)
    assert (view.action, view.installation.id) == ("created", gh.INSTALLATION_ID)
    assert [r.full_name for r in view.repositories] == [gh.REPO]


def test_view_of_wrong_shape_names_the_delivery_and_field() -> None:
    payload = gh.pull_request_payload("opened")
    del payload["pull_request"]["head"]
    with pytest.raises(
        PayloadError, match=r"pull_request delivery d-7 .*: pull_request.head: Field required"
    ):
        event_of("pull_request", payload).pull_request()
