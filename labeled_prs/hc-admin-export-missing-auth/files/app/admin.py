"""Admin API routes."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response

from app.auth import require_admin
from app.db import Database, get_db
from app.models import User

router = APIRouter(prefix="/admin")


@router.get("/users")
def list_users(db: Database = Depends(get_db), admin: User = Depends(require_admin)) -> list[dict]:
    return [u.public_dict() for u in db.users.all()]


@router.post("/users/{user_id}/lock")
def lock_user(
    user_id: int, db: Database = Depends(get_db), admin: User = Depends(require_admin)
) -> dict:
    user = db.users.get(user_id)
    user.locked = True
    db.users.save(user)
    return {"id": user_id, "locked": True}


@router.get("/users/export.csv")
def export_users(db: Database = Depends(get_db)) -> Response:
    rows = ["id,email,name,created_at,last_login_ip"]
    for u in db.users.all():
        rows.append(f"{u.id},{u.email},{u.name},{u.created_at.isoformat()},{u.last_login_ip}")
    return Response("\n".join(rows) + "\n", media_type="text/csv")
