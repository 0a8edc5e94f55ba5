"""Read endpoints of the fake GitHub: repo, pull (JSON and diff), files, commits, contents."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse

from tests.fakes import github_render as render
from tests.fakes.github_hunks import count_changes
from tests.fakes.github_state import (
    ApiError,
    FakeFile,
    FakePull,
    FakeRepo,
    GitHubState,
    not_found,
)

MAX_DIFF_FILES = 300  # GitHub: the diff media type refuses PRs with more files (406)
MAX_DIFF_LINES = 20_000
MAX_LISTED_FILES = 3000  # GitHub: pulls/files lists at most 3,000 files
MAX_COMPARE_FILES = 300  # GitHub: a comparison lists at most 300 files, on its first page
DIFF_MEDIA_TYPES = ("application/vnd.github.diff", "application/vnd.github.v3.diff")


def base_url(request: Request, state: GitHubState) -> str:
    return str(request.base_url).rstrip("/") + state.prefix


def page_params(request: Request) -> tuple[int, int]:
    page = max(int(request.query_params.get("page", "1")), 1)
    per_page = min(max(int(request.query_params.get("per_page", "30")), 1), 100)
    return page, per_page


def paginate(request: Request, items: list[Any], state: GitHubState) -> JSONResponse:
    """One page of `items` with GitHub's Link header (next/last/first/prev, absolute urls)."""
    page, per_page = page_params(request)
    last = max((len(items) + per_page - 1) // per_page, 1)
    chunk = items[(page - 1) * per_page : page * per_page]
    url = base_url(request, state) + request.url.path.removeprefix(state.prefix)
    kept = "".join(
        f"&{k}={v}" for k, v in request.query_params.items() if k not in ("page", "per_page")
    )
    links = []
    if page < last:
        links.append(f'<{url}?page={page + 1}&per_page={per_page}{kept}>; rel="next"')
        links.append(f'<{url}?page={last}&per_page={per_page}{kept}>; rel="last"')
    if page > 1:
        links.append(f'<{url}?page=1&per_page={per_page}{kept}>; rel="first"')
        links.append(f'<{url}?page={page - 1}&per_page={per_page}{kept}>; rel="prev"')
    headers = {"link": ", ".join(links)} if links else {}
    return JSONResponse(chunk, headers=headers)


def unified_diff(pr: FakePull) -> str:
    """The whole-PR diff GitHub serves for Accept: application/vnd.github.diff."""
    if pr.diff_text is not None:
        return pr.diff_text
    parts: list[str] = []
    for f in pr.files:
        old = f.previous_filename or f.filename
        parts.append(f"diff --git a/{old} b/{f.filename}")
        if f.status == "added":
            parts.append("new file mode 100644")
        elif f.status == "removed":
            parts.append("deleted file mode 100644")
        elif f.status == "renamed":
            parts += ["similarity index 90%", f"rename from {old}", f"rename to {f.filename}"]
        if f.patch is None:
            parts.append(f"Binary files a/{old} and b/{f.filename} differ")
            continue
        parts.append("index 1111111..2222222 100644")
        parts.append("--- /dev/null" if f.status == "added" else f"--- a/{old}")
        parts.append("+++ /dev/null" if f.status == "removed" else f"+++ b/{f.filename}")
        parts.append(f.patch.rstrip("\n"))
    return "\n".join(parts) + "\n"


def file_json(base: str, repo: FakeRepo, f: FakeFile, head: str) -> dict[str, Any]:
    """One entry of pulls/files or of a comparison's `files` (GitHub's diff-entry)."""
    adds, dels = count_changes(f.patch)
    sha = hashlib.sha1(f"{head}:{f.filename}".encode()).hexdigest()
    data: dict[str, Any] = {
        "sha": sha,
        "filename": f.filename,
        "status": f.status,
        "additions": adds,
        "deletions": dels,
        "changes": adds + dels,
        "blob_url": f"{base}/html/{repo.full_name}/blob/{head}/{f.filename}",
        "raw_url": f"{base}/html/{repo.full_name}/raw/{head}/{f.filename}",
        "contents_url": f"{base}/repos/{repo.full_name}/contents/{f.filename}?ref={head}",
    }
    if f.patch is not None:  # GitHub omits `patch` for binary and very large files
        data["patch"] = f.patch
    if f.previous_filename is not None:
        data["previous_filename"] = f.previous_filename
    return data


def contents_json(base: str, repo: FakeRepo, ref: str, path: str, text: str) -> dict[str, Any]:
    raw = text.encode("utf-8")
    encoded = base64.encodebytes(raw).decode("ascii")  # GitHub wraps base64 at 60-76 columns
    url = f"{base}/repos/{repo.full_name}/contents/{path}?ref={ref}"
    sha = hashlib.sha1(b"blob %d\0" % len(raw) + raw).hexdigest()
    return {
        "type": "file",
        "encoding": "base64",
        "size": len(raw),
        "name": path.rsplit("/", 1)[-1],
        "path": path,
        "content": encoded,
        "sha": sha,
        "url": url,
        "git_url": f"{base}/repos/{repo.full_name}/git/blobs/{sha}",
        "html_url": f"{base}/html/{repo.full_name}/blob/{ref}/{path}",
        "download_url": f"{base}/html/{repo.full_name}/raw/{ref}/{path}",
        "_links": {"self": url},
    }


def router(state: GitHubState) -> APIRouter:
    api = APIRouter()

    @api.get("/repos/{owner}/{name}")
    async def get_repo(request: Request, owner: str, name: str) -> JSONResponse:
        return JSONResponse(render.repository(base_url(request, state), state.repo(owner, name)))

    @api.get("/repos/{owner}/{name}/pulls/{number}")
    async def get_pull(request: Request, owner: str, name: str, number: int) -> Response:
        repo, pr = state.repo(owner, name), state.pull(owner, name, number)
        if request.headers.get("accept", "") in DIFF_MEDIA_TYPES:
            return diff_response(pr)
        return JSONResponse(render.pull(base_url(request, state), repo, pr))

    def diff_response(pr: FakePull) -> Response:
        text = unified_diff(pr)
        if len(pr.files) > MAX_DIFF_FILES or text.count("\n") > MAX_DIFF_LINES:
            raise ApiError(
                406,
                "Sorry, the diff exceeded the maximum number of files (300). Consider using "
                "'List pull requests files' API or locally cloning the repository instead.",
                errors=[{"resource": "PullRequest", "field": "diff", "code": "too_large"}],
            )
        return PlainTextResponse(text, media_type=DIFF_MEDIA_TYPES[0])

    @api.get("/repos/{owner}/{name}/pulls/{number}/files")
    async def list_files(request: Request, owner: str, name: str, number: int) -> JSONResponse:
        repo, pr = state.repo(owner, name), state.pull(owner, name, number)
        base = base_url(request, state)
        files = pr.files[:MAX_LISTED_FILES]  # always the current head's
        return paginate(request, [file_json(base, repo, f, pr.head_sha) for f in files], state)

    @api.get("/repos/{owner}/{name}/compare/{basehead}")
    async def compare(request: Request, owner: str, name: str, basehead: str) -> JSONResponse:
        repo = state.repo(owner, name)
        base_sha, dots, head_sha = basehead.partition("...")
        pr = next(
            (p for p in repo.pulls.values() if p.base_sha == base_sha and head_sha in p.commits),
            None,
        )
        if not dots or pr is None:
            raise not_found()
        return JSONResponse(comparison(request, repo, pr, head_sha))

    def comparison(request: Request, repo: FakeRepo, pr: FakePull, head: str) -> dict[str, Any]:
        """GitHub's commit comparison: commits paged, files (<= 300) on the first page only."""
        base = base_url(request, state)
        page, per_page = page_params(request)
        paged = "page" in request.query_params or "per_page" in request.query_params
        per_page = per_page if paged else 250
        commits = pr.commits[: pr.commits.index(head) + 1]
        shown = commits[(page - 1) * per_page : page * per_page]
        files = pr.files_at(head)[:MAX_COMPARE_FILES] if page == 1 else []
        url = f"{base}/repos/{repo.full_name}/compare/{pr.base_sha}...{head}"
        html = f"{base}/html/{repo.full_name}/compare/{pr.base_sha}...{head}"
        return {
            "url": url,
            "html_url": html,
            "permalink_url": html,
            "diff_url": f"{html}.diff",
            "patch_url": f"{html}.patch",
            "base_commit": render.commit(base, repo, pr.base_sha),
            "merge_base_commit": render.commit(base, repo, pr.base_sha),
            "status": "ahead",
            "ahead_by": len(commits),
            "behind_by": 0,
            "total_commits": len(commits),
            "commits": [render.commit(base, repo, sha) for sha in shown],
            "files": [file_json(base, repo, f, head) for f in files],
        }

    @api.get("/repos/{owner}/{name}/pulls/{number}/commits")
    async def list_commits(request: Request, owner: str, name: str, number: int) -> JSONResponse:
        repo, pr = state.repo(owner, name), state.pull(owner, name, number)
        base = base_url(request, state)
        return paginate(request, [render.commit(base, repo, sha) for sha in pr.commits], state)

    @api.get("/repos/{owner}/{name}/commits/{sha}")
    async def get_commit(request: Request, owner: str, name: str, sha: str) -> JSONResponse:
        repo = state.repo(owner, name)
        known = {s for pr in repo.pulls.values() for s in [*pr.commits, pr.base_sha]}
        if sha not in known:
            raise ApiError(422, f"No commit found for SHA: {sha}")
        return JSONResponse(render.commit(base_url(request, state), repo, sha))

    @api.get("/repos/{owner}/{name}/contents/{path:path}")
    async def get_contents(request: Request, owner: str, name: str, path: str) -> JSONResponse:
        repo = state.repo(owner, name)
        ref = request.query_params.get("ref", repo.default_branch)
        text = repo.contents.get((ref, path))
        if text is None:
            raise not_found()
        return JSONResponse(contents_json(base_url(request, state), repo, ref, path, text))

    @api.get("/repos/{owner}/{name}/issues/{number}")
    async def get_issue(request: Request, owner: str, name: str, number: int) -> JSONResponse:
        repo, pr = state.repo(owner, name), state.pull(owner, name, number)
        return JSONResponse(render.issue(base_url(request, state), repo, pr))

    @api.get("/repos/{owner}/{name}/collaborators/{login}/permission")
    async def get_permission(request: Request, owner: str, name: str, login: str) -> JSONResponse:
        repo = state.repo(owner, name)
        permission, role = repo.permissions.get(login, ("none", "none"))
        body = {
            "permission": permission,
            "role_name": role,
            "user": render.user(base_url(request, state), login),
        }
        return JSONResponse(body)

    return api
