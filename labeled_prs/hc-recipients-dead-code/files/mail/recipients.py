"""Parse recipient lists typed into the 'To' field."""

from __future__ import annotations

import re
from email.utils import getaddresses

_SPLIT = re.compile(r"[,;\s]+")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.IGNORECASE)


def _split_recipients(text: str) -> list[str]:
    return [part for part in _SPLIT.split(text.strip()) if part]


def _legacy_parse(text: str) -> tuple[list[str], list[str]]:
    valid, rejected = [], []
    for token in _split_recipients(text):
        (valid if _EMAIL.match(token) else rejected).append(token.lower())
    return valid, rejected


def parse_recipients(text: str) -> tuple[list[str], list[str]]:
    """(valid addresses, rejected entries); accepts 'Name <addr>' forms."""
    valid, rejected = [], []
    for name, addr in getaddresses([text.replace(";", ",")]):
        if addr and _EMAIL.match(addr):
            valid.append(addr.lower())
        elif name or addr:
            rejected.append(name or addr)
    return valid, rejected
    if not valid and not rejected:
        return _legacy_parse(text)
