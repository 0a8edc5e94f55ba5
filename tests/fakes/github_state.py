"""In-memory state of the fake GitHub: repos, pull requests, comments, reviews, tokens, faults."""

from __future__ import annotations

import itertools
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

DOCS = "https://docs.github.com/rest"


class ApiError(Exception):
    """Raised by a route; rendered as GitHub's error body {"message", "errors"?, ...}."""

    def __init__(
        self,
        status: int,
        message: str,
        errors: list[Any] | None = None,
        headers: dict[str, str] | None = None,
        documentation_url: str = DOCS,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(f"{status} {message}")
        self.status = status
        self.message = message
        self.errors = errors
        self.headers = headers or {}
        self.documentation_url = documentation_url
        self.extra = extra or {}

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"message": self.message, **self.extra}
        if self.errors is not None:
            body["errors"] = self.errors
        body["documentation_url"] = self.documentation_url
        body["status"] = str(self.status)
        return body


def not_found() -> ApiError:
    return ApiError(404, "Not Found")


@dataclass
class FakeFile:
    filename: str
    status: str  # GitHub's names: added, removed, modified, renamed, copied, changed
    patch: str | None  # None: binary or too large, so `patch` is omitted from pulls/files
    previous_filename: str | None = None


@dataclass
class FakePull:
    number: int
    id: int
    title: str
    body: str | None
    user: str
    user_type: str  # "User" | "Bot"
    draft: bool
    labels: list[str]
    head_sha: str
    base_sha: str
    head_ref: str
    base_ref: str
    state: str
    files: list[FakeFile]  # the files as of the current head (what pulls/files lists)
    commits: list[str]
    diff_text: str | None = None  # set_diff() overrides the diff built from the patches
    earlier: dict[str, list[FakeFile]] = field(default_factory=dict)  # files of past heads

    def files_at(self, sha: str | None) -> list[FakeFile]:
        """The diff's files as of commit `sha` (a head this pull request once had)."""
        if sha is None or sha == self.head_sha:
            return self.files
        return self.earlier.get(sha, self.files)

    def patches(self, sha: str | None = None) -> dict[str, str | None]:
        return {f.filename: f.patch for f in self.files_at(sha)}


@dataclass
class FakeRepo:
    owner: str
    name: str
    id: int
    installation_id: int | None
    default_branch: str = "main"
    private: bool = False
    pulls: dict[int, FakePull] = field(default_factory=dict)
    contents: dict[tuple[str, str], str] = field(default_factory=dict)  # (ref, path) -> text
    permissions: dict[str, tuple[str, str]] = field(default_factory=dict)  # user -> (perm, role)
    more_installations: set[int] = field(default_factory=set)  # other Apps installed here

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"

    def installations(self) -> list[int]:
        first = [] if self.installation_id is None else [self.installation_id]
        return first + sorted(self.more_installations)


@dataclass
class FakeApp:
    """A GitHub App; its installations' tokens act as `<slug>[bot]`."""

    id: int
    slug: str
    client_id: str
    public_key_pem: str

    @property
    def login(self) -> str:
        return f"{self.slug}[bot]"


@dataclass
class FakeInstallation:
    id: int
    account: str
    permissions: dict[str, str]
    repository_selection: str = "all"
    app_id: int | None = None  # None: the fake's own App (prbot)


@dataclass
class FakeToken:
    token: str
    installation_id: int | None  # None: a plain token (Action mode GITHUB_TOKEN)
    login: str  # who the token acts as
    expires_at: float | None  # epoch seconds; None: never
    revoked: bool = False
    remaining: int = 5000
    permissions: dict[str, str] | None = None  # a plain token's grant; None: not checked
    app_id: int | None = None  # the App an installation token belongs to


@dataclass
class ReviewCommentRec:
    id: int
    repo: str
    number: int
    review_id: int | None
    path: str
    line: int | None
    side: str | None
    start_line: int | None
    start_side: str | None
    position: int | None  # recorded so tests can assert it was never used
    body: str
    user: str
    commit_id: str
    in_reply_to_id: int | None
    diff_hunk: str
    created_at: str
    subject_type: str = "line"
    via_app: int | None = None  # the App whose token wrote it


@dataclass
class IssueCommentRec:
    id: int
    repo: str
    number: int
    body: str
    user: str
    created_at: str
    updated_at: str
    via_app: int | None = None  # performed_via_github_app


@dataclass
class ReviewRec:
    id: int
    repo: str
    number: int
    user: str
    body: str
    state: str  # COMMENTED, PENDING, APPROVED, CHANGES_REQUESTED
    commit_id: str
    submitted_at: str | None
    comment_ids: list[int] = field(default_factory=list)


@dataclass
class ReactionRec:
    id: int
    content: str
    user: str
    created_at: str


@dataclass
class CheckRunRec:
    id: int
    repo: str
    name: str
    head_sha: str
    status: str
    conclusion: str | None
    output: dict[str, Any]
    annotations: list[dict[str, Any]] = field(default_factory=list)
    started_at: str | None = None
    completed_at: str | None = None
    details_url: str | None = None
    external_id: str | None = None


@dataclass
class Fault:
    """A canned answer for the next `times` requests matching method and path."""

    method: str
    path_regex: str
    status: int
    times: int
    headers: dict[str, str]
    body: Any

    def matches(self, method: str, path: str) -> bool:
        return (
            self.times > 0
            and self.method in ("*", method.upper())
            and re.search(self.path_regex, path) is not None
        )


@dataclass
class Hook:
    """Something to do when the next `times` requests matching method and path arrive."""

    method: str
    path_regex: str
    action: Callable[[], None]
    times: int

    def matches(self, method: str, path: str) -> bool:
        return (
            self.times > 0
            and self.method in ("*", method.upper())
            and re.search(self.path_regex, path) is not None
        )


@dataclass
class LoggedRequest:
    method: str
    path: str
    query: str
    headers: dict[str, str]  # lower-cased names
    json: Any  # the parsed body, or None
    at: float  # time.monotonic() when the request arrived
    status: int = 0  # filled in when the response is sent


@dataclass
class GitHubState:
    """Everything the fake knows; routes mutate it under `lock`."""

    app_id: int
    client_id: str
    app_slug: str
    public_key_pem: str
    prefix: str
    token_ttl: float
    other_apps: dict[int, FakeApp] = field(default_factory=dict)  # more bots installed
    repos: dict[str, FakeRepo] = field(default_factory=dict)
    installations: dict[int, FakeInstallation] = field(default_factory=dict)
    tokens: dict[str, FakeToken] = field(default_factory=dict)
    review_comments: dict[int, ReviewCommentRec] = field(default_factory=dict)
    issue_comments: dict[int, IssueCommentRec] = field(default_factory=dict)
    reviews: dict[int, ReviewRec] = field(default_factory=dict)
    reactions: dict[tuple[str, int], list[ReactionRec]] = field(default_factory=dict)
    resolved_threads: set[int] = field(default_factory=set)  # root review-comment ids
    check_runs: dict[int, CheckRunRec] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)
    hooks: list[Hook] = field(default_factory=list)
    log: list[LoggedRequest] = field(default_factory=list)
    leave_review_on_422: bool = False  # imitate reports of a 422 that still left a review
    lock: threading.RLock = field(default_factory=threading.RLock)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1000))

    def next_id(self) -> int:
        return next(self._ids)

    def clear(self, token_ttl: float) -> None:
        """Forget every repo, token, comment, fault and logged request (the app stays)."""
        with self.lock:
            for store in (
                self.other_apps,
                self.repos,
                self.installations,
                self.tokens,
                self.review_comments,
                self.issue_comments,
                self.reviews,
                self.reactions,
                self.check_runs,
            ):
                store.clear()
            self.resolved_threads.clear()
            self.faults.clear()
            self.hooks.clear()
            self.log.clear()
            self.leave_review_on_422 = False
            self.token_ttl = token_ttl

    @property
    def main_app(self) -> FakeApp:
        return FakeApp(self.app_id, self.app_slug, self.client_id, self.public_key_pem)

    def apps(self) -> list[FakeApp]:
        return [self.main_app, *self.other_apps.values()]

    def app(self, app_id: int | None) -> FakeApp | None:
        return next((a for a in self.apps() if a.id == (app_id or self.app_id)), None)

    @property
    def bot_login(self) -> str:
        return self.main_app.login

    def permissions_of(self, token: FakeToken) -> dict[str, str] | None:
        """An installation token holds its installation's current permissions."""
        if token.installation_id is None:
            return token.permissions
        installation = self.installations.get(token.installation_id)
        return installation.permissions if installation else {}

    def repo(self, owner: str, name: str) -> FakeRepo:
        repo = self.repos.get(f"{owner}/{name}".lower())
        if repo is None:
            raise not_found()
        return repo

    def pull(self, owner: str, name: str, number: int) -> FakePull:
        pull = self.repo(owner, name).pulls.get(number)
        if pull is None:
            raise not_found()
        return pull
