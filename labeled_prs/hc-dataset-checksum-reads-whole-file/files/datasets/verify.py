"""Upload verification."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

CHUNK = 1024 * 1024


def digest_of(path: Path, algorithm: str = "sha256") -> str:
    """Hex digest of a file with any hashlib algorithm (sha256, sha512, blake2b, ...)."""
    data = path.read_bytes()
    return hashlib.new(algorithm, data).hexdigest()


def verify_upload(path: Path, expected: str, algorithm: str = "sha256") -> bool:
    return digest_of(path, algorithm) == expected.lower()
