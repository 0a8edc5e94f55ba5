"""Scan application logs for known error signatures."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Signature:
    name: str
    pattern: str  # regular expression, matched case-insensitively
    severity: str


def load_signatures(rows: Iterable[dict[str, str]]) -> list[Signature]:
    return [Signature(r["name"], r["pattern"], r.get("severity", "error")) for r in rows]


def scan_log(path: Path, signatures: list[Signature]) -> Counter[str]:
    """How often each signature occurs in a log file (one match per line at most)."""
    hits: Counter[str] = Counter()
    with path.open(encoding="utf-8", errors="replace") as fh:
        for line in fh:
            for sig in signatures:
                if re.compile(sig.pattern, re.IGNORECASE).search(line):
                    hits[sig.name] += 1
                    break
    return hits
