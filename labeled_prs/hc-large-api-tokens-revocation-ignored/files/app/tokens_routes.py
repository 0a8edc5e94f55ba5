"""HTTP routes for personal API tokens."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, HTTPException, status
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from app.auth import current_user
from app.db import get_session
from app.models import User
from app.tokens import TokenError, issue_token, list_tokens, revoke_token

router = APIRouter(prefix="/settings/tokens", tags=["tokens"])


class CreateToken(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    scopes: set[str] = Field(default_factory=lambda: {"read"})
    ttl_days: int = Field(default=90, ge=1, le=365)


class TokenOut(BaseModel):
    id: int
    name: str
    prefix: str
    scopes: list[str]
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked: bool


class CreatedToken(BaseModel):
    id: int
    token: str
    expires_at: datetime | None


@router.post("", status_code=status.HTTP_201_CREATED)
def create(
    body: CreateToken, user: User = Depends(current_user), session: Session = Depends(get_session)
) -> CreatedToken:
    try:
        issued = issue_token(session, user, body.name, body.scopes, body.ttl_days)
    except TokenError as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, str(exc)) from None
    session.commit()
    return CreatedToken(id=issued.id, token=issued.secret, expires_at=issued.expires_at)


@router.get("")
def index(
    user: User = Depends(current_user), session: Session = Depends(get_session)
) -> list[TokenOut]:
    return [
        TokenOut(
            id=t.id,
            name=t.name,
            prefix=t.prefix,
            scopes=t.scopes.split(),
            created_at=t.created_at,
            expires_at=t.expires_at,
            last_used_at=t.last_used_at,
            revoked=t.revoked_at is not None,
        )
        for t in list_tokens(session, user)
    ]


@router.delete("/{token_id}", status_code=status.HTTP_204_NO_CONTENT)
def revoke(
    token_id: int, user: User = Depends(current_user), session: Session = Depends(get_session)
) -> None:
    try:
        revoke_token(session, user, token_id)
    except TokenError:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such token") from None
    session.commit()
