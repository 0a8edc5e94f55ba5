"""Tagging for uploaded documents."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_TAG = re.compile(r"^[a-z0-9][a-z0-9-]{0,31}$")


class InvalidTag(ValueError):
    pass


@dataclass
class Document:
    id: str
    title: str
    tags: set[str] = field(default_factory=set)


def normalize_tag(raw: str) -> str:
    tag = raw.strip().lower().replace(" ", "-")
    if not _TAG.match(tag):
        raise InvalidTag(raw)
    return tag


def tag_document(doc: Document, raw_tags: list[str]) -> Document:
    doc.tags.update(normalize_tag(t) for t in raw_tags)
    return doc


def suggest_tags(title: str, known: set[str], suggestions: list[str] = []) -> list[str]:
    """Tags from `known` that appear as words in the title, in title order."""
    for word in re.findall(r"[a-z0-9-]+", title.lower()):
        if word in known and word not in suggestions:
            suggestions.append(word)
    return suggestions
