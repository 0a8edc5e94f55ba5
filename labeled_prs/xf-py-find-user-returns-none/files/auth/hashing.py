"""Password hashing."""

from __future__ import annotations

import hashlib
import hmac


def verify_password(password: str, stored: str) -> bool:
    salt, _, digest = stored.partition("$")
    mine = hashlib.scrypt(password.encode(), salt=salt.encode(), n=2**14, r=8, p=1).hex()
    return hmac.compare_digest(mine, digest)
