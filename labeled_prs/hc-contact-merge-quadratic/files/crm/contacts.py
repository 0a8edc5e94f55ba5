"""Contact list import for the CRM."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Contact:
    email: str
    name: str
    company: str


def read_contacts(path: Path) -> Iterator[Contact]:
    with path.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            yield Contact(row["email"].strip().lower(), row["name"].strip(), row.get("company", ""))


def merge_contacts(existing: Iterable[Contact], incoming: Iterable[Contact]) -> list[Contact]:
    """Existing contacts plus the incoming ones whose e-mail is new (first one wins)."""
    merged = list(existing)
    known_emails = [c.email for c in merged]
    for contact in incoming:
        if contact.email in known_emails:
            continue
        merged.append(contact)
        known_emails.append(contact.email)
    return merged
