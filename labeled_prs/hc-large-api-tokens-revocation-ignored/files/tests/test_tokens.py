from datetime import datetime, timedelta, timezone

import pytest

from app.tokens import InvalidToken, ScopeError, authenticate, issue_token, revoke_token


def test_issue_and_authenticate(session, user) -> None:
    issued = issue_token(session, user, "ci", {"read"})
    assert issued.secret.startswith("acme_pat_")
    assert authenticate(session, issued.secret, "read") == user


def test_wrong_scope(session, user) -> None:
    issued = issue_token(session, user, "ci", {"read"})
    with pytest.raises(ScopeError):
        authenticate(session, issued.secret, "write")


def test_unknown_scope(session, user) -> None:
    with pytest.raises(ScopeError):
        issue_token(session, user, "ci", {"everything"})


def test_tampered_secret(session, user) -> None:
    issued = issue_token(session, user, "ci", {"read"})
    with pytest.raises(InvalidToken):
        authenticate(session, issued.secret[:-2] + "xx", "read")


def test_expired(session, user, monkeypatch) -> None:
    issued = issue_token(session, user, "ci", {"read"}, ttl_days=1)
    later = datetime.now(timezone.utc) + timedelta(days=2)
    monkeypatch.setattr("app.tokens._now", lambda: later)
    with pytest.raises(InvalidToken):
        authenticate(session, issued.secret, "read")


def test_revoke_is_idempotent(session, user) -> None:
    issued = issue_token(session, user, "ci", {"read"})
    revoke_token(session, user, issued.id)
    revoke_token(session, user, issued.id)
