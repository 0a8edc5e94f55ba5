"""The OpenAPI description of the server's routes: what GitHub sends to /webhook, what comes back.

The webhook route reads the raw request (the signature covers the exact bytes), so FastAPI
cannot infer its headers or body; they are described here by hand, as GitHub documents
them, for readers of /openapi.json and for schemathesis (tests/fuzz/test_schemathesis.py).
"""

from __future__ import annotations

from typing import Any, Final

JSON = "application/json"
METRICS_CONTENT_TYPE: Final = "text/plain; version=0.0.4; charset=utf-8"


def header(name: str, required: bool, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "in": "header",
        "required": required,
        "description": description,
        "schema": schema,
    }


def json_response(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {JSON: {"schema": schema}}}


def error_response(description: str, code: str) -> dict[str, Any]:
    return json_response(
        description,
        {
            "type": "object",
            "required": ["error", "detail"],
            "properties": {"error": {"const": code}, "detail": {"type": "string"}},
        },
    )


WEBHOOK_HEADERS: Final = [
    header(
        "X-GitHub-Event",
        True,
        "The event name: pull_request, issue_comment, pull_request_review_comment, "
        "installation, ping, ...",
        {"type": "string", "minLength": 1, "examples": ["pull_request", "issue_comment", "ping"]},
    ),
    header(
        "X-GitHub-Delivery",
        True,
        "A GUID unique to the delivery; a redelivery repeats it. Jobs are keyed by it, so a "
        "delivery seen before is acknowledged and not run again.",
        {"type": "string", "minLength": 1},
    ),
    header(
        "X-Hub-Signature-256",
        False,
        "sha256= and the hex HMAC-SHA256 of the raw body keyed with the webhook secret. "
        "Required unless the server runs with allow_unsigned_dev (local development only).",
        {"type": "string", "pattern": "^sha256=[0-9a-f]{64}$"},
    ),
    header("X-GitHub-Hook-ID", False, "The webhook's id.", {"type": "string"}),
    header(
        "X-GitHub-Hook-Installation-Target-Type",
        False,
        "What the webhook belongs to: integration for a GitHub App.",
        {"type": "string"},
    ),
    header(
        "X-GitHub-Hook-Installation-Target-ID",
        False,
        "The id of the App (or repository, organization) the webhook belongs to.",
        {"type": "string"},
    ),
    header("User-Agent", False, "GitHub-Hookshot/<id>.", {"type": "string"}),
]

PAYLOAD_SCHEMA: Final[dict[str, Any]] = {
    "type": "object",
    "description": "The event payload as GitHub sends it; fields prbot does not use are ignored. "
    "A payload lacking a field its event needs is refused (400) before it is queued.",
    "properties": {
        "action": {"type": "string"},
        "installation": {"type": "object", "properties": {"id": {"type": "integer"}}},
        "repository": {"type": "object", "properties": {"full_name": {"type": "string"}}},
        "sender": {"type": "object", "properties": {"login": {"type": "string"}}},
    },
}

WEBHOOK_OPERATION: Final[dict[str, Any]] = {
    "parameters": WEBHOOK_HEADERS,
    "requestBody": {
        "required": True,
        "description": "At most max_body_bytes (GitHub caps payloads at 25 MB).",
        "content": {JSON: {"schema": PAYLOAD_SCHEMA}},
    },
}

WEBHOOK_RESPONSES: Final[dict[int | str, dict[str, Any]]] = {
    200: json_response(
        "A ping, answered at once.",
        {
            "type": "object",
            "required": ["pong", "delivery"],
            "properties": {"pong": {"type": "boolean"}, "delivery": {"type": "string"}},
        },
    ),
    202: json_response(
        "Accepted: the job is on disk, or the delivery was seen before (duplicate: true).",
        {
            "type": "object",
            "required": ["queued", "delivery"],
            "properties": {
                "queued": {"type": "boolean"},
                "duplicate": {"type": "boolean"},
                "delivery": {"type": "string"},
            },
        },
    ),
    400: error_response(
        "A required header is missing, or the body is not a usable payload.", "bad_delivery"
    ),
    401: error_response(
        "X-Hub-Signature-256 is missing or does not match the body.", "bad_signature"
    ),
    413: error_response("The body is larger than max_body_bytes; nothing is queued.", "too_large"),
    503: error_response(
        "The job queue cannot be written; GitHub may redeliver later.", "queue_unavailable"
    ),
}

READY_RESPONSES: Final[dict[int | str, dict[str, Any]]] = {
    200: json_response(
        "The queue answers and every worker is alive.",
        {
            "type": "object",
            "required": ["ready", "depth", "workers"],
            "properties": {
                "ready": {"type": "boolean"},
                "depth": {"type": "integer", "minimum": 0},
                "workers": {"type": "integer", "minimum": 0},
            },
        },
    ),
    503: json_response(
        "The queue cannot be reached, or a worker died.",
        {
            "type": "object",
            "required": ["ready", "error"],
            "properties": {"ready": {"type": "boolean"}, "error": {"type": "string"}},
        },
    ),
}

METRICS_RESPONSES: Final[dict[int | str, dict[str, Any]]] = {
    200: {
        "description": "Prometheus text exposition format (see docs/observability.md).",
        "content": {METRICS_CONTENT_TYPE: {"schema": {"type": "string"}}},
    },
}
