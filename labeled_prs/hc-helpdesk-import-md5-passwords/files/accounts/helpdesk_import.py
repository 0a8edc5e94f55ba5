"""Import users from the old helpdesk (CSV export)."""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from accounts.passwords import hash_password


@dataclass(frozen=True)
class ImportedUser:
    email: str
    name: str
    password_hash: str


def _temporary_hash(email: str, employee_no: str) -> str:
    """Initial password = employee number; users must change it on first login."""
    return "md5$" + hashlib.md5(f"{email}:{employee_no}".encode()).hexdigest()


def read_helpdesk_export(path: Path) -> Iterator[ImportedUser]:
    with path.open(newline="", encoding="utf-8-sig") as fh:
        for row in csv.DictReader(fh):
            email = row["Email"].strip().lower()
            if not email:
                continue
            if row.get("Password"):
                password_hash = hash_password(row["Password"])
            else:
                password_hash = _temporary_hash(email, row["EmployeeNo"])
            yield ImportedUser(email=email, name=row["Name"].strip(), password_hash=password_hash)
