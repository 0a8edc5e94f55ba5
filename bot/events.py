"""One webhook delivery (Event) and typed views of its payload, holding only the fields used.

The payload stays a plain dict inside Event (that is what is queued and replayed); handlers
read it through the pydantic models below, which ignore every field we do not use. A
payload that lacks a used field raises PayloadError, naming the event and delivery.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Annotated, Any, Final, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

# GitHub's ids and numbers are positive 64-bit integers. A bigger one is no real id and
# cannot be stored (SQLite INTEGER): refused at intake, with the field named.
MAX_ID: Final = 2**63 - 1
GitHubId = Annotated[int, Field(strict=True, ge=1, le=MAX_ID)]


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
    id: GitHubId


class Ref(Payload):
    sha: str
    ref: str


class PullRequest(Payload):
    number: GitHubId
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
    number: GitHubId
    pull_request: IssuePullRequestLink | None = None


class Comment(Payload):
    id: GitHubId
    body: str
    user: User
    # OWNER, MEMBER, COLLABORATOR, CONTRIBUTOR, FIRST_TIMER, ...: a cheap pre-filter only.
    author_association: str = "NONE"
    in_reply_to_id: GitHubId | None = None  # review comments only: the thread it answers


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
    number: GitHubId


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
            first = error.errors()[0]
            field = ".".join(str(part) for part in first["loc"]) or "(payload)"
            raise PayloadError(
                f"{self.name} delivery {self.delivery_id} is not a valid {model.__name__}: "
                f"{field}: {first['msg']} ({error.error_count()} error(s))"
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


# What the handlers read of each event they handle: checked at intake, so a delivery that
# lacks a field is refused (400, the field named) instead of failing for good in a worker.
HANDLED: Final[Mapping[str, type[Payload]]] = {
    "pull_request": PullRequestEvent,
    "issue_comment": IssueCommentEvent,
    "pull_request_review_comment": PullRequestReviewCommentEvent,
    "installation": InstallationEvent,
}


class Envelope(Payload):
    """What every delivery may carry and the queue stores in columns of its own."""

    installation: Installation | None = None


def build_event(name: str, delivery_id: str, payload: Mapping[str, Any]) -> Event:
    """An Event from a decoded payload; PayloadError when the installation, the ids the
    queue keys on, or (for a handled event) a field its handler reads is malformed."""
    action = payload.get("action")
    event = Event(
        name=name,
        action=action if isinstance(action, str) else None,
        delivery_id=delivery_id,
        installation_id=None,
        payload=payload,
    )
    envelope = event.view(Envelope)
    event.subject()  # the queue key's repository and number
    model = HANDLED.get(name)
    if model is not None:
        event.view(model)
    installation = envelope.installation.id if envelope.installation else None
    return replace(event, installation_id=installation)
