"""Plays GitHub's side of a webhook: realistic payloads, signed and POSTed with its headers.

sender = WebhookSender(server.base_url, secret=b"s3cret")
first = sender.send("pull_request", pull_request_payload("opened"))
again = sender.resend(first.delivery)   # same X-GitHub-Delivery, as "Redeliver" does
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

import httpx

from bot.webhook import sign

REPO = "octo-org/widgets"
HEAD_SHA = "6dcb09b5b57875f334f61aebed695e2e4193db5e"
BASE_SHA = "9049f1265b7d61be4a8904a9a27120d2064dab3b"
INSTALLATION_ID = 4242
APP_USER = "prbot[bot]"


def user(login: str = "octocat", kind: str = "User") -> dict[str, Any]:
    return {
        "login": login,
        "id": 583231,
        "node_id": "MDQ6VXNlcjU4MzIzMQ==",
        "type": kind,
        "site_admin": False,
        "html_url": f"https://github.com/{login}",
    }


def repository(full_name: str = REPO) -> dict[str, Any]:
    owner, name = full_name.split("/")
    return {
        "id": 1296269,
        "name": name,
        "full_name": full_name,
        "private": False,
        "owner": user(owner, "Organization"),
        "default_branch": "main",
        "html_url": f"https://github.com/{full_name}",
    }


def pull_request(number: int = 12, head_sha: str = HEAD_SHA, **changes: Any) -> dict[str, Any]:
    pr: dict[str, Any] = {
        "url": f"https://api.github.com/repos/{REPO}/pulls/{number}",
        "id": 1000 + number,
        "number": number,
        "state": "open",
        "locked": False,
        "title": "Add widget sorting",
        "user": user("contributor"),
        "body": "Sorts widgets by weight.",
        "labels": [{"id": 208045946, "name": "enhancement", "color": "a2eeef"}],
        "draft": False,
        "merged": False,
        "head": {"label": "contributor:sort", "ref": "sort", "sha": head_sha, "repo": repository()},
        "base": {"label": "octo-org:main", "ref": "main", "sha": BASE_SHA, "repo": repository()},
        "author_association": "CONTRIBUTOR",
        "commits": 3,
        "additions": 40,
        "deletions": 2,
        "changed_files": 2,
    }
    pr.update(changes)
    return pr


def installation(installation_id: int = INSTALLATION_ID) -> dict[str, Any]:
    return {"id": installation_id, "node_id": "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ=="}


def pull_request_payload(action: str, number: int = 12, **pr_changes: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "action": action,
        "number": number,
        "pull_request": pull_request(number, **pr_changes),
        "repository": repository(),
        "sender": user("contributor"),
        "installation": installation(),
    }
    if action == "synchronize":
        payload.update(before=BASE_SHA, after=payload["pull_request"]["head"]["sha"])
    if action == "closed":
        payload["pull_request"]["state"] = "closed"
    return payload


def comment(
    body: str,
    author: str = "maintainer",
    association: str = "MEMBER",
    kind: str = "User",
    comment_id: int = 1_100_000,
) -> dict[str, Any]:
    return {
        "id": comment_id,
        "node_id": "IC_kwDOAbCdEf",
        "body": body,
        "user": user(author, kind),
        "author_association": association,
        "created_at": "2026-11-28T12:00:00Z",
        "updated_at": "2026-11-28T12:00:00Z",
    }


def issue_comment_payload(
    body: str = "/review",
    number: int = 12,
    on_pull_request: bool = True,
    author: str = "maintainer",
    association: str = "MEMBER",
    kind: str = "User",
) -> dict[str, Any]:
    issue: dict[str, Any] = {
        "number": number,
        "title": "Add widget sorting",
        "state": "open",
        "user": user("contributor"),
        "labels": [],
    }
    if on_pull_request:
        issue["pull_request"] = {
            "url": f"https://api.github.com/repos/{REPO}/pulls/{number}",
            "html_url": f"https://github.com/{REPO}/pull/{number}",
        }
    return {
        "action": "created",
        "issue": issue,
        "comment": comment(body, author, association, kind),
        "repository": repository(),
        "sender": user(author, kind),
        "installation": installation(),
    }


def review_comment_payload(
    body: str = "Why?", number: int = 12, in_reply_to_id: int | None = 2_200_000
) -> dict[str, Any]:
    note = comment(body, comment_id=2_200_001)
    note.update(
        path="src/widgets.py",
        line=14,
        side="RIGHT",
        commit_id=HEAD_SHA,
        diff_hunk="@@ -10,3 +10,6 @@ def sort(widgets):",
    )
    if in_reply_to_id is not None:
        note["in_reply_to_id"] = in_reply_to_id
    return {
        "action": "created",
        "comment": note,
        "pull_request": pull_request(number),
        "repository": repository(),
        "sender": user("maintainer"),
        "installation": installation(),
    }


def installation_payload(action: str = "created") -> dict[str, Any]:
    return {
        "action": action,
        "installation": {
            **installation(),
            "account": user("octo-org", "Organization"),
            "app_id": 99,
            "target_type": "Organization",
        },
        "repositories": [{"id": 1296269, "name": "widgets", "full_name": REPO, "private": False}],
        "sender": user("maintainer"),
    }


def ping_payload() -> dict[str, Any]:
    return {"zen": "Design for failure.", "hook_id": 30, "hook": {"type": "App", "id": 30}}


@dataclass(frozen=True)
class Delivery:
    """One delivery as GitHub would send it: the exact body bytes and headers."""

    event: str
    delivery_id: str
    body: bytes
    headers: dict[str, str]


def build_delivery(
    event: str,
    payload: dict[str, Any],
    secret: bytes | None,
    delivery_id: str | None = None,
    hook_id: int = 30,
) -> Delivery:
    """Serialise and sign; `secret=None` sends no signature header (unsigned dev mode)."""
    delivery_id = delivery_id or str(uuid.uuid4())
    body = json.dumps(payload).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "GitHub-Hookshot/a1b2c3d",
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": delivery_id,
        "X-GitHub-Hook-ID": str(hook_id),
        "X-GitHub-Hook-Installation-Target-Type": "integration",
        "X-GitHub-Hook-Installation-Target-ID": "99",
    }
    if secret is not None:
        headers["X-Hub-Signature-256"] = sign(secret, body)
    return Delivery(event, delivery_id, body, headers)


@dataclass(frozen=True)
class Sent:
    delivery: Delivery
    response: httpx.Response


class WebhookSender:
    """POSTs deliveries to `<base_url>/webhook` with a real httpx client."""

    def __init__(self, base_url: str, secret: bytes | None, path: str = "/webhook") -> None:
        self.url = base_url.rstrip("/") + path
        self.secret = secret
        self.client = httpx.Client(timeout=10.0)

    def send(self, event: str, payload: dict[str, Any], delivery_id: str | None = None) -> Sent:
        delivery = build_delivery(event, payload, self.secret, delivery_id)
        return Sent(delivery, self.post(delivery))

    def resend(self, delivery: Delivery) -> httpx.Response:
        """GitHub's "Redeliver": same delivery id, same body, same signature."""
        return self.post(delivery)

    def post(self, delivery: Delivery) -> httpx.Response:
        return self.client.post(self.url, content=delivery.body, headers=delivery.headers)

    def post_raw(self, body: bytes, headers: dict[str, str]) -> httpx.Response:
        """Anything at all: for malformed, unsigned or oversized requests."""
        return self.client.post(self.url, content=body, headers=headers)

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> WebhookSender:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
