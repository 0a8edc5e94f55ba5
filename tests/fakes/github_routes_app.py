"""App endpoints (JWT) and a narrow GraphQL imitation of the fake GitHub.

The GraphQL endpoint is not a GraphQL server: it looks for the operation name in the
query text and reads only the variables. It knows two operations, enough to resolve a
review thread:
  * a query containing `reviewThreads`, variables {owner, name (or repo), number}:
    repository.pullRequest.reviewThreads{pageInfo, nodes{id, isResolved, isOutdated,
    path, line, comments{nodes{databaseId, body, author{login}}}}} (one page, all threads);
  * a mutation containing `resolveReviewThread` (or `unresolveReviewThread`), variables
    {threadId} or {input: {threadId}}: {thread{id, isResolved}}.
Anything else answers {"errors": [...]} like GitHub does for an unknown field.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from tests.fakes import github_permissions as permissions
from tests.fakes import github_render as render
from tests.fakes.github_auth import iso, issue_installation_token
from tests.fakes.github_permissions import manifest_permissions
from tests.fakes.github_routes_read import base_url
from tests.fakes.github_routes_review import json_body, visible_comments
from tests.fakes.github_state import ApiError, FakeApp, FakeToken, GitHubState, ReviewCommentRec

THREAD_PREFIX = "PRRT_fake"


def installation_json(base: str, state: GitHubState, installation_id: int) -> dict[str, Any]:
    inst = state.installations.get(installation_id)
    app = state.app(inst.app_id) if inst else None
    if inst is None or app is None:
        raise ApiError(404, "Not Found")
    return {
        "id": inst.id,
        "account": render.user(base, inst.account, "Organization"),
        "app_id": app.id,
        "app_slug": app.slug,
        "target_type": "Organization",
        "permissions": inst.permissions,
        "repository_selection": inst.repository_selection,
        "events": ["pull_request", "issue_comment", "pull_request_review_comment"],
        "access_tokens_url": f"{base}/app/installations/{inst.id}/access_tokens",
        "repositories_url": f"{base}/installation/repositories",
        "html_url": f"{base}/html/settings/installations/{inst.id}",
    }


def thread_json(
    state: GitHubState, root: ReviewCommentRec, replies: list[ReviewCommentRec]
) -> dict[str, Any]:
    comments = [root, *replies]
    return {
        "id": f"{THREAD_PREFIX}{root.id}",
        "isResolved": root.id in state.resolved_threads,
        "isOutdated": False,
        "path": root.path,
        "line": root.line,
        "comments": {
            "nodes": [
                {"databaseId": c.id, "body": c.body, "author": {"login": c.user}} for c in comments
            ]
        },
    }


def graphql_error(message: str, kind: str = "NOT_FOUND", field: str | None = None) -> JSONResponse:
    """GitHub answers GraphQL errors with 200 and an `errors` list (`data.<field>` null)."""
    error: dict[str, Any] = {"type": kind, "message": message}
    if field is None:
        return JSONResponse({"data": None, "errors": [error]})
    error["path"] = [field]
    return JSONResponse({"data": {field: None}, "errors": [error]})


def review_threads(state: GitHubState, token: FakeToken, variables: dict[str, Any]) -> JSONResponse:
    owner, name = variables.get("owner"), variables.get("name") or variables.get("repo")
    repo = state.repos.get(f"{owner}/{name}".lower())
    if repo is None or (token.installation_id not in (None, repo.installation_id)):
        return graphql_error(f"Could not resolve to a Repository with the name '{owner}/{name}'.")
    number = int(variables.get("number", 0))
    if number not in repo.pulls:
        return graphql_error(f"Could not resolve to a PullRequest with the number of {number}.")
    comments = visible_comments(state, repo.full_name, number)
    roots = [c for c in comments if c.in_reply_to_id is None]
    nodes = [
        thread_json(state, root, [c for c in comments if c.in_reply_to_id == root.id])
        for root in roots
    ]
    threads = {"pageInfo": {"hasNextPage": False, "endCursor": None}, "nodes": nodes}
    data = {"repository": {"pullRequest": {"reviewThreads": threads}}}
    return JSONResponse({"data": data})


def resolve_thread(state: GitHubState, variables: dict[str, Any], resolved: bool) -> JSONResponse:
    thread_id = variables.get("threadId") or (variables.get("input") or {}).get("threadId")
    root_id = str(thread_id or "").removeprefix(THREAD_PREFIX)
    if not root_id.isdigit() or int(root_id) not in state.review_comments:
        return graphql_error(f"Could not resolve to a node with the global id of '{thread_id}'")
    with state.lock:
        if resolved:
            state.resolved_threads.add(int(root_id))
        else:
            state.resolved_threads.discard(int(root_id))
    op = "resolveReviewThread" if resolved else "unresolveReviewThread"
    return JSONResponse({"data": {op: {"thread": {"id": thread_id, "isResolved": resolved}}}})


def router(state: GitHubState) -> APIRouter:
    api = APIRouter()

    @api.get("/app")
    async def get_app(request: Request) -> JSONResponse:
        app: FakeApp = request.state.app  # the App whose JWT signed the request
        body = {
            **render.app(base_url(request, state), app),
            "client_id": app.client_id,
            "permissions": manifest_permissions(),
            "events": ["pull_request", "issue_comment", "pull_request_review_comment"],
        }
        return JSONResponse(body)

    @api.post("/app/installations/{installation_id}/access_tokens", status_code=201)
    async def create_token(request: Request, installation_id: int) -> JSONResponse:
        # The Gatekeeper middleware has verified the App JWT already.
        with state.lock:
            token = issue_installation_token(state, installation_id, request.state.app)
        inst = state.installations[installation_id]
        body = {
            "token": token.token,
            "expires_at": iso(token.expires_at or 0),
            "permissions": inst.permissions,
            "repository_selection": inst.repository_selection,
        }
        return JSONResponse(body, status_code=201)

    @api.get("/app/installations/{installation_id}")
    async def get_installation(request: Request, installation_id: int) -> JSONResponse:
        return JSONResponse(installation_json(base_url(request, state), state, installation_id))

    @api.get("/repos/{owner}/{name}/installation")
    async def repo_installation(request: Request, owner: str, name: str) -> JSONResponse:
        repo, app = state.repo(owner, name), request.state.app
        found = [
            i
            for i in repo.installations()
            if i in state.installations
            and (state.installations[i].app_id or state.app_id) == app.id
        ]
        if not found:
            raise ApiError(404, "Not Found")
        return JSONResponse(installation_json(base_url(request, state), state, found[0]))

    return api


def graphql_router(state: GitHubState) -> APIRouter:
    api = APIRouter()

    @api.post("/graphql")
    async def graphql(request: Request) -> JSONResponse:
        payload = await json_body(request)
        query, variables = str(payload.get("query", "")), payload.get("variables") or {}
        token: FakeToken = request.state.token
        have = state.permissions_of(token)
        for op in ("unresolveReviewThread", "resolveReviewThread"):
            if op in query:
                if have is not None and not permissions.granted(have, permissions.RESOLVE_THREAD):
                    return graphql_error(permissions.FORBIDDEN, "FORBIDDEN", op)
                return resolve_thread(state, variables, resolved=op == "resolveReviewThread")
        if "reviewThreads" in query:
            if have is not None and not permissions.granted(have, permissions.PR_READ):
                return graphql_error(permissions.FORBIDDEN, "FORBIDDEN", "repository")
            return review_threads(state, token, variables)
        return graphql_error("This fake GitHub only knows review-thread operations", "INTERNAL")

    return api
