"""The fake GitHub's middleware and error handlers: log, faults, API version, auth, rate headers."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Awaitable, Callable
from http import HTTPStatus

from fastapi import Request, Response
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from tests.fakes import github_permissions as permissions
from tests.fakes.github_archive import CODELOAD_PREFIX
from tests.fakes.github_auth import check_repo_access, check_token, verify_app_jwt
from tests.fakes.github_state import ApiError, FakeToken, Fault, GitHubState, LoggedRequest

JWT_PATHS = re.compile(
    r"^/app(/installations/\d+(/access_tokens)?)?$|^/repos/[^/]+/[^/]+/installation$"
)
REPO_PATH = re.compile(r"^/repos/([^/]+)/([^/]+)")
API_VERSIONS = {"2022-11-28", "2026-03-10"}
# What a client may ask for. GitHub itself tolerates a missing Accept and ignores retired
# previews; this fake refuses both, so a client that forgets the documented media type fails.
MEDIA_TYPES = {
    "application/vnd.github+json",
    "application/vnd.github.diff",
    "application/vnd.github.v3.diff",
}


def graphql_prefix(state: GitHubState) -> str:
    # PyGithub: GHES "/api/v3" -> "/api/graphql"; github.com "" -> "/graphql".
    return state.prefix.removesuffix("/v3")


def error_response(err: ApiError) -> JSONResponse:
    return JSONResponse(err.body(), status_code=err.status, headers=err.headers)


async def api_error_handler(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return error_response(exc)


async def http_error_handler(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return error_response(ApiError(exc.status_code, HTTPStatus(exc.status_code).phrase))


async def validation_error_handler(_: Request, exc: Exception) -> Response:
    return error_response(ApiError(422, "Invalid request.", errors=[str(exc)]))


def check_headers(request: Request) -> None:
    """Every request must name the API version and GitHub's media type (stricter than
    GitHub, which defaults both): a client that sends neither is not pinned to anything."""
    version = request.headers.get("x-github-api-version")
    if version is None:
        raise ApiError(400, "Missing X-GitHub-Api-Version header (this fake requires it).")
    if version not in API_VERSIONS:
        raise ApiError(400, f"API version {version} is not supported.")
    accept = request.headers.get("accept", "").split(",")[0].split(";")[0].strip()
    if accept not in MEDIA_TYPES:
        raise ApiError(
            415,
            f"Unsupported 'Accept' header: '{accept}'. Must accept 'application/vnd.github+json'"
            + (" (preview media types are retired)" if "preview" in accept else ""),
        )


class Gatekeeper:
    """Middleware: log, injected faults, API version, authentication, rate-limit headers."""

    def __init__(self, state: GitHubState) -> None:
        self.state = state

    async def __call__(
        self, request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        entry = await self._log(request)
        token: FakeToken | None = None
        try:
            self._run_hooks(request.method, entry.path)
            fault = self._take_fault(request.method, entry.path)
            if fault is not None:
                response: Response = JSONResponse(
                    fault.body, status_code=fault.status, headers=fault.headers
                )
            else:
                token = self._authenticate(request)
                response = await call_next(request)
        except ApiError as err:
            response = error_response(err)
        self._rate_headers(response, token)
        version = request.headers.get("x-github-api-version") or "2022-11-28"
        response.headers["x-github-api-version-selected"] = version
        entry.status = response.status_code
        return response

    async def _log(self, request: Request) -> LoggedRequest:
        raw = await request.body()
        try:
            data = json.loads(raw) if raw else None
        except ValueError:
            data = None
        entry = LoggedRequest(
            method=request.method,
            path=request.url.path,
            query=request.url.query,
            headers={k.lower(): v for k, v in request.headers.items()},
            json=data,
            at=time.monotonic(),
        )
        with self.state.lock:
            self.state.log.append(entry)
        return entry

    def _run_hooks(self, method: str, path: str) -> None:
        with self.state.lock:
            due = [h for h in self.state.hooks if h.matches(method, path)]
            for hook in due:
                hook.times -= 1
        for hook in due:
            hook.action()

    def _take_fault(self, method: str, path: str) -> Fault | None:
        with self.state.lock:
            for fault in self.state.faults:
                if fault.matches(method, path):
                    fault.times -= 1
                    return fault
        return None

    def _authenticate(self, request: Request) -> FakeToken | None:
        path = request.url.path
        if path.startswith(CODELOAD_PREFIX + "/"):
            return None  # codeload checks the token in its URL, never a header
        authorization = request.headers.get("authorization")
        local = path.removeprefix(self.state.prefix)
        if JWT_PATHS.match(local):
            app = verify_app_jwt(self.state, authorization)
            check_headers(request)
            request.state.app = app
            request.state.login = app.login
            request.state.app_id = app.id
            return None
        token = check_token(self.state, authorization)  # 401 comes first, as on GitHub
        check_headers(request)
        match = REPO_PATH.match(local)
        if match:
            check_repo_access(self.state, token, match.group(1), match.group(2))
            permissions.check(
                self.state.permissions_of(token), permissions.needs_for(request.method, local)
            )
        request.state.token = token
        request.state.login = token.login
        request.state.app_id = token.app_id
        return token

    def _rate_headers(self, response: Response, token: FakeToken | None) -> None:
        remaining = 5000
        if token is not None:
            with self.state.lock:
                token.remaining = max(token.remaining - 1, 0)
                remaining = token.remaining
        defaults = {
            "x-ratelimit-limit": "5000",
            "x-ratelimit-remaining": str(remaining),
            "x-ratelimit-used": str(5000 - remaining),
            "x-ratelimit-reset": str(int(time.time()) + 3600),
            "x-ratelimit-resource": "core",
        }
        for name, value in defaults.items():
            if name not in response.headers:  # an injected fault may set its own
                response.headers[name] = value
