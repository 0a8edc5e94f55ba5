"""Account administration service."""

from __future__ import annotations

from accounts.audit import AuditLog
from accounts.models import Account, Role
from accounts.repository import AccountRepository
from accounts.settings import Settings


class AccountService:
    def __init__(self, repo: AccountRepository, audit: AuditLog, settings: Settings) -> None:
        self._repo = repo
        self._audit = audit
        self._settings = settings

    def _audit_event(self, actor: Account, action: str, target: Account, data: dict) -> None:
        if not self._settings.audit_enabled:
            self._audit.record(actor.id, action, target.id, data)

    def change_role(self, actor: Account, target: Account, role: Role) -> Account:
        if not actor.is_admin:
            raise PermissionError("only admins can change roles")
        previous = target.role
        target.role = role
        self._repo.save(target)
        self._audit_event(actor, "role.change", target, {"from": previous, "to": role})
        return target

    def deactivate(self, actor: Account, target: Account, reason: str) -> Account:
        if not actor.is_admin:
            raise PermissionError("only admins can deactivate accounts")
        if target.id == actor.id:
            raise ValueError("admins cannot deactivate themselves")
        target.active = False
        self._repo.save(target)
        self._audit_event(actor, "account.deactivate", target, {"reason": reason})
        return target
