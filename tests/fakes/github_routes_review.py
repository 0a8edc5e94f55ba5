"""Review endpoints of the fake GitHub: reviews, review comments, replies, reactions.

POST .../reviews is all-or-nothing like GitHub: every comment's anchor is checked against
the stored patches (tests.fakes.github_hunks) and any failure rejects the whole review
with 422 and GitHub's own messages, which do not say which comment failed.
"""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from tests.fakes import github_render as render
from tests.fakes.github_auth import iso
from tests.fakes.github_hunks import MSG_PATH_INVALID, anchor_errors, hunk_text_for
from tests.fakes.github_routes_read import base_url, paginate
from tests.fakes.github_state import (
    ApiError,
    FakePull,
    GitHubState,
    ReactionRec,
    ReviewCommentRec,
    ReviewRec,
    not_found,
)

MAX_BODY = 65536
MSG_BODY_TOO_LONG = "Body is too long (maximum is 65536 characters)"
REVIEW_DOCS = "https://docs.github.com/rest/pulls/reviews#create-a-review-for-a-pull-request"
REPLY_DOCS = "https://docs.github.com/rest/pulls/comments#create-a-reply-for-a-review-comment"
COMMENT_KEYS = {"path", "body", "line", "side", "start_line", "start_side", "position"}
EVENT_STATES = {
    "COMMENT": "COMMENTED",
    "APPROVE": "APPROVED",
    "REQUEST_CHANGES": "CHANGES_REQUESTED",
}


def unprocessable(errors: list[Any], docs: str = REVIEW_DOCS) -> ApiError:
    return ApiError(422, "Unprocessable Entity", errors=errors, documentation_url=docs)


def acting_login(request: Request) -> str:
    return str(request.state.login)


def acting_app(request: Request) -> int | None:
    """The App behind the caller's token (None: a plain token)."""
    return getattr(request.state, "app_id", None)


async def json_body(request: Request) -> dict[str, Any]:
    data = await request.json()
    if not isinstance(data, dict):
        raise ApiError(400, "Problems parsing JSON")
    return data


def now() -> str:
    return iso(time.time())


def check_comment_keys(comments: list[Any]) -> None:
    for comment in comments:
        if not isinstance(comment, dict):
            raise ApiError(422, "Invalid request.\n\nFor 'items', is not an object.")
        for key in comment:
            if key not in COMMENT_KEYS:
                raise ApiError(422, f'Invalid request.\n\n"{key}" is not a permitted key.')


def review_errors(
    state: GitHubState, pr: FakePull, payload: dict[str, Any], user: str
) -> list[str]:
    errors: list[str] = []
    event = payload.get("event")
    if len(payload.get("body") or "") > MAX_BODY:
        errors.append(MSG_BODY_TOO_LONG)
    if event is not None and event not in EVENT_STATES:
        errors.append(f"Event {event} is not one of APPROVE, REQUEST_CHANGES, COMMENT")
    if event in ("APPROVE", "REQUEST_CHANGES") and user == pr.user:
        errors.append("Can not approve your own pull request")
    commit_id = payload.get("commit_id")
    if commit_id is not None and commit_id not in pr.commits:
        errors.append("Pull request review commit_id is not part of the pull request")
    # Anchors are checked against the diff of the commit named, not the current head's.
    patches = pr.patches(commit_id if commit_id in pr.commits else None)
    for comment in payload.get("comments") or []:
        found = anchor_errors(comment, patches)
        if len(comment.get("body") or "") > MAX_BODY:
            found.append(MSG_BODY_TOO_LONG)
        errors.extend(e for e in found if e not in errors)
    return errors


def store_comment(
    state: GitHubState, repo: str, pr: FakePull, data: dict[str, Any], **fields: Any
) -> ReviewCommentRec:
    side = data.get("side") or ("RIGHT" if data.get("line") is not None else None)
    patch = pr.patches(fields.get("commit_id")).get(data["path"])
    rec = ReviewCommentRec(
        id=state.next_id(),
        repo=repo,
        number=pr.number,
        path=data["path"],
        line=data.get("line"),
        side=side,
        start_line=data.get("start_line"),
        start_side=data.get("start_side") or (side if data.get("start_line") else None),
        position=data.get("position"),
        body=data.get("body") or "",
        diff_hunk=hunk_text_for(patch, data.get("line"), side or ""),
        created_at=now(),
        via_app=fields.pop("via_app", None),
        **fields,
    )
    state.review_comments[rec.id] = rec
    return rec


def new_review(
    state: GitHubState, pr: FakePull, repo: str, payload: dict[str, Any], user: str
) -> ReviewRec:
    event = payload.get("event")
    review = ReviewRec(
        id=state.next_id(),
        repo=repo,
        number=pr.number,
        user=user,
        body=payload.get("body") or "",
        state=EVENT_STATES.get(event or "", "PENDING"),
        commit_id=payload.get("commit_id") or pr.head_sha,
        submitted_at=None if event is None else now(),
    )
    state.reviews[review.id] = review
    return review


def visible_comments(state: GitHubState, repo: str, number: int) -> list[ReviewCommentRec]:
    pending = {r.id for r in state.reviews.values() if r.state == "PENDING"}
    return [
        c
        for c in state.review_comments.values()
        if c.repo == repo and c.number == number and c.review_id not in pending
    ]


def router(state: GitHubState) -> APIRouter:
    api = APIRouter()

    def comment_json(request: Request, rec: ReviewCommentRec) -> dict[str, Any]:
        reactions = state.reactions.get(("pulls", rec.id), [])
        return render.review_comment(base_url(request, state), rec, reactions)

    @api.post("/repos/{owner}/{name}/pulls/{number}/reviews")
    async def create_review(request: Request, owner: str, name: str, number: int) -> JSONResponse:
        repo, pr = state.repo(owner, name), state.pull(owner, name, number)
        payload, user = await json_body(request), acting_login(request)
        comments = payload.get("comments") or []
        check_comment_keys(comments)
        with state.lock:
            if payload.get("event") is None and any(
                r.state == "PENDING" and r.user == user and r.number == number
                for r in state.reviews.values()
            ):
                raise unprocessable(["User can only have one pending review per pull request"])
            errors = review_errors(state, pr, payload, user)
            if errors:
                if state.leave_review_on_422 and MSG_BODY_TOO_LONG not in errors:
                    new_review(state, pr, repo.full_name, payload, user)  # reported quirk
                raise unprocessable(errors)
            review = new_review(state, pr, repo.full_name, payload, user)
            for comment in comments:
                rec = store_comment(
                    state,
                    repo.full_name,
                    pr,
                    comment,
                    review_id=review.id,
                    user=user,
                    commit_id=review.commit_id,
                    in_reply_to_id=None,
                    via_app=acting_app(request),
                )
                review.comment_ids.append(rec.id)
        return JSONResponse(render.review(base_url(request, state), review))

    @api.get("/repos/{owner}/{name}/pulls/{number}/reviews")
    async def list_reviews(request: Request, owner: str, name: str, number: int) -> JSONResponse:
        repo, _ = state.repo(owner, name), state.pull(owner, name, number)
        base = base_url(request, state)
        found = [
            render.review(base, r)
            for r in state.reviews.values()
            if r.repo == repo.full_name and r.number == number
        ]
        return paginate(request, found, state)

    def find_review(owner: str, name: str, number: int, review_id: int) -> ReviewRec:
        repo = state.repo(owner, name)
        review = state.reviews.get(review_id)
        if review is None or review.repo != repo.full_name or review.number != number:
            raise not_found()
        return review

    @api.get("/repos/{owner}/{name}/pulls/{number}/reviews/{review_id}")
    async def get_review(
        request: Request, owner: str, name: str, number: int, review_id: int
    ) -> JSONResponse:
        review = find_review(owner, name, number, review_id)
        return JSONResponse(render.review(base_url(request, state), review))

    @api.put("/repos/{owner}/{name}/pulls/{number}/reviews/{review_id}")
    async def update_review(
        request: Request, owner: str, name: str, number: int, review_id: int
    ) -> JSONResponse:
        review = find_review(owner, name, number, review_id)
        body = (await json_body(request)).get("body") or ""
        if len(body) > MAX_BODY:
            raise unprocessable([MSG_BODY_TOO_LONG])
        review.body = body
        return JSONResponse(render.review(base_url(request, state), review))

    @api.get("/repos/{owner}/{name}/pulls/{number}/comments")
    async def list_comments(request: Request, owner: str, name: str, number: int) -> JSONResponse:
        repo, _ = state.repo(owner, name), state.pull(owner, name, number)
        found = [comment_json(request, c) for c in visible_comments(state, repo.full_name, number)]
        return paginate(request, found, state)

    @api.post("/repos/{owner}/{name}/pulls/{number}/comments", status_code=201)
    async def create_comment(request: Request, owner: str, name: str, number: int) -> JSONResponse:
        payload = await json_body(request)
        if payload.get("in_reply_to") is not None:
            return await reply(request, owner, name, number, int(payload["in_reply_to"]), payload)
        repo, pr = state.repo(owner, name), state.pull(owner, name, number)
        if not payload.get("commit_id"):
            raise unprocessable(["commit_id is required"])
        if payload["commit_id"] not in pr.commits:
            raise unprocessable(["Pull request review commit_id is not part of the pull request"])
        anchor = {k: v for k, v in payload.items() if k in COMMENT_KEYS}
        patches = pr.patches(payload["commit_id"])
        file_level = payload.get("subject_type") == "file"  # only this endpoint allows it
        if file_level:
            errors = [] if anchor.get("path") in patches else [MSG_PATH_INVALID]
        else:
            errors = anchor_errors(anchor, patches)
        if len(payload.get("body") or "") > MAX_BODY:
            errors.append(MSG_BODY_TOO_LONG)
        if errors:
            raise unprocessable(errors)
        rec = store_comment(
            state,
            repo.full_name,
            pr,
            anchor,
            review_id=None,
            user=acting_login(request),
            via_app=acting_app(request),
            commit_id=payload["commit_id"],
            in_reply_to_id=None,
            subject_type="file" if file_level else "line",
        )
        return JSONResponse(comment_json(request, rec), status_code=201)

    @api.post("/repos/{owner}/{name}/pulls/{number}/comments/{comment_id}/replies")
    async def create_reply(
        request: Request, owner: str, name: str, number: int, comment_id: int
    ) -> JSONResponse:
        return await reply(request, owner, name, number, comment_id, await json_body(request))

    async def reply(
        request: Request, owner: str, name: str, number: int, parent_id: int, data: dict[str, Any]
    ) -> JSONResponse:
        repo, pr = state.repo(owner, name), state.pull(owner, name, number)
        parent = state.review_comments.get(parent_id)
        if parent is None or parent.repo != repo.full_name or parent.number != number:
            raise not_found()
        body = data.get("body") or ""
        if len(body) > MAX_BODY:
            raise unprocessable([MSG_BODY_TOO_LONG])
        if parent.in_reply_to_id is not None:
            # GitHub's docs: "Replies to replies are not supported." Reply to the thread's
            # top-level comment instead.
            raise ApiError(
                422,
                "Validation Failed",
                errors=[
                    {
                        "resource": "PullRequestReviewComment",
                        "code": "custom",
                        "field": "in_reply_to_id",
                        "message": "in_reply_to_id must be a top-level review comment: "
                        "replies to replies are not supported",
                    }
                ],
                documentation_url=REPLY_DOCS,
            )
        anchor = {"path": parent.path, "line": parent.line, "side": parent.side, "body": body}
        rec = store_comment(
            state,
            repo.full_name,
            pr,
            anchor,
            review_id=None,
            user=acting_login(request),
            via_app=acting_app(request),
            commit_id=parent.commit_id,
            in_reply_to_id=parent.id,
        )
        return JSONResponse(comment_json(request, rec), status_code=201)

    def find_comment(owner: str, name: str, comment_id: int) -> ReviewCommentRec:
        repo = state.repo(owner, name)
        rec = state.review_comments.get(comment_id)
        if rec is None or rec.repo != repo.full_name:
            raise not_found()
        return rec

    @api.get("/repos/{owner}/{name}/pulls/comments/{comment_id}")
    async def get_comment(request: Request, owner: str, name: str, comment_id: int) -> JSONResponse:
        return JSONResponse(comment_json(request, find_comment(owner, name, comment_id)))

    @api.patch("/repos/{owner}/{name}/pulls/comments/{comment_id}")
    async def edit_comment(
        request: Request, owner: str, name: str, comment_id: int
    ) -> JSONResponse:
        rec = find_comment(owner, name, comment_id)
        body = (await json_body(request)).get("body") or ""
        if len(body) > MAX_BODY:
            raise unprocessable([MSG_BODY_TOO_LONG])
        rec.body = body
        return JSONResponse(comment_json(request, rec))

    @api.delete("/repos/{owner}/{name}/pulls/comments/{comment_id}")
    async def delete_comment(owner: str, name: str, comment_id: int) -> Response:
        rec = find_comment(owner, name, comment_id)
        with state.lock:
            del state.review_comments[rec.id]
        return Response(status_code=204)

    @api.get("/repos/{owner}/{name}/pulls/comments/{comment_id}/reactions")
    async def list_reactions(
        request: Request, owner: str, name: str, comment_id: int
    ) -> JSONResponse:
        find_comment(owner, name, comment_id)
        return list_reactions_of(request, state, "pulls", comment_id)

    @api.post("/repos/{owner}/{name}/pulls/comments/{comment_id}/reactions")
    async def add_reaction(
        request: Request, owner: str, name: str, comment_id: int
    ) -> JSONResponse:
        find_comment(owner, name, comment_id)
        return await add_reaction_to(request, state, "pulls", comment_id)

    return api


def list_reactions_of(request: Request, state: GitHubState, kind: str, cid: int) -> JSONResponse:
    """Every reaction with the user who gave it; `?content=-1` keeps one kind only."""
    base = base_url(request, state)
    content = request.query_params.get("content")
    if content is not None and content not in render.REACTIONS:
        raise ApiError(422, "Validation Failed", errors=[f"content {content} is not valid"])
    found = [
        render.reaction(base, r)
        for r in state.reactions.get((kind, cid), [])
        if content is None or r.content == content
    ]
    return paginate(request, found, state)


async def add_reaction_to(
    request: Request, state: GitHubState, kind: str, comment_id: int
) -> JSONResponse:
    """201 for a new reaction, 200 with the existing one when this user already reacted so."""
    content = (await json_body(request)).get("content")
    if content not in render.REACTIONS:
        raise ApiError(
            422,
            "Validation Failed",
            errors=[
                {
                    "resource": "Reaction",
                    "code": "custom",
                    "field": "content",
                    "message": f"content is not included in the list: {content}",
                }
            ],
        )
    user = acting_login(request)
    with state.lock:
        existing = state.reactions.setdefault((kind, comment_id), [])
        for rec in existing:
            if rec.user == user and rec.content == content:
                return JSONResponse(render.reaction(base_url(request, state), rec))
        rec = ReactionRec(id=state.next_id(), content=content, user=user, created_at=now())
        existing.append(rec)
    return JSONResponse(render.reaction(base_url(request, state), rec), status_code=201)
