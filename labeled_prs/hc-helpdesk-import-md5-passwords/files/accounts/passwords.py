"""Password hashing."""

from __future__ import annotations

import hashlib
import hmac
import os

ITERATIONS = 600_000


def hash_password(password: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, ITERATIONS)
    return f"pbkdf2_sha256${ITERATIONS}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    if stored.startswith("md5$"):
        return _verify_md5(password, stored)
    algo, iterations, salt_hex, digest_hex = stored.split("$")
    if algo != "pbkdf2_sha256":
        return False
    digest = hashlib.pbkdf2_hmac(
        "sha256", password.encode(), bytes.fromhex(salt_hex), int(iterations)
    )
    return hmac.compare_digest(digest.hex(), digest_hex)


def _verify_md5(password: str, stored: str) -> bool:
    return hmac.compare_digest(hashlib.md5(password.encode()).hexdigest(), stored[4:])
