"""Slug generation."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Optional
import itertools

_NON_WORD = re.compile(r"[^a-z0-9]+")


def slugify(text: str, max_length: int = 80) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = _NON_WORD.sub("-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-")


def unique_slug(text: str, taken: Iterable[str], max_length: int = 80) -> str:
    """slugify(text), with -2, -3, ... appended until it is not taken."""
    taken_set = set(taken)
    base = slugify(text, max_length)
    candidate, n = base, 2
    while candidate in taken_set:
        suffix = f"-{n}"
        candidate = base[: max_length - len(suffix)] + suffix
        n += 1
    return candidate
