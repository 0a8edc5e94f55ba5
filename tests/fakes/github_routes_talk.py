"""Conversation and check-run endpoints of the fake GitHub: issue comments, reactions, checks."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from tests.fakes import github_render as render
from tests.fakes.github_routes_read import base_url, paginate
from tests.fakes.github_routes_review import (
    MAX_BODY,
    MSG_BODY_TOO_LONG,
    acting_login,
    add_reaction_to,
    json_body,
    list_reactions_of,
    now,
)
from tests.fakes.github_state import ApiError, CheckRunRec, GitHubState, IssueCommentRec, not_found

MAX_ANNOTATIONS = 50  # GitHub: at most 50 annotations per check-run request
CHECK_STATUSES = {"queued", "in_progress", "completed"}
CONCLUSIONS = {"success", "failure", "neutral", "cancelled", "skipped", "timed_out"}
CONCLUSIONS |= {"action_required"}
LEVELS = {"notice", "warning", "failure"}


def body_too_long() -> ApiError:
    # Issue comments answer with the "Validation Failed" shape, not a list of strings.
    return ApiError(
        422,
        "Validation Failed",
        errors=[
            {
                "resource": "IssueComment",
                "code": "unprocessable",
                "field": "data",
                "message": MSG_BODY_TOO_LONG,
            }
        ],
    )


def check_output(output: Any) -> list[dict[str, Any]]:
    """The annotations of a check-run `output`, refused when more than 50 or malformed."""
    if output is None:
        return []
    if not isinstance(output, dict) or "title" not in output or "summary" not in output:
        raise ApiError(422, 'Invalid request.\n\n"title" and "summary" are required.')
    annotations = output.get("annotations") or []
    if len(annotations) > MAX_ANNOTATIONS:
        raise ApiError(
            422,
            "Unprocessable Entity",
            errors=["Only 50 annotations are allowed per request"],
        )
    for note in annotations:
        missing = {"path", "start_line", "end_line", "annotation_level", "message"} - set(note)
        if missing or note["annotation_level"] not in LEVELS:
            raise ApiError(422, f"Invalid request.\n\nInvalid annotation: {sorted(missing)}")
    return list(annotations)


def apply_check_update(rec: CheckRunRec, payload: dict[str, Any]) -> None:
    status, conclusion = payload.get("status"), payload.get("conclusion")
    if status is not None and status not in CHECK_STATUSES:
        raise ApiError(422, f"Invalid request.\n\nInvalid status: {status}")
    if conclusion is not None and conclusion not in CONCLUSIONS:
        raise ApiError(422, f"Invalid request.\n\nInvalid conclusion: {conclusion}")
    rec.annotations.extend(check_output(payload.get("output")))
    if payload.get("output") is not None:
        rec.output = {k: v for k, v in payload["output"].items() if k != "annotations"}
    if conclusion is not None:  # GitHub: a conclusion implies status "completed"
        rec.conclusion, rec.status = conclusion, "completed"
        rec.completed_at = payload.get("completed_at") or now()
    elif status is not None:
        rec.status = status
    for key in ("details_url", "external_id", "started_at", "name"):
        if payload.get(key) is not None:
            setattr(rec, key, payload[key])


def router(state: GitHubState) -> APIRouter:
    api = APIRouter()

    def comment_json(request: Request, rec: IssueCommentRec) -> dict[str, Any]:
        reactions = state.reactions.get(("issues", rec.id), [])
        via = state.app(rec.via_app) if rec.via_app is not None else None
        return render.issue_comment(base_url(request, state), rec, reactions, via)

    def find_comment(owner: str, name: str, comment_id: int) -> IssueCommentRec:
        repo = state.repo(owner, name)
        rec = state.issue_comments.get(comment_id)
        if rec is None or rec.repo != repo.full_name:
            raise not_found()
        return rec

    @api.get("/repos/{owner}/{name}/issues/{number}/comments")
    async def list_comments(request: Request, owner: str, name: str, number: int) -> JSONResponse:
        repo, _ = state.repo(owner, name), state.pull(owner, name, number)
        found = [
            comment_json(request, c)
            for c in state.issue_comments.values()
            if c.repo == repo.full_name and c.number == number
        ]
        return paginate(request, found, state)

    @api.post("/repos/{owner}/{name}/issues/{number}/comments")
    async def create_comment(request: Request, owner: str, name: str, number: int) -> JSONResponse:
        repo, _ = state.repo(owner, name), state.pull(owner, name, number)
        body = (await json_body(request)).get("body") or ""
        if len(body) > MAX_BODY:
            raise body_too_long()
        stamp = now()
        rec = IssueCommentRec(
            id=state.next_id(),
            repo=repo.full_name,
            number=number,
            body=body,
            user=acting_login(request),
            created_at=stamp,
            updated_at=stamp,
            via_app=getattr(request.state, "app_id", None),
        )
        state.issue_comments[rec.id] = rec
        return JSONResponse(comment_json(request, rec), status_code=201)

    @api.get("/repos/{owner}/{name}/issues/comments/{comment_id}")
    async def get_comment(request: Request, owner: str, name: str, comment_id: int) -> JSONResponse:
        return JSONResponse(comment_json(request, find_comment(owner, name, comment_id)))

    @api.patch("/repos/{owner}/{name}/issues/comments/{comment_id}")
    async def edit_comment(
        request: Request, owner: str, name: str, comment_id: int
    ) -> JSONResponse:
        rec = find_comment(owner, name, comment_id)
        body = (await json_body(request)).get("body") or ""
        if len(body) > MAX_BODY:
            raise body_too_long()
        rec.body, rec.updated_at = body, now()
        return JSONResponse(comment_json(request, rec))

    @api.delete("/repos/{owner}/{name}/issues/comments/{comment_id}")
    async def delete_comment(owner: str, name: str, comment_id: int) -> Response:
        rec = find_comment(owner, name, comment_id)
        with state.lock:
            del state.issue_comments[rec.id]
        return Response(status_code=204)

    @api.get("/repos/{owner}/{name}/issues/comments/{comment_id}/reactions")
    async def list_reactions(
        request: Request, owner: str, name: str, comment_id: int
    ) -> JSONResponse:
        find_comment(owner, name, comment_id)
        return list_reactions_of(request, state, "issues", comment_id)

    @api.post("/repos/{owner}/{name}/issues/comments/{comment_id}/reactions")
    async def add_reaction(
        request: Request, owner: str, name: str, comment_id: int
    ) -> JSONResponse:
        find_comment(owner, name, comment_id)
        return await add_reaction_to(request, state, "issues", comment_id)

    @api.post("/repos/{owner}/{name}/check-runs")
    async def create_check_run(request: Request, owner: str, name: str) -> JSONResponse:
        repo, payload = state.repo(owner, name), await json_body(request)
        if not payload.get("name") or not payload.get("head_sha"):
            raise ApiError(422, 'Invalid request.\n\n"name" and "head_sha" are required.')
        rec = CheckRunRec(
            id=state.next_id(),
            repo=repo.full_name,
            name=payload["name"],
            head_sha=payload["head_sha"],
            status="queued",
            conclusion=None,
            output={},
        )
        apply_check_update(rec, payload)
        state.check_runs[rec.id] = rec
        return JSONResponse(render.check_run(base_url(request, state), rec), status_code=201)

    @api.patch("/repos/{owner}/{name}/check-runs/{run_id}")
    async def update_check_run(
        request: Request, owner: str, name: str, run_id: int
    ) -> JSONResponse:
        repo = state.repo(owner, name)
        rec = state.check_runs.get(run_id)
        if rec is None or rec.repo != repo.full_name:
            raise not_found()
        apply_check_update(rec, await json_body(request))
        return JSONResponse(render.check_run(base_url(request, state), rec))

    @api.get("/repos/{owner}/{name}/check-runs/{run_id}")
    async def get_check_run(request: Request, owner: str, name: str, run_id: int) -> JSONResponse:
        repo = state.repo(owner, name)
        rec = state.check_runs.get(run_id)
        if rec is None or rec.repo != repo.full_name:
            raise not_found()
        return JSONResponse(render.check_run(base_url(request, state), rec))

    return api
