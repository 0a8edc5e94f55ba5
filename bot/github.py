"""GitHubClient: typed, synchronous calls to GitHub over PyGithub (run it in a worker thread).

Quirks recorded here: PyGithub completes a lazy object with an extra GET whenever an
attribute missing from the JSON is read (`in_reply_to_id` on a thread root, `submitted_at`
on a pending review), so list endpoints are read as plain JSON pages instead. A token
revoked before its `expires_at` makes PyGithub fail with 401 rather than refresh; an App
client then builds a new installation auth once and retries.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar
from urllib.parse import quote

import requests
from github import Auth, Github, GithubException, GithubIntegration

from bot.github_pacing import LocalPacer, WritePacer
from bot.github_transport import (
    API_VERSION,
    DIFF_MEDIA_TYPE,
    RESOLVE_THREAD,
    AppAuth,
    ClientOptions,
    GitHubAuthError,
    GitHubError,
    GitHubForbidden,
    GitHubNotFound,
    GitHubRateLimited,
    GitHubUnavailable,
    GitHubUnprocessable,
    TokenAuth,
    call_translated,
    connect,
    connection_options,
    fetch_threads,
    graphql,
    json_pages,
    split_repo,
)
from bot.github_types import (
    ACTIONS_IDENTITY,
    CheckAnnotation,
    ConversationComment,
    DraftComment,
    Identity,
    PostedComment,
    PullFile,
    PullInfo,
    Reaction,
    ReviewInfo,
    ReviewThread,
    conversation_comment,
    posted_comment,
    reaction,
    review_comment,
    review_info,
)

__all__ = [
    "API_VERSION",
    "CheckAnnotation",
    "ClientOptions",
    "ConversationComment",
    "DraftComment",
    "GitHubApp",
    "GitHubAuthError",
    "GitHubClient",
    "GitHubError",
    "GitHubForbidden",
    "GitHubNotFound",
    "GitHubRateLimited",
    "GitHubUnavailable",
    "GitHubUnprocessable",
    "Identity",
    "PostedComment",
    "PullFile",
    "PullInfo",
    "ReviewInfo",
    "ReviewThread",
]

MAX_ANNOTATIONS = 50  # per check-run request; more are appended with further PATCHes
MAX_CHECK_TEXT = 65535  # check-run output summary/text limit
T = TypeVar("T")


class GitHubClient:
    """One installation's (or one token's) view of GitHub, with typed methods only."""

    def __init__(
        self,
        make_auth: Callable[[], Auth.Auth],
        options: ClientOptions,
        renewable: bool = False,
        pacer: WritePacer | None = None,
        pace_key: str = "token",
        whoami: Callable[[], Identity] = lambda: ACTIONS_IDENTITY,
    ) -> None:
        self._make_auth = make_auth
        self._options = options
        self._renewable = renewable  # App tokens: a 401 is answered by fetching a new token
        # Writes are serial and spaced per installation, across threads (and processes,
        # with a RedisPacer): bot/github_pacing.py.
        self._pacer = pacer or LocalPacer(options.seconds_between_writes)
        self._pace_key = pace_key
        self._whoami = whoami
        self._gh: Github | None = None
        self._lock = threading.Lock()

    @classmethod
    def for_token(
        cls, token: str, options: ClientOptions | None = None, identity: Identity = ACTIONS_IDENTITY
    ) -> GitHubClient:
        """Action mode: a fixed token (the run's GITHUB_TOKEN writes as github-actions[bot])."""
        return cls(lambda: TokenAuth(token), options or ClientOptions(), whoami=lambda: identity)

    @classmethod
    def for_installation(
        cls,
        app_auth: AppAuth,
        installation_id: int,
        options: ClientOptions | None = None,
        pacer: WritePacer | None = None,
        whoami: Callable[[], Identity] = lambda: ACTIONS_IDENTITY,
    ) -> GitHubClient:
        """App mode: PyGithub fetches and caches the installation token until it expires."""
        return cls(
            lambda: app_auth.get_installation_auth(installation_id),
            options or ClientOptions(),
            renewable=True,
            pacer=pacer,
            pace_key=str(installation_id),
            whoami=whoami,
        )

    def identity(self) -> Identity:
        """Who this client writes as: how prbot tells its own comments from other bots'."""
        return self._whoami()

    def _github(self, renew: bool = False) -> Github:
        with self._lock:
            if self._gh is None or renew:
                self._gh = connect(self._make_auth(), self._options)
            return self._gh

    def _call(self, op: Callable[[Github], T]) -> T:
        gh = self._github()
        try:
            return call_translated(lambda: op(gh))
        except GitHubAuthError:
            if not self._renewable:
                raise
            fresh = self._github(renew=True)
            return call_translated(lambda: op(fresh))

    def _write(self, op: Callable[[Github], T]) -> T:
        """A call that writes: in the installation's pacer slot."""
        with self._pacer.slot(self._pace_key):
            return self._call(op)

    def close(self) -> None:
        """Release pooled connections; the client reconnects on its next call."""
        with self._lock:
            gh, self._gh = self._gh, None
        if gh is not None:
            gh.close()

    def _pages(
        self, gh: Github, path: str, query: dict[str, str] | None = None
    ) -> list[dict[str, Any]]:
        return list(json_pages(gh.requester, path, self._options.per_page, query))

    # -- reads ------------------------------------------------------------------------

    def get_pull(self, repo: str, number: int) -> PullInfo:
        def op(gh: Github) -> PullInfo:
            pr = gh.get_repo(repo).get_pull(number)
            return PullInfo(
                number=pr.number,
                title=pr.title,
                body=pr.body or "",
                author=pr.user.login,
                author_is_bot=pr.user.type == "Bot",
                draft=bool(pr.draft),
                labels=tuple(label.name for label in pr.labels),
                head_sha=pr.head.sha,
                base_sha=pr.base.sha,
                base_ref=pr.base.ref,
                head_ref=pr.head.ref,
                state=pr.state,
            )

        return self._call(op)

    def list_files(self, repo: str, number: int) -> list[PullFile]:
        """Up to GitHub's 3,000 files; `patch` is None for binary and very large files."""

        def op(gh: Github) -> list[PullFile]:
            files = gh.get_repo(repo).get_pull(number).get_files()
            return [PullFile(f.filename, f.status, f.patch, f.previous_filename) for f in files]

        return self._call(op)

    def get_diff(self, repo: str, number: int) -> str:
        """The whole diff; GitHub answers 406 (GitHubError) above 300 files or 20,000 lines."""

        def op(gh: Github) -> str:
            path = f"/repos/{repo}/pulls/{number}"
            _, data = gh.requester.requestJsonAndCheck(
                "GET", path, headers={"Accept": DIFF_MEDIA_TYPE}
            )
            return str(data.get("data", "")) if isinstance(data, dict) else ""

        return self._call(op)

    def get_text(self, repo: str, path: str, ref: str) -> str | None:
        """A file's text at `ref`, or None when it does not exist there (or is a directory)."""

        def op(gh: Github) -> str | None:
            content = gh.get_repo(repo).get_contents(path, ref=ref)
            if isinstance(content, list):
                return None
            return content.decoded_content.decode("utf-8", errors="replace")

        try:
            return self._call(op)
        except GitHubNotFound:
            return None

    def download_archive(self, repo: str, ref: str, write: Callable[[bytes], object]) -> None:
        """The gzipped tarball of `ref`, chunk by chunk into `write` (which may raise to stop).

        GET /repos/{repo}/tarball/{ref} answers 302 to a short-lived codeload URL; PyGithub
        follows it and drops our Authorization header when the host differs.
        """
        url = f"/repos/{repo}/tarball/{quote(ref, safe='')}"

        def op(gh: Github) -> None:
            try:
                _, _, chunks = gh.requester.getStream(url, chunk_size=1 << 16)
            except requests.HTTPError as error:  # getStream checks no status: we do
                status = error.response.status_code if error.response is not None else 500
                raise GithubException(status, {"message": str(error)}, None) from error
            for chunk in chunks:
                write(chunk)

        self._call(op)

    def get_permission(self, repo: str, user: str) -> str:
        """admin | write | read | none."""
        return self._call(lambda gh: gh.get_repo(repo).get_collaborator_permission(user))

    def list_review_comments(self, repo: str, number: int) -> list[PostedComment]:
        path = f"/repos/{repo}/pulls/{number}/comments"
        return self._call(lambda gh: [posted_comment(c) for c in self._pages(gh, path)])

    def list_issue_comments(self, repo: str, number: int) -> list[ConversationComment]:
        path = f"/repos/{repo}/issues/{number}/comments"
        return self._call(lambda gh: [conversation_comment(c) for c in self._pages(gh, path)])

    def list_reviews(self, repo: str, number: int) -> list[ReviewInfo]:
        path = f"/repos/{repo}/pulls/{number}/reviews"
        return self._call(lambda gh: [review_info(r) for r in self._pages(gh, path)])

    def list_reactions(
        self, repo: str, comment_id: int, kind: str = "review", content: str | None = None
    ) -> list[Reaction]:
        """Who reacted to a comment (kind "issue" or "review"), optionally one content only."""
        path = f"/repos/{repo}/{reaction_group(kind)}/comments/{comment_id}/reactions"
        query = {"content": content} if content is not None else None
        return self._call(lambda gh: [reaction(r) for r in self._pages(gh, path, query)])

    def list_review_threads(self, repo: str, number: int) -> list[ReviewThread]:
        """Review threads via GraphQL (REST has no thread ids, which resolving needs)."""
        owner, name = split_repo(repo)
        return self._call(lambda gh: fetch_threads(gh.requester, owner, name, number))

    # -- writes -----------------------------------------------------------------------

    def create_review(
        self, repo: str, number: int, commit_sha: str, body: str, comments: Sequence[DraftComment]
    ) -> int:
        """One review with event=COMMENT, anchored by line/side (never `position`); its id."""

        def op(gh: Github) -> int:
            target = gh.get_repo(repo)
            review = target.get_pull(number).create_review(
                commit=target.get_commit(commit_sha),
                body=body,
                event="COMMENT",
                comments=[review_comment(c) for c in comments],
            )
            return int(review.id)

        return self._write(op)

    def update_review_body(self, repo: str, number: int, review_id: int, body: str) -> None:
        path = f"/repos/{repo}/pulls/{number}/reviews/{review_id}"
        self._write(lambda gh: gh.requester.requestJsonAndCheck("PUT", path, input={"body": body}))

    def reply_to_review_comment(
        self, repo: str, number: int, comment_id: int, body: str
    ) -> PostedComment:
        def op(gh: Github) -> PostedComment:
            pr = gh.get_repo(repo).get_pull(number)
            return posted_comment(pr.create_review_comment_reply(comment_id, body).raw_data)

        return self._write(op)

    def delete_review_comment(self, repo: str, comment_id: int) -> None:
        path = f"/repos/{repo}/pulls/comments/{comment_id}"
        self._write(lambda gh: gh.requester.requestJsonAndCheck("DELETE", path))

    def create_issue_comment(self, repo: str, number: int, body: str) -> int:
        return self._write(
            lambda gh: int(gh.get_repo(repo).get_issue(number).create_comment(body).id)
        )

    def edit_issue_comment(self, repo: str, comment_id: int, body: str) -> None:
        path = f"/repos/{repo}/issues/comments/{comment_id}"
        self._write(
            lambda gh: gh.requester.requestJsonAndCheck("PATCH", path, input={"body": body})
        )

    def add_reaction(self, repo: str, comment_id: int, content: str, kind: str = "issue") -> None:
        """content: +1 -1 laugh confused heart hooray rocket eyes; kind: "issue" | "review"."""
        path = f"/repos/{repo}/{reaction_group(kind)}/comments/{comment_id}/reactions"
        self._write(
            lambda gh: gh.requester.requestJsonAndCheck("POST", path, input={"content": content})
        )

    def resolve_review_thread(self, thread_id: str) -> None:
        """Resolve one review thread by its GraphQL id (from list_review_threads).

        GitHub refuses this mutation (FORBIDDEN, GitHubForbidden) unless the token has
        Contents: write besides Pull requests: write; see docs/github-app.md."""
        self._write(lambda gh: graphql(gh.requester, RESOLVE_THREAD, {"threadId": thread_id}))

    def create_check_run(self, repo: str, head_sha: str, name: str, title: str = "") -> int:
        """An in-progress check run; its id."""

        def op(gh: Github) -> int:
            output: dict[str, str | list[dict[str, str | int]]] = {
                "title": title or name,
                "summary": "In progress.",
            }
            run = gh.get_repo(repo).create_check_run(
                name=name, head_sha=head_sha, status="in_progress", output=output
            )
            return int(run.id)

        return self._write(op)

    def complete_check_run(
        self,
        repo: str,
        check_run_id: int,
        conclusion: str,
        title: str,
        summary: str,
        text: str | None = None,
        annotations: Sequence[CheckAnnotation] = (),
    ) -> None:
        """Finish a check run; annotations go 50 per PATCH (GitHub appends them)."""
        chunks = [annotations[i : i + MAX_ANNOTATIONS] for i in range(0, len(annotations), 50)]
        chunks = chunks or [()]
        base: dict[str, Any] = {"title": title, "summary": summary[:MAX_CHECK_TEXT]}
        if text is not None:
            base["text"] = text[:MAX_CHECK_TEXT]

        def op(gh: Github) -> None:
            run = gh.get_repo(repo).get_check_run(check_run_id)
            for chunk in chunks[:-1]:
                run.edit(output={**base, "annotations": [a.as_json() for a in chunk]})
            last = [a.as_json() for a in chunks[-1]]
            run.edit(
                status="completed", conclusion=conclusion, output={**base, "annotations": last}
            )

        self._write(op)


def reaction_group(kind: str) -> str:
    """Reactions live under issues/comments (conversation) or pulls/comments (inline)."""
    if kind not in ("issue", "review"):
        raise ValueError(f"kind must be 'issue' or 'review', got {kind!r}")
    return "issues" if kind == "issue" else "pulls"


class GitHubApp:
    """The App itself (JWT auth): finds installations and hands out per-installation clients."""

    def __init__(
        self,
        issuer: str,
        private_key: str,
        options: ClientOptions | None = None,
        pacer: WritePacer | None = None,
    ):
        # issuer: the App's client ID (GitHub's recommendation) or its numeric App ID.
        self._auth = AppAuth(issuer, private_key)
        self._options = options or ClientOptions()
        # One pacer for all installations' clients: their writes are paced per installation.
        self._pacer = pacer or LocalPacer(self._options.seconds_between_writes)
        self._clients: dict[int, GitHubClient] = {}
        self._identity: Identity | None = None
        self._lock = threading.Lock()

    def client(self, installation_id: int) -> GitHubClient:
        """The cached client of one installation (its token is cached and refreshed)."""
        with self._lock:
            if installation_id not in self._clients:
                self._clients[installation_id] = GitHubClient.for_installation(
                    self._auth, installation_id, self._options, self._pacer, self.identity
                )
            return self._clients[installation_id]

    def _integration(self) -> GithubIntegration:
        return GithubIntegration(auth=self._auth, **connection_options(self._options))

    def installation_id(self, repo: str) -> int:
        """The installation that covers `repo` (GET /repos/{o}/{r}/installation, JWT)."""
        owner, name = split_repo(repo)
        with self._integration() as gi:
            return call_translated(lambda: int(gi.get_repo_installation(owner, name).id))

    def identity(self) -> Identity:
        """The App's slug and id (GET /app, once per process): its comments are authored by
        "<slug>[bot]" and its commands can be written as "@<slug> review"."""
        if self._identity is None:
            with self._integration() as gi:
                app = call_translated(gi.get_app)
                found = Identity(str(app.slug), int(app.id))
            with self._lock:
                self._identity = found
        return self._identity

    def slug(self) -> str:
        return self.identity().slug

    def close(self) -> None:
        with self._lock:
            clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            client.close()
