"""Frozen values the GitHub client returns and takes, and their parsing from GitHub's JSON."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from github.PullRequest import ReviewComment

from reviewers.models import Side


@dataclass(frozen=True, slots=True)
class Identity:
    """Who prbot is on GitHub. Its comments are written by `<slug>[bot]` and, where GitHub
    says so (performed_via_github_app), through App `app_id`. "Bot" alone is not enough:
    every installed bot is a Bot, and another one's markers or summary are not ours."""

    slug: str
    app_id: int | None = None

    @property
    def login(self) -> str:
        return f"{self.slug}[bot]"

    def wrote(self, login: str, via_app_id: int | None = None) -> bool:
        if self.app_id is not None and via_app_id is not None:
            return via_app_id == self.app_id
        return login == self.login


# Action mode posts with the run's GITHUB_TOKEN, as GitHub Actions' own App.
ACTIONS_IDENTITY = Identity("github-actions")


@dataclass(frozen=True, slots=True)
class DraftComment:
    """A review comment to post: `line` (and `start_line` for a range) on one side."""

    path: str
    side: Side
    line: int
    start_line: int | None  # None: a single-line comment; else < line, same hunk
    body: str


@dataclass(frozen=True, slots=True)
class PullInfo:
    number: int
    title: str
    body: str
    author: str
    author_is_bot: bool
    draft: bool
    labels: tuple[str, ...]
    head_sha: str
    base_sha: str
    base_ref: str
    head_ref: str
    state: str  # open | closed


@dataclass(frozen=True, slots=True)
class PullFile:
    filename: str
    status: str  # GitHub's word: added, removed, modified, renamed, copied, changed, unchanged
    patch: str | None  # None for binary and very large files
    previous_filename: str | None


@dataclass(frozen=True, slots=True)
class PostedComment:
    """A review (inline) comment already on the PR."""

    id: int
    body: str
    path: str
    line: int | None  # None when outdated
    side: Side | None
    start_line: int | None
    user_login: str
    user_is_bot: bool
    in_reply_to_id: int | None
    review_id: int | None
    commit_id: str
    reactions: Mapping[str, int] = field(default_factory=dict)  # content -> count (non-zero)
    via_app_id: int | None = None  # performed_via_github_app.id, when GitHub sends it


@dataclass(frozen=True, slots=True)
class ConversationComment:
    """A PR conversation (issue) comment."""

    id: int
    body: str
    user_login: str
    user_is_bot: bool
    created_at: str
    reactions: Mapping[str, int] = field(default_factory=dict)
    via_app_id: int | None = None  # performed_via_github_app.id


@dataclass(frozen=True, slots=True)
class ReviewInfo:
    id: int
    body: str
    state: str  # COMMENTED, APPROVED, CHANGES_REQUESTED, DISMISSED, PENDING
    commit_id: str
    user_login: str
    user_is_bot: bool
    via_app_id: int | None = None


@dataclass(frozen=True, slots=True)
class Reaction:
    content: str  # +1 -1 laugh confused heart hooray rocket eyes
    user_login: str
    user_is_bot: bool


@dataclass(frozen=True, slots=True)
class ReviewThread:
    id: str  # GraphQL node id
    is_resolved: bool
    comment_ids: tuple[int, ...]  # REST ids, the root first
    path: str
    line: int | None


@dataclass(frozen=True, slots=True)
class CheckAnnotation:
    path: str
    start_line: int
    end_line: int
    level: str  # notice | warning | failure
    message: str
    title: str | None = None

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "path": self.path,
            "start_line": self.start_line,
            "end_line": self.end_line,
            "annotation_level": self.level,
            "message": self.message,
        }
        if self.title:
            data["title"] = self.title
        return data


def review_comment(draft: DraftComment) -> ReviewComment:
    comment: ReviewComment = {
        "path": draft.path,
        "body": draft.body,
        "line": draft.line,
        "side": str(draft.side),
    }
    if draft.start_line is not None:
        comment["start_line"] = draft.start_line
        comment["start_side"] = str(draft.side)
    return comment


def _user(data: Mapping[str, Any]) -> tuple[str, bool]:
    user = data.get("user") or {}
    return str(user.get("login", "")), user.get("type") == "Bot"


def _via_app(data: Mapping[str, Any]) -> int | None:
    app = data.get("performed_via_github_app") or {}
    return int(app["id"]) if isinstance(app, Mapping) and app.get("id") is not None else None


def _reactions(data: Mapping[str, Any]) -> dict[str, int]:
    summary = data.get("reactions") or {}
    return {k: int(v) for k, v in summary.items() if k not in ("url", "total_count") and v}


def posted_comment(data: Mapping[str, Any]) -> PostedComment:
    login, is_bot = _user(data)
    side = data.get("side")
    return PostedComment(
        id=int(data["id"]),
        body=str(data.get("body") or ""),
        path=str(data.get("path", "")),
        line=data.get("line"),
        side=Side(side) if side in ("LEFT", "RIGHT") else None,
        start_line=data.get("start_line"),
        user_login=login,
        user_is_bot=is_bot,
        in_reply_to_id=data.get("in_reply_to_id"),
        review_id=data.get("pull_request_review_id"),
        commit_id=str(data.get("commit_id") or ""),
        reactions=_reactions(data),
        via_app_id=_via_app(data),
    )


def conversation_comment(data: Mapping[str, Any]) -> ConversationComment:
    login, is_bot = _user(data)
    return ConversationComment(
        id=int(data["id"]),
        body=str(data.get("body") or ""),
        user_login=login,
        user_is_bot=is_bot,
        created_at=str(data.get("created_at") or ""),
        reactions=_reactions(data),
        via_app_id=_via_app(data),
    )


def review_info(data: Mapping[str, Any]) -> ReviewInfo:
    login, is_bot = _user(data)
    return ReviewInfo(
        id=int(data["id"]),
        body=str(data.get("body") or ""),
        state=str(data.get("state") or ""),
        commit_id=str(data.get("commit_id") or ""),
        user_login=login,
        user_is_bot=is_bot,
        via_app_id=_via_app(data),
    )


def reaction(data: Mapping[str, Any]) -> Reaction:
    login, is_bot = _user(data)
    return Reaction(str(data.get("content") or ""), login, is_bot)
