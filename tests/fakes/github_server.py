"""A stateful in-memory fake of the GitHub REST API (plus a sliver of GraphQL) for real PyGithub.

    fake = FakeGitHub(app_key.public_pem)
    fake.add_installation(7)
    fake.add_repo("octo", "demo", installation_id=7)
    fake.add_pull_request("octo", "demo", 1, head_sha="h" * 40, base_sha="b" * 40,
                          files=[("a.py", "modified", "@@ -1,2 +1,2 @@\\n-x\\n+y\\n z", None)])
    with serve(fake.app) as server:
        ...  # point PyGithub at server.base_url

It checks what GitHub checks where that matters to a review bot: App JWTs (RS256, issuer,
<= 600 s), installation tokens on every call (401 "Bad credentials" when unknown or
expired), repository scope of a token, review-comment anchors against the stored hunks
(all-or-nothing 422 with GitHub's messages), body limits, reaction names, 50 annotations.
Faults are injected with `inject()`; every request is logged for assertions.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterable, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException

from tests.fakes import (
    github_archive,
    github_routes_app,
    github_routes_read,
    github_routes_review,
    github_routes_talk,
)
from tests.fakes.github_gate import (
    Gatekeeper,
    api_error_handler,
    graphql_prefix,
    http_error_handler,
    validation_error_handler,
)
from tests.fakes.github_permissions import manifest_permissions
from tests.fakes.github_state import (
    DOCS,
    ApiError,
    CheckRunRec,
    FakeApp,
    FakeFile,
    FakeInstallation,
    FakePull,
    FakeRepo,
    FakeToken,
    Fault,
    GitHubState,
    Hook,
    IssueCommentRec,
    LoggedRequest,
    ReactionRec,
    ReviewCommentRec,
    ReviewRec,
)

FileSpec = FakeFile | tuple[str, str, str | None] | tuple[str, str, str | None, str | None]
SECONDARY_LIMIT = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."
)
# What every request to the fake must carry (tests that call it with httpx add these).
API_HEADERS = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}


def suggestion_lines(body: str) -> list[str] | None:
    """The lines of the first ```suggestion block of a comment body (None: there is none)."""
    lines = body.split("\n")
    for index, line in enumerate(lines):
        opener = re.match(r"^\s*(`{3,}|~{3,})suggestion\s*$", line)
        if opener:
            fence = opener.group(1)
            rest = lines[index + 1 :]
            end = next(i for i, text in enumerate(rest) if text.strip() == fence)
            return rest[:end]
    return None


class FakeGitHub:
    """State + `.app` (FastAPI). Scenario setup and inspection happen through methods."""

    def __init__(
        self,
        public_key_pem: str,
        *,
        app_id: int = 4242,
        client_id: str = "Iv1.fakeclient0001",
        app_slug: str = "prbot",
        api_prefix: str = "",
        token_ttl: float = 3600.0,
    ) -> None:
        self.state = GitHubState(
            app_id=app_id,
            client_id=client_id,
            app_slug=app_slug,
            public_key_pem=public_key_pem,
            prefix=api_prefix.rstrip("/"),
            token_ttl=token_ttl,
        )
        self._token_ttl = token_ttl
        self.archives = github_archive.ArchiveStore()
        self.app = self._build_app()

    def reset(self) -> None:
        """Back to an empty GitHub, so one running server can serve many tests."""
        self.state.clear(self._token_ttl)
        self.archives.clear()

    # -- scenario setup ---------------------------------------------------------------

    def add_installation(
        self, installation_id: int, account: str = "octo", permissions: dict[str, str] | None = None
    ) -> None:
        perms = dict(permissions or manifest_permissions())
        self.state.installations[installation_id] = FakeInstallation(
            installation_id, account, perms
        )

    def add_repo(
        self,
        owner: str,
        name: str,
        installation_id: int | None = None,
        default_branch: str = "main",
        private: bool = False,
    ) -> None:
        repo = FakeRepo(owner, name, self.state.next_id(), installation_id, default_branch, private)
        self.state.repos[repo.full_name.lower()] = repo

    def install_other_app(
        self,
        app_id: int,
        slug: str,
        public_key_pem: str,
        installation_id: int,
        repo: str,
        permissions: dict[str, str] | None = None,
    ) -> None:
        """A second, different App (another review bot) installed on `repo` as well."""
        app = FakeApp(app_id, slug, f"Iv1.{slug}", public_key_pem)
        with self.state.lock:
            self.state.other_apps[app_id] = app
            self.state.installations[installation_id] = FakeInstallation(
                installation_id,
                self._repo(repo).owner,
                dict(permissions or manifest_permissions()),
                app_id=app_id,
            )
            self._repo(repo).more_installations.add(installation_id)

    def set_permissions(self, installation_id: int, **changes: str) -> None:
        """Change what an installation granted (tokens already issued hold it at once)."""
        with self.state.lock:
            self.state.installations[installation_id].permissions.update(changes)

    def add_plain_token(
        self,
        token: str,
        login: str = "github-actions[bot]",
        permissions: dict[str, str] | None = None,
    ) -> None:
        """A token that never expires and sees every repo (Action mode's GITHUB_TOKEN);
        `permissions` as a workflow grants them (None: not checked)."""
        self.state.tokens[token] = FakeToken(
            token, None, login, expires_at=None, permissions=permissions
        )

    def add_pull_request(
        self,
        owner: str,
        repo: str,
        number: int,
        head_sha: str,
        base_sha: str,
        files: Sequence[FileSpec] = (),
        title: str = "A change",
        body: str | None = None,
        user: str = "octocat",
        draft: bool = False,
        labels: Iterable[str] = (),
        *,
        head_ref: str = "feature",
        base_ref: str = "main",
        state: str = "open",
        user_type: str = "User",
        commits: Sequence[str] = (),
    ) -> None:
        target = self.state.repo(owner, repo)
        target.pulls[number] = FakePull(
            number=number,
            id=self.state.next_id(),
            title=title,
            body=body,
            user=user,
            user_type=user_type,
            draft=draft,
            labels=list(labels),
            head_sha=head_sha,
            base_sha=base_sha,
            head_ref=head_ref,
            base_ref=base_ref,
            state=state,
            files=[f if isinstance(f, FakeFile) else FakeFile(*f) for f in files],
            commits=[*commits, head_sha] if head_sha not in commits else list(commits),
        )

    def push(
        self,
        repo: str,
        number: int,
        head_sha: str,
        patches: dict[str, str | None] | None = None,
        files: Sequence[FileSpec] | None = None,
    ) -> None:
        """A new head: pulls/files follows it at once, while reviews and comments on the
        earlier head are still checked against that head's own diff."""
        owner, name = repo.split("/", 1)
        with self.state.lock:
            pull = self.state.pull(owner, name, number)
            pull.earlier[pull.head_sha] = [copy.copy(f) for f in pull.files]
            if files is not None:
                pull.files = [f if isinstance(f, FakeFile) else FakeFile(*f) for f in files]
            else:
                pull.files = [copy.copy(f) for f in pull.files]
            for f in pull.files:
                if patches and f.filename in patches:
                    f.patch = patches[f.filename]
            pull.head_sha = head_sha
            if head_sha not in pull.commits:
                pull.commits.append(head_sha)

    def on_request(
        self, method: str, path_regex: str, action: Callable[[], None], times: int = 1
    ) -> None:
        """Run `action` when a matching request arrives, before it is answered (e.g. a push
        landing between two reads of a review)."""
        with self.state.lock:
            self.state.hooks.append(Hook(method.upper(), path_regex, action, times))

    def set_file_content(self, repo: str, ref: str, path: str, text: str) -> None:
        self._repo(repo).contents[(ref, path)] = text

    def set_archive(self, repo: str, ref: str, data: bytes) -> None:
        """Serve these bytes as the tarball of `ref` (instead of one built from contents)."""
        self.archives.raw[(self._repo(repo).full_name.lower(), ref)] = data

    def set_permission(
        self, repo: str, user: str, permission: str, role_name: str | None = None
    ) -> None:
        """permission: admin|write|read|none; role_name defaults to the same word."""
        self._repo(repo).permissions[user] = (permission, role_name or permission)

    def set_diff(self, repo: str, number: int, text: str) -> None:
        owner, name = repo.split("/", 1)
        self.state.pull(owner, name, number).diff_text = text

    def add_review_comment(
        self,
        repo: str,
        number: int,
        path: str,
        line: int,
        body: str,
        user: str = "octocat",
        side: str = "RIGHT",
        in_reply_to_id: int | None = None,
    ) -> int:
        """Seed a comment written by someone (no anchor check: it is history)."""
        owner, name = repo.split("/", 1)
        pull = self.state.pull(owner, name, number)
        rec = ReviewCommentRec(
            id=self.state.next_id(),
            repo=self._repo(repo).full_name,
            number=number,
            review_id=None,
            path=path,
            line=line,
            side=side,
            start_line=None,
            start_side=None,
            position=None,
            body=body,
            user=user,
            commit_id=pull.head_sha,
            in_reply_to_id=in_reply_to_id,
            diff_hunk="",
            created_at="2026-01-01T00:00:00Z",
        )
        self.state.review_comments[rec.id] = rec
        return rec.id

    def add_issue_comment(self, repo: str, number: int, body: str, user: str = "octocat") -> int:
        stamp = "2026-01-01T00:00:00Z"
        rec = IssueCommentRec(
            self.state.next_id(), self._repo(repo).full_name, number, body, user, stamp, stamp
        )
        self.state.issue_comments[rec.id] = rec
        return rec.id

    def react(self, kind: str, comment_id: int, content: str, user: str) -> None:
        """`user` reacts to a comment (kind "issues" or "pulls"), as GitHub records it."""
        with self.state.lock:
            self.state.reactions.setdefault((kind, comment_id), []).append(
                ReactionRec(self.state.next_id(), content, user, "2026-01-01T00:00:00Z")
            )

    # -- faults -----------------------------------------------------------------------

    def inject(
        self,
        method: str,
        path_regex: str,
        status: int,
        times: int = 1,
        headers: dict[str, str] | None = None,
        body: Any = None,
    ) -> None:
        """Answer the next `times` matching requests (method or "*", re.search on the path)."""
        if body is None:
            body = {
                "message": HTTPStatus(status).phrase,
                "documentation_url": DOCS,
                "status": str(status),
            }
        fault = Fault(method.upper(), path_regex, status, times, dict(headers or {}), body)
        with self.state.lock:
            self.state.faults.append(fault)

    def inject_secondary_rate_limit(
        self, method: str, path_regex: str, retry_after: int | None = 1, times: int = 1
    ) -> None:
        headers = {"retry-after": str(retry_after)} if retry_after is not None else {}
        body = {"message": SECONDARY_LIMIT, "documentation_url": DOCS, "status": "403"}
        self.inject(method, path_regex, 403, times, headers, body)

    def expire_tokens(self) -> None:
        """Revoke every installation token issued so far (the client must fetch a new one)."""
        with self.state.lock:
            for token in self.state.tokens.values():
                if token.installation_id is not None:
                    token.revoked = True

    def leave_review_on_422(self, enabled: bool = True) -> None:
        """Imitate reports that a 422 on create-review can still leave a (comment-less) review."""
        self.state.leave_review_on_422 = enabled

    # -- inspection -------------------------------------------------------------------

    def requests(
        self, method: str | None = None, path_regex: str | None = None
    ) -> list[LoggedRequest]:
        with self.state.lock:
            log = list(self.state.log)
        return [
            r
            for r in log
            if (method is None or r.method == method.upper())
            and (path_regex is None or re.search(path_regex, r.path))
        ]

    def write_times(self, path_regex: str | None = None) -> list[float]:
        """Arrival times (time.monotonic) of every POST/PATCH/PUT/DELETE, in order."""
        return [r.at for r in self.requests(path_regex=path_regex) if r.method != "GET"]

    def reviews(self, repo: str, number: int) -> list[ReviewRec]:
        full = self._repo(repo).full_name
        return [r for r in self.state.reviews.values() if r.repo == full and r.number == number]

    def review_comments(self, repo: str, number: int) -> list[ReviewCommentRec]:
        full = self._repo(repo).full_name
        comments = self.state.review_comments.values()
        return [c for c in comments if c.repo == full and c.number == number]

    def issue_comments(self, repo: str, number: int) -> list[IssueCommentRec]:
        full = self._repo(repo).full_name
        comments = self.state.issue_comments.values()
        return [c for c in comments if c.repo == full and c.number == number]

    def reactions(self, kind: str, comment_id: int) -> list[ReactionRec]:
        """kind: "issues" or "pulls"."""
        return list(self.state.reactions.get((kind, comment_id), []))

    def check_runs(self, repo: str) -> list[CheckRunRec]:
        full = self._repo(repo).full_name
        return [c for c in self.state.check_runs.values() if c.repo == full]

    def apply_suggestion(self, comment_id: int) -> str:
        """The file after "Commit suggestion": GitHub replaces the commented lines
        (start_line..line, RIGHT side, at the comment's commit) with the block's lines,
        exactly; an empty block deletes them."""
        rec = self.state.review_comments[comment_id]
        text = self._repo(rec.repo).contents[(rec.commit_id, rec.path)]
        block = suggestion_lines(rec.body)
        if block is None or rec.line is None or rec.side != "RIGHT":
            raise ValueError(f"comment {comment_id} holds no applicable suggestion")
        lines = text.splitlines(keepends=True)
        first = (rec.start_line or rec.line) - 1
        return "".join(lines[:first] + [f"{line}\n" for line in block] + lines[rec.line :])

    def thread_resolved(self, root_comment_id: int) -> bool:
        return root_comment_id in self.state.resolved_threads

    def issued_tokens(self) -> list[FakeToken]:
        return [t for t in self.state.tokens.values() if t.installation_id is not None]

    def _repo(self, repo: str) -> FakeRepo:
        owner, name = repo.split("/", 1)
        return self.state.repo(owner, name)

    # -- the ASGI app -----------------------------------------------------------------

    def _build_app(self) -> FastAPI:
        state = self.state
        app = FastAPI(title="fake GitHub", openapi_url=None, docs_url=None, redoc_url=None)
        for module in (github_routes_app, github_routes_read, github_routes_review):
            app.include_router(module.router(state), prefix=state.prefix)
        app.include_router(github_routes_talk.router(state), prefix=state.prefix)
        app.include_router(github_archive.router(state, self.archives), prefix=state.prefix)
        app.include_router(github_archive.codeload_router(state, self.archives))
        app.include_router(github_routes_app.graphql_router(state), prefix=graphql_prefix(state))
        app.add_exception_handler(ApiError, api_error_handler)
        app.add_exception_handler(HTTPException, http_error_handler)
        app.add_exception_handler(RequestValidationError, validation_error_handler)
        app.middleware("http")(Gatekeeper(state))
        return app
