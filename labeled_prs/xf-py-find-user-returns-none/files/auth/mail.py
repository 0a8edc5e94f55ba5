"""Outgoing auth e-mails."""

from __future__ import annotations


def send_reset_mail(address: str, token: str) -> None:
    print(f"reset link for {address}: /reset/{token}")
