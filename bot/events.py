"""One webhook delivery (Event) and typed views of its payload, holding only the fields used.

The payload stays a plain dict inside Event (that is what is queued and replayed); handlers
read it through the pydantic models below, which ignore every field we do not use. A
payload that lacks a used field raises PayloadError, naming the event and delivery.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError


class PayloadError(ValueError):
    """A payload does not have the shape its event promises."""


class Payload(BaseModel):
    """Base of every payload model: immutable, unknown fields ignored."""

    model_config = ConfigDict(frozen=True, extra="ignore")


class User(Payload):
    login: str
    # "User", "Bot" or "Organization"; comments from bots (ourselves included) are ignored.
    type: str = "User"


class Label(Payload):
    name: str


class Repository(Payload):
    full_name: str


class Installation(Payload):
    id: int


class Ref(Payload):
    sha: str
    ref: str


class PullRequest(Payload):
    number: int
    state: str
    draft: bool = False
    head: Ref
    base: Ref
    user: User
    labels: tuple[Label, ...] = ()


class IssuePullRequestLink(Payload):
    # Its presence on `issue` is what tells a PR conversation comment from an issue comment.
    url: str = ""


class Issue(Payload):
    number: int
    pull_request: IssuePullRequestLink | None = None


class Comment(Payload):
    id: int
    body: str
    user: User
    # OWNER, MEMBER, COLLABORATOR, CONTRIBUTOR, FIRST_TIMER, ...: a cheap pre-filter only.
    author_association: str = "NONE"
    in_reply_to_id: int | None = None  # review comments only: the thread it answers


class PullRequestEvent(Payload):
    action: str
    pull_request: PullRequest
    repository: Repository
    sender: User
    installation: Installation | None = None


class IssueCommentEvent(Payload):
    action: str
    issue: Issue
    comment: Comment
    repository: Repository
    sender: User
    installation: Installation | None = None

    @property
    def on_pull_request(self) -> bool:
        return self.issue.pull_request is not None


class PullRequestReviewCommentEvent(Payload):
    action: str
    comment: Comment
    pull_request: PullRequest
    repository: Repository
    sender: User
    installation: Installation | None = None


class InstallationEvent(Payload):
    action: str
    installation: Installation
    sender: User
    # Present on `created`; absent on suspend/unsuspend and others.
    repositories: tuple[Repository, ...] = ()


class NumberRef(Payload):
    number: int


class Subject(Payload):
    """What a delivery is about, for queue keys: every field optional, so it never fails
    on events that carry no repository or number."""

    repository: Repository | None = None
    pull_request: NumberRef | None = None
    issue: Issue | None = None


PayloadT = TypeVar("PayloadT", bound=Payload)


@dataclass(frozen=True)
class Event:
    """One verified, parsed delivery. `payload` is the JSON object as GitHub sent it."""

    name: str
    action: str | None
    delivery_id: str
    installation_id: int | None
    payload: Mapping[str, Any]

    def view(self, model: type[PayloadT]) -> PayloadT:
        """The payload read through `model`; PayloadError if a used field is missing."""
        try:
            return model.model_validate(self.payload)
        except ValidationError as error:
            raise PayloadError(
                f"{self.name} delivery {self.delivery_id} is not a valid {model.__name__}: "
                f"{error.error_count()} error(s): {error.errors()[0]['loc']} "
                f"{error.errors()[0]['msg']}"
            ) from error

    def pull_request(self) -> PullRequestEvent:
        return self.view(PullRequestEvent)

    def issue_comment(self) -> IssueCommentEvent:
        return self.view(IssueCommentEvent)

    def review_comment(self) -> PullRequestReviewCommentEvent:
        return self.view(PullRequestReviewCommentEvent)

    def installation(self) -> InstallationEvent:
        return self.view(InstallationEvent)

    def subject(self) -> Subject:
        return self.view(Subject)


def build_event(name: str, delivery_id: str, payload: Mapping[str, Any]) -> Event:
    """An Event from a decoded payload: action and installation id read leniently."""
    action = payload.get("action")
    installation = payload.get("installation")
    installation_id = installation.get("id") if isinstance(installation, Mapping) else None
    return Event(
        name=name,
        action=action if isinstance(action, str) else None,
        delivery_id=delivery_id,
        installation_id=installation_id if isinstance(installation_id, int) else None,
        payload=payload,
    )
