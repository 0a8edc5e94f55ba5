"""Admin console views."""

from __future__ import annotations

from admin.http import JSONResponse, Request
from admin.users import UserRepository


def user_detail(request: Request, users: UserRepository, user_id: int) -> JSONResponse:
    user = users.by_id(user_id)
    if user is None:
        raise request.not_found(f"user {user_id}")
    return JSONResponse({"id": user.id, "email": user.email, "name": user.display_name})


def user_search(request: Request, users: UserRepository) -> JSONResponse:
    term = request.query.get("q", "").strip()
    if len(term) < 2:
        return JSONResponse({"users": []})
    found = users.search(term, active_only=request.query.get("all") != "1")
    return JSONResponse(
        {"users": [{"id": u.id, "email": u.email, "name": u.display_name} for u in found]}
    )
