"""How the GitHub client reaches GitHub: options, PyGithub set-up, errors, pages, GraphQL.

Errors (PyGithub and requests exceptions are translated, never leaked):

    GitHubError            any failure talking to GitHub; .status, .messages, .retryable
     +-- GitHubAuthError       401: bad, expired or revoked credentials, a refused App JWT
     +-- GitHubForbidden       403: the installation lacks a permission (not a rate limit)
     +-- GitHubNotFound        404: missing, or invisible to this installation
     +-- GitHubUnprocessable   422: GitHub refused the content (.messages lists why)
     +-- GitHubRateLimited     403/429 rate limits still failing after PyGithub's waits
     +-- GitHubUnavailable     network errors, 5xx after retries

`retryable` tells the job runner whether trying again later can help: a refusal (400,
403, 404, 406, 410, 422) is answered the same way next time, so the job fails at once with
GitHub's reason; network errors, 5xx, 401 and rate limits (429, secondary 403s) are
retried.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import requests
from github import Auth, Github, GithubException, GithubRetry
from github.GithubException import RateLimitExceededException
from github.Requester import Requester

from bot.github_types import ReviewThread

API_VERSION = "2022-11-28"  # the first breaking version is 2026-03-10: not reviewed yet
MEDIA_TYPE = "application/vnd.github+json"  # GitHub's recommended Accept for REST calls
DIFF_MEDIA_TYPE = "application/vnd.github.diff"
EXPLICIT_FORMATS = frozenset({DIFF_MEDIA_TYPE})
# 401 is not among them: the client already fetched a fresh token once, and a second 401
# is as likely a passing auth hiccup (or clock skew on the JWT) as a revoked App.
PERMANENT_STATUSES = frozenset({400, 403, 404, 406, 410, 422})
T = TypeVar("T")


class GitHubError(Exception):
    """A GitHub call failed; `messages` holds GitHub's own explanations, if any."""

    def __init__(self, message: str, status: int | None = None, messages: Sequence[str] = ()):
        detail = "; ".join(m for m in messages if m and m != message)
        super().__init__(
            f"GitHub {status or 'request'} failed: {message}" + (f" ({detail})" if detail else "")
        )
        self.status = status
        self.messages = list(messages)

    @property
    def retryable(self) -> bool:
        """False when GitHub refused the request itself: the same call would fail again."""
        return self.status not in PERMANENT_STATUSES


class GitHubAuthError(GitHubError):
    """401: the credentials were refused."""


class GitHubForbidden(GitHubError):
    """403 that is not a rate limit: the token lacks a permission ("Resource not accessible
    by integration"); `accepted` is what GitHub said would do (X-Accepted-GitHub-Permissions)."""

    def __init__(
        self,
        message: str,
        status: int | None = 403,
        messages: Sequence[str] = (),
        accepted: str = "",
    ):
        super().__init__(message, status, messages)
        self.accepted = accepted


class GitHubNotFound(GitHubError):
    """404: the resource does not exist or this installation cannot see it."""


class GitHubUnprocessable(GitHubError):
    """422: GitHub refused the content; it does not say which review comment was at fault."""


class GitHubRateLimited(GitHubError):
    """A rate limit outlasted PyGithub's retries (or its max wait)."""

    @property
    def retryable(self) -> bool:
        return True


class GitHubUnavailable(GitHubError):
    """Network error, timeout, or 5xx after PyGithub's retries."""

    @property
    def retryable(self) -> bool:
        return True


@dataclass(frozen=True, slots=True)
class ClientOptions:
    """How to reach GitHub. Tests pass a loopback base_url and zero pacing."""

    base_url: str = "https://api.github.com"  # GHES: https://HOST/api/v3
    seconds_between_writes: float = 1.0  # GitHub asks for >= 1 s between POST/PATCH/PUT/DELETE
    seconds_between_requests: float = 0.0
    retries: int = 5  # 5xx and rate-limit retries (GithubRetry, a urllib3 Retry)
    backoff_factor: float = 0.5
    secondary_rate_wait: float = 60.0  # when a secondary limit comes without Retry-After
    max_rate_limit_wait: float | None = 900.0  # give up (GitHubRateLimited) beyond this
    timeout: int = 15
    per_page: int = 100
    user_agent: str = "prbot"


def translate(err: Exception) -> GitHubError:
    """Our exception for a PyGithub / requests failure."""
    if isinstance(err, GithubException):
        return _from_status(err)
    if isinstance(err, requests.exceptions.RetryError) and re.search(
        r"too many 4(03|29)", str(err)
    ):
        return GitHubRateLimited(str(err))  # urllib3 gave up while still rate limited
    return GitHubUnavailable(f"{type(err).__name__}: {err}")


def _from_status(err: GithubException) -> GitHubError:
    data = err.data if isinstance(err.data, dict) else {}
    message = str(data.get("message") or err.message or err)
    messages = _messages(data) or [message]
    status = err.status
    if isinstance(err, RateLimitExceededException) or status == 429:
        return GitHubRateLimited(message, status, messages)
    if status == 403:
        headers = {k.lower(): v for k, v in (err.headers or {}).items()}
        return GitHubForbidden(
            message, status, messages, headers.get("x-accepted-github-permissions", "")
        )
    kinds: dict[int, type[GitHubError]] = {
        401: GitHubAuthError,
        404: GitHubNotFound,
        422: GitHubUnprocessable,
    }
    kind = kinds.get(status) or (GitHubUnavailable if status >= 500 else GitHubError)
    return kind(message, status, messages)


def _messages(data: Mapping[str, Any]) -> list[str]:
    # 422 "errors" are strings for reviews, {"resource","code","field","message"} elsewhere.
    found: list[str] = []
    for item in data.get("errors") or []:
        if isinstance(item, str):
            found.append(item)
        elif isinstance(item, dict):
            found.append(str(item.get("message") or f"{item.get('field')}: {item.get('code')}"))
    return found


def call_translated(op: Callable[[], T]) -> T:
    try:
        return op()
    except (GithubException, requests.exceptions.RequestException) as err:
        raise translate(err) from err


class WriteSafeRetry(GithubRetry):
    """PyGithub's GithubRetry, except that a POST or PATCH answered 5xx is not resent.

    GitHub can act on a write and still answer 502 (a review created, then a gateway
    timeout); resending would post it twice. Rate-limit refusals (403/429) are still retried:
    GitHub did nothing then. A failed write fails the job, whose retry skips what was posted
    (fingerprints, the summary's head marker).
    """

    def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
        if method.upper() in ("POST", "PATCH") and status_code >= 500:
            return False
        return bool(super().is_retry(method, status_code, has_retry_after))


def github_retry(options: ClientOptions) -> GithubRetry:
    """PyGithub's retry policy (5xx, rate-limit 403s; 429 only with Retry-After) with our caps."""
    retry_after_max = options.max_rate_limit_wait or GithubRetry.DEFAULT_RETRY_AFTER_MAX
    return WriteSafeRetry(
        total=options.retries,
        backoff_factor=options.backoff_factor,
        secondary_rate_wait=options.secondary_rate_wait,
        max_rate_limit_wait=options.max_rate_limit_wait,
        retry_after_max=int(retry_after_max),  # a Retry-After header is slept up to this
    )


def set_media_type(headers: dict[str, str]) -> None:
    """Ask for GitHub's JSON media type unless a call asked for a diff. PyGithub sends no
    Accept on most calls, the old v3 type on some and retired previews (squirrel-girl for
    reactions, ...) on others; GitHub documents `application/vnd.github+json`."""
    if headers.get("Accept") not in EXPLICIT_FORMATS:
        headers["Accept"] = MEDIA_TYPE


class AppAuth(Auth.AppAuth):
    """The App's JWT auth. `authentication` is the one hook every PyGithub request passes
    through, so the media type is set there (for JWT calls and token fetches too)."""

    def authentication(self, headers: dict[str, str]) -> None:
        set_media_type(headers)
        super().authentication(headers)

    def get_installation_auth(
        self,
        installation_id: int,
        token_permissions: dict[str, str] | None = None,
        requester: Requester | None = None,
    ) -> Auth.AppInstallationAuth:
        return InstallationAuth(self, installation_id, token_permissions, requester)


class InstallationAuth(Auth.AppInstallationAuth):
    """An installation token (fetched and refreshed by PyGithub), with the media type set."""

    def authentication(self, headers: dict[str, str]) -> None:
        set_media_type(headers)
        super().authentication(headers)


class TokenAuth(Auth.Token):
    """A fixed token (Action mode), with the media type set."""

    def authentication(self, headers: dict[str, str]) -> None:
        set_media_type(headers)
        super().authentication(headers)


def connection_options(options: ClientOptions) -> dict[str, Any]:
    """What Github and GithubIntegration share: lazy objects, pinned API version, our
    pacing and retries."""
    return {
        "base_url": options.base_url,
        "timeout": options.timeout,
        "user_agent": options.user_agent,
        "retry": github_retry(options),
        "seconds_between_requests": options.seconds_between_requests or None,
        "seconds_between_writes": options.seconds_between_writes or None,
        "lazy": True,
        "api_version": API_VERSION,
    }


def connect(auth: Auth.Auth, options: ClientOptions) -> Github:
    """A PyGithub client for one installation or token."""
    return Github(auth=auth, per_page=options.per_page, **connection_options(options))


def split_repo(repo: str) -> tuple[str, str]:
    owner, _, name = repo.partition("/")
    if not owner or not name:
        raise ValueError(f"repository must be 'owner/name', got {repo!r}")
    return owner, name


def json_pages(
    requester: Requester, url: str, per_page: int, query: Mapping[str, str] | None = None
) -> Iterator[dict[str, Any]]:
    """Every item of a paginated list endpoint, following the Link header's rel="next"
    (which carries the query on)."""
    next_url: str | None = url
    params: dict[str, Any] | None = {**(query or {}), "per_page": per_page}
    while next_url:
        headers, data = requester.requestJsonAndCheck("GET", next_url, parameters=params)
        yield from data
        match = re.search(r'<([^>]+)>;\s*rel="next"', str(headers.get("link", "")))
        next_url, params = (match.group(1) if match else None), None


THREADS_QUERY = """
query($owner: String!, $name: String!, $number: Int!, $cursor: String) {
  repository(owner: $owner, name: $name) {
    pullRequest(number: $number) {
      reviewThreads(first: 100, after: $cursor) {
        pageInfo { hasNextPage endCursor }
        nodes { id isResolved path line comments(first: 100) { nodes { databaseId } } }
      }
    }
  }
}
"""

RESOLVE_THREAD = """
mutation($threadId: ID!) {
  resolveReviewThread(input: {threadId: $threadId}) { thread { id isResolved } }
}
"""


GRAPHQL_ERRORS: dict[str, type[GitHubError]] = {
    "NOT_FOUND": GitHubNotFound,
    "FORBIDDEN": GitHubForbidden,
    "RATE_LIMITED": GitHubRateLimited,
}
GRAPHQL_STATUS = {"NOT_FOUND": 404, "FORBIDDEN": 403, "RATE_LIMITED": 403}


def graphql(requester: Requester, query: str, variables: Mapping[str, Any]) -> dict[str, Any]:
    """The `data` of a GraphQL call. GitHub answers 200 with an `errors` list; the first
    error's `type` picks our exception (FORBIDDEN: a missing permission, not a bad query)."""
    payload = {"query": query, "variables": dict(variables)}
    _, data = requester.requestJsonAndCheck("POST", requester.graphql_url, input=payload)
    errors = data.get("errors") or []
    if errors:
        kind = str(errors[0].get("type") or "")
        messages = [str(e.get("message") or e) for e in errors]
        error = GRAPHQL_ERRORS.get(kind, GitHubError)
        raise error(f"GraphQL {kind or 'error'}: {messages[0]}", GRAPHQL_STATUS.get(kind, 400))
    result: dict[str, Any] = data["data"]
    return result


def fetch_threads(requester: Requester, owner: str, name: str, number: int) -> list[ReviewThread]:
    """Every review thread of the pull request (one listing: a page per 100 threads)."""
    threads: list[ReviewThread] = []
    cursor: str | None = None
    while True:
        variables = {"owner": owner, "name": name, "number": number, "cursor": cursor}
        data = graphql(requester, THREADS_QUERY, variables)
        page = data["repository"]["pullRequest"]["reviewThreads"]
        for node in page["nodes"]:
            ids = tuple(int(c["databaseId"]) for c in node["comments"]["nodes"])
            threads.append(
                ReviewThread(node["id"], bool(node["isResolved"]), ids, node["path"], node["line"])
            )
        if not page["pageInfo"]["hasNextPage"]:
            return threads
        cursor = page["pageInfo"]["endCursor"]
