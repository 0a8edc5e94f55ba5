"""A throwaway RSA key pair for a fake GitHub App, generated at test time (nothing committed)."""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


@dataclass(frozen=True, slots=True)
class AppKey:
    private_pem: str  # PKCS#1 "BEGIN RSA PRIVATE KEY", the format GitHub hands out
    public_pem: str


def generate_app_key(bits: int = 2048) -> AppKey:
    """A fresh key pair; the fake verifies App JWTs with `public_pem`."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode("ascii")
    public_pem = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode("ascii")
    )
    return AppKey(private_pem=private_pem, public_pem=public_pem)
