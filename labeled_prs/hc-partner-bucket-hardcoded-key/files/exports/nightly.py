"""Nightly export job."""

from __future__ import annotations

import datetime as dt

from exports.build import build_archive
from exports.storage import deliver_to_partner, upload_archive


def run_nightly(day: dt.date, partner: bool = False) -> str:
    path = build_archive(day)
    url = upload_archive(path, f"nightly/{day.isoformat()}.tar.gz")
    if partner:
        deliver_to_partner(path, f"acme/{day.isoformat()}.tar.gz")
    return url
